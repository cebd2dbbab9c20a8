-- CreateEnum
CREATE TYPE "bulk_kind" AS ENUM ('ASSIGN', 'COMMENT', 'DISCARD', 'REPLAY', 'CORRECT');

-- CreateEnum
CREATE TYPE "bulk_status" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED');

-- CreateEnum
CREATE TYPE "bulk_item_status" AS ENUM ('PENDING', 'DONE', 'SKIPPED', 'FAILED');

-- AlterTable: per-target replay limits (rate shared by every instance through replay_next_slot_at)
ALTER TABLE "connector" ADD COLUMN "replay_rate_per_sec" INTEGER NOT NULL DEFAULT 20,
ADD COLUMN "replay_concurrency" INTEGER NOT NULL DEFAULT 4,
ADD COLUMN "replay_next_slot_at" TIMESTAMPTZ(3);
ALTER TABLE "connector" ADD CONSTRAINT "connector_replay_limits" CHECK ("replay_rate_per_sec" BETWEEN 1 AND 10000 AND "replay_concurrency" BETWEEN 1 AND 256);

-- CreateTable
CREATE TABLE "bulk_operation" (
    "id" UUID NOT NULL,
    "kind" "bulk_kind" NOT NULL,
    "status" "bulk_status" NOT NULL DEFAULT 'QUEUED',
    "created_by_id" UUID NOT NULL,
    "selection" JSONB NOT NULL,
    "params" JSONB NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cancel_requested_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulk_operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bulk_operation_item" (
    "bulk_id" UUID NOT NULL,
    "exception_id" UUID NOT NULL,
    "status" "bulk_item_status" NOT NULL DEFAULT 'PENDING',
    "message" TEXT,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulk_operation_item_pkey" PRIMARY KEY ("bulk_id","exception_id")
);

-- CreateIndex
CREATE INDEX "bulk_operation_created_by_id_created_at_idx" ON "bulk_operation"("created_by_id", "created_at");

-- CreateIndex
CREATE INDEX "bulk_operation_item_bulk_id_status_idx" ON "bulk_operation_item"("bulk_id", "status");

-- AddForeignKey
ALTER TABLE "bulk_operation" ADD CONSTRAINT "bulk_operation_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bulk_operation_item" ADD CONSTRAINT "bulk_operation_item_bulk_id_fkey" FOREIGN KEY ("bulk_id") REFERENCES "bulk_operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bulk_operation_item" ADD CONSTRAINT "bulk_operation_item_exception_id_fkey" FOREIGN KEY ("exception_id") REFERENCES "exception"("id") ON DELETE CASCADE ON UPDATE CASCADE;
