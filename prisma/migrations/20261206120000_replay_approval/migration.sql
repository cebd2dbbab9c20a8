-- Segregation of duties on replays: on an interface that requires approval, a replay that has no second
-- person's approval yet (as is, or a second delivery) is a request that another approver approves.
-- Approving it creates the replay (and its job) in the same transaction; the request names the payload
-- (and its hash) that is sent.
CREATE TYPE "replay_request_status" AS ENUM ('REQUESTED', 'APPROVED', 'REJECTED', 'WITHDRAWN');

-- CreateTable
CREATE TABLE "replay_request" (
    "id" UUID NOT NULL,
    "exception_id" UUID NOT NULL,
    "requested_by_id" UUID NOT NULL,
    "status" "replay_request_status" NOT NULL DEFAULT 'REQUESTED',
    "payload" JSONB NOT NULL,
    "payload_hash" TEXT NOT NULL,
    "correction_id" UUID,
    "reason" TEXT,
    "second" BOOLEAN NOT NULL DEFAULT false,
    "exception_status_from" "exception_status" NOT NULL,
    "approver_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "decision_comment" TEXT,
    "replay_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "replay_request_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "replay_request_exception_id_idx" ON "replay_request"("exception_id");

-- CreateIndex
CREATE INDEX "replay_request_status_created_at_idx" ON "replay_request"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "replay_request_replay_id_key" ON "replay_request"("replay_id");

-- At most one open request per exception (not expressible in Prisma).
CREATE UNIQUE INDEX "replay_request_one_open_per_exception" ON "replay_request"("exception_id") WHERE "status" = 'REQUESTED';

-- The requester can never be the approver, whatever code path writes the row.
ALTER TABLE "replay_request" ADD CONSTRAINT "replay_request_four_eyes" CHECK ("approver_id" IS NULL OR "approver_id" <> "requested_by_id");

-- An approved request names its approver and the replay it created.
ALTER TABLE "replay_request" ADD CONSTRAINT "replay_request_approved_has_replay" CHECK ("status" <> 'APPROVED' OR ("approver_id" IS NOT NULL AND "replay_id" IS NOT NULL));

-- AddForeignKey
ALTER TABLE "replay_request" ADD CONSTRAINT "replay_request_exception_id_fkey" FOREIGN KEY ("exception_id") REFERENCES "exception"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replay_request" ADD CONSTRAINT "replay_request_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replay_request" ADD CONSTRAINT "replay_request_approver_id_fkey" FOREIGN KEY ("approver_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replay_request" ADD CONSTRAINT "replay_request_correction_id_fkey" FOREIGN KEY ("correction_id") REFERENCES "correction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replay_request" ADD CONSTRAINT "replay_request_replay_id_fkey" FOREIGN KEY ("replay_id") REFERENCES "replay"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
