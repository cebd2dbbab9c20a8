-- AlterTable
ALTER TABLE "connector" ADD COLUMN "replay_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "replay_paused_until" TIMESTAMPTZ(3);
