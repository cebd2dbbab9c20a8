-- A replay its exception no longer expects (discarded, recovered at source, approval lapsed) is
-- cancelled, never sent (again). Not part of replay_one_in_flight_per_exception (QUEUED, DELIVERING).
ALTER TYPE "replay_status" ADD VALUE IF NOT EXISTS 'CANCELLED';

-- The sweeper finds push replays whose job is gone (QUEUED/DELIVERING with no live pg-boss job).
CREATE INDEX IF NOT EXISTS "replay_push_open_idx" ON "replay"("created_at") WHERE "mode" = 'push' AND "status" IN ('QUEUED', 'DELIVERING');
