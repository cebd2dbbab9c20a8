-- CreateEnum
CREATE TYPE "correction_status" AS ENUM ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'VOID');

-- CreateTable
CREATE TABLE "interface_schema" (
    "interface_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "schema" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interface_schema_pkey" PRIMARY KEY ("interface_id","version")
);

-- CreateTable
CREATE TABLE "correction" (
    "id" UUID NOT NULL,
    "exception_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "status" "correction_status" NOT NULL DEFAULT 'DRAFT',
    "base_payload_hash" TEXT,
    "patch" JSONB NOT NULL,
    "payload" JSONB NOT NULL,
    "payload_hash" TEXT NOT NULL,
    "schema_version" INTEGER,
    "schema_errors" JSONB,
    "reason" TEXT,
    "submitted_at" TIMESTAMPTZ(3),
    "approver_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "decision_comment" TEXT,
    "approved_payload_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "correction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "correction_exception_id_idx" ON "correction"("exception_id");

-- CreateIndex
CREATE INDEX "correction_status_submitted_at_idx" ON "correction"("status", "submitted_at");

-- At most one live correction (draft, submitted or approved) per exception (not expressible in Prisma).
CREATE UNIQUE INDEX "correction_one_live_per_exception" ON "correction"("exception_id") WHERE "status" IN ('DRAFT', 'SUBMITTED', 'APPROVED');

-- The author can never be the approver, whatever code path writes the row.
ALTER TABLE "correction" ADD CONSTRAINT "correction_four_eyes" CHECK ("approver_id" IS NULL OR "approver_id" <> "author_id");

-- AddForeignKey
ALTER TABLE "interface_schema" ADD CONSTRAINT "interface_schema_interface_id_fkey" FOREIGN KEY ("interface_id") REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "correction" ADD CONSTRAINT "correction_exception_id_fkey" FOREIGN KEY ("exception_id") REFERENCES "exception"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "correction" ADD CONSTRAINT "correction_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "correction" ADD CONSTRAINT "correction_approver_id_fkey" FOREIGN KEY ("approver_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
