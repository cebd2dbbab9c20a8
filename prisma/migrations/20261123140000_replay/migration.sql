-- CreateEnum
CREATE TYPE "replay_status" AS ENUM ('QUEUED', 'DELIVERING', 'SUCCEEDED', 'FAILED');

-- AlterTable
ALTER TABLE "connector" ADD COLUMN "replay_url" TEXT,
ADD COLUMN "replay_secret" TEXT;

-- CreateTable
CREATE TABLE "replay" (
    "id" UUID NOT NULL,
    "exception_id" UUID NOT NULL,
    "connector_id" UUID NOT NULL,
    "correction_id" UUID,
    "idempotency_key" TEXT NOT NULL,
    "status" "replay_status" NOT NULL DEFAULT 'QUEUED',
    "payload" JSONB NOT NULL,
    "requested_by_id" UUID NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "replay_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "replay_attempt" (
    "id" UUID NOT NULL,
    "replay_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "http_status" INTEGER,
    "error_code" TEXT,
    "error_message" TEXT,
    "response" JSONB,

    CONSTRAINT "replay_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "replay_idempotency_key_key" ON "replay"("idempotency_key");

-- CreateIndex
CREATE INDEX "replay_exception_id_idx" ON "replay"("exception_id");

-- CreateIndex
CREATE INDEX "replay_connector_id_status_idx" ON "replay"("connector_id", "status");

-- CreateIndex
CREATE INDEX "replay_attempt_replay_id_attempt_idx" ON "replay_attempt"("replay_id", "attempt");

-- At most one replay in flight per exception.
CREATE UNIQUE INDEX "replay_one_in_flight_per_exception" ON "replay"("exception_id") WHERE "status" IN ('QUEUED', 'DELIVERING');

-- AddForeignKey
ALTER TABLE "replay" ADD CONSTRAINT "replay_exception_id_fkey" FOREIGN KEY ("exception_id") REFERENCES "exception"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replay" ADD CONSTRAINT "replay_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connector"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replay_attempt" ADD CONSTRAINT "replay_attempt_replay_id_fkey" FOREIGN KEY ("replay_id") REFERENCES "replay"("id") ON DELETE CASCADE ON UPDATE CASCADE;
