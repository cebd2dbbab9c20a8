-- AlterTable
ALTER TABLE "replay" ADD COLUMN "mode" TEXT NOT NULL DEFAULT 'push',
ADD COLUMN "lease_until" TIMESTAMPTZ(3),
ADD COLUMN "leases" INTEGER NOT NULL DEFAULT 0;

-- Pull leases: what a connector may take next.
CREATE INDEX "replay_pull_queue_idx" ON "replay"("connector_id", "created_at") WHERE "mode" = 'pull' AND "status" IN ('QUEUED', 'DELIVERING');
