-- Business context (issue 20): typed references to business objects, dependencies between interfaces,
-- dry runs of corrections, runbooks.
CREATE TYPE "ref_kind" AS ENUM ('MATERIAL', 'BOM', 'PRODUCTION_ORDER', 'LOT', 'PURCHASE_ORDER', 'ASN', 'WORK_ORDER', 'INSPECTION_LOT', 'INVOICE', 'FORECAST_VERSION');
CREATE TYPE "dry_run_outcome" AS ENUM ('WOULD_POST', 'REFUSED', 'ERROR');

ALTER TABLE "interface" ADD COLUMN "auto_replay_on_release" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "correction" ADD COLUMN "dry_run_outcome" "dry_run_outcome",
  ADD COLUMN "dry_run_at" TIMESTAMPTZ(3),
  ADD COLUMN "dry_run_payload_hash" TEXT,
  ADD COLUMN "dry_run_result" JSONB,
  ADD COLUMN "dry_run_by_id" UUID,
  ADD COLUMN "approval_override_reason" TEXT;

CREATE TABLE "business_ref" (
  "transaction_id" UUID NOT NULL REFERENCES "business_transaction"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "kind" "ref_kind" NOT NULL,
  "value" TEXT NOT NULL CHECK (length("value") BETWEEN 1 AND 200),
  "qualifier" TEXT NOT NULL DEFAULT '' CHECK (length("qualifier") <= 100),
  "plant_id" UUID NOT NULL,
  "interface_id" UUID NOT NULL,
  "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
  PRIMARY KEY ("transaction_id", "kind", "value", "qualifier")
);
CREATE INDEX "business_ref_kind_value_plant_id_idx" ON "business_ref"("kind", "value", "plant_id");

CREATE TABLE "interface_dependency" (
  "id" UUID NOT NULL PRIMARY KEY,
  "prerequisite_interface_id" UUID NOT NULL REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "dependent_interface_id" UUID NOT NULL REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "ref_kind" "ref_kind" NOT NULL,
  "description" TEXT NOT NULL,
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL,
  CHECK ("prerequisite_interface_id" <> "dependent_interface_id")
);
CREATE UNIQUE INDEX "interface_dependency_prerequisite_interface_id_dependent_in_key" ON "interface_dependency"("prerequisite_interface_id", "dependent_interface_id", "ref_kind");
CREATE INDEX "interface_dependency_dependent_interface_id_idx" ON "interface_dependency"("dependent_interface_id");

CREATE TABLE "runbook" (
  "id" UUID NOT NULL PRIMARY KEY,
  "key" TEXT NOT NULL,
  "version" INTEGER NOT NULL CHECK ("version" >= 1),
  "title" TEXT NOT NULL,
  "body" TEXT NOT NULL,
  "author_id" UUID NOT NULL REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "runbook_key_version_key" ON "runbook"("key", "version");
