-- Silent failures (issue 19): shift calendars, expected traffic, batch schedules, findings of the flow
-- monitor, owners, escalation ladders, in-app notifications and shift handovers.
CREATE TYPE "business_process" AS ENUM ('ORDER_TO_PRODUCTION', 'PROCURE_TO_RECEIPT', 'QUALITY', 'MAINTENANCE', 'PLANNING', 'FINANCE');
CREATE TYPE "finding_kind" AS ENUM ('LATE', 'STOPPED', 'FLOOD', 'MISSED_RUN');
CREATE TYPE "finding_status" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'RESOLVED');
CREATE TYPE "calendar_entry_kind" AS ENUM ('HOLIDAY', 'DOWNTIME');
CREATE TYPE "escalation_level" AS ENUM ('TECHNICAL_OWNER', 'PLANT_LEAD', 'PLANT_MANAGER', 'BUSINESS_OWNER');
CREATE TYPE "handover_status" AS ENUM ('PREPARED', 'ACKNOWLEDGED');

ALTER TYPE "alert_rule_kind" ADD VALUE 'LATE_MESSAGES';
ALTER TYPE "alert_rule_kind" ADD VALUE 'FLOW_STOPPED';
ALTER TYPE "alert_rule_kind" ADD VALUE 'FLOW_FLOOD';
ALTER TYPE "alert_rule_kind" ADD VALUE 'MISSED_RUN';
ALTER TYPE "alert_rule_kind" ADD VALUE 'TARGET_DOWN';
ALTER TYPE "alert_rule_kind" ADD VALUE 'EXCEPTION_OVERDUE';
ALTER TYPE "alert_rule_kind" ADD VALUE 'HANDOVER_UNACKNOWLEDGED';

ALTER TABLE "plant" ADD COLUMN "lead_user_id" UUID REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  ADD COLUMN "manager_user_id" UUID REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "interface" ADD COLUMN "process" "business_process" NOT NULL DEFAULT 'ORDER_TO_PRODUCTION',
  ADD COLUMN "late_after_factor" DOUBLE PRECISION NOT NULL DEFAULT 3,
  ADD COLUMN "late_escalate_factor" DOUBLE PRECISION NOT NULL DEFAULT 20;

ALTER TABLE "plant_interface" ADD COLUMN "technical_owner_id" UUID REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  ADD COLUMN "business_owner_id" UUID REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "alert_webhook" ADD COLUMN "min_severity" "severity" NOT NULL DEFAULT 'LOW';

CREATE TABLE "plant_shift" (
  "id" UUID NOT NULL PRIMARY KEY,
  "plant_id" UUID NOT NULL REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "name" TEXT NOT NULL,
  "weekdays" INTEGER[] NOT NULL,
  "start_minute" INTEGER NOT NULL CHECK ("start_minute" BETWEEN 0 AND 1439),
  "end_minute" INTEGER NOT NULL CHECK ("end_minute" BETWEEN 0 AND 1439),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE UNIQUE INDEX "plant_shift_plant_id_name_key" ON "plant_shift"("plant_id", "name");

CREATE TABLE "plant_calendar_entry" (
  "id" UUID NOT NULL PRIMARY KEY,
  "plant_id" UUID NOT NULL REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "kind" "calendar_entry_kind" NOT NULL,
  "starts_at" TIMESTAMPTZ(3) NOT NULL,
  "ends_at" TIMESTAMPTZ(3) NOT NULL,
  "reason" TEXT NOT NULL,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CHECK ("ends_at" > "starts_at")
);
CREATE INDEX "plant_calendar_entry_plant_id_starts_at_idx" ON "plant_calendar_entry"("plant_id", "starts_at");

CREATE TABLE "flow_expectation" (
  "plant_id" UUID NOT NULL REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "interface_id" UUID NOT NULL REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "window_minutes" INTEGER NOT NULL DEFAULT 60 CHECK ("window_minutes" BETWEEN 5 AND 1440),
  "min_count" INTEGER NOT NULL CHECK ("min_count" >= 0),
  "max_count" INTEGER CHECK ("max_count" IS NULL OR "max_count" >= "min_count"),
  "production_only" BOOLEAN NOT NULL DEFAULT true,
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "updated_by_id" UUID,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ("plant_id", "interface_id")
);

CREATE TABLE "batch_schedule" (
  "id" UUID NOT NULL PRIMARY KEY,
  "plant_id" UUID NOT NULL REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "interface_id" UUID NOT NULL REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "cron" TEXT NOT NULL,
  "complete_within_minutes" INTEGER NOT NULL CHECK ("complete_within_minutes" BETWEEN 1 AND 1440),
  "min_messages" INTEGER NOT NULL DEFAULT 1 CHECK ("min_messages" >= 1),
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "updated_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE UNIQUE INDEX "batch_schedule_plant_id_interface_id_key" ON "batch_schedule"("plant_id", "interface_id");

CREATE TABLE "finding" (
  "id" UUID NOT NULL PRIMARY KEY,
  "plant_id" UUID NOT NULL REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "interface_id" UUID NOT NULL REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "kind" "finding_kind" NOT NULL,
  "status" "finding_status" NOT NULL DEFAULT 'OPEN',
  "subject_key" TEXT NOT NULL,
  "severity" "severity" NOT NULL,
  "summary" TEXT NOT NULL,
  "detail" JSONB NOT NULL DEFAULT '{}',
  "transaction_id" UUID REFERENCES "business_transaction"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "exception_id" UUID REFERENCES "exception"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "assignee_id" UUID REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "opened_at" TIMESTAMPTZ(3) NOT NULL,
  "last_evaluated_at" TIMESTAMPTZ(3) NOT NULL,
  "acknowledged_at" TIMESTAMPTZ(3),
  "acknowledged_by_id" UUID REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "resolved_at" TIMESTAMPTZ(3),
  "resolution" TEXT
);
CREATE INDEX "finding_plant_id_status_kind_idx" ON "finding"("plant_id", "status", "kind");
CREATE INDEX "finding_status_opened_at_idx" ON "finding"("status", "opened_at");
CREATE INDEX "finding_transaction_id_idx" ON "finding"("transaction_id");
-- One unresolved finding per kind and subject: concurrent monitor runs cannot open it twice.
CREATE UNIQUE INDEX "finding_open_subject_key" ON "finding"("kind", "subject_key") WHERE "status" <> 'RESOLVED';

-- Messages not yet delivered, oldest first: the late-message scan reads only these.
CREATE INDEX "transaction_undelivered_idx" ON "business_transaction"("first_seen_at") INCLUDE ("plant_id", "interface_id")
  WHERE "status" IN ('IN_FLIGHT', 'RETRYING');

CREATE TABLE "escalation_step" (
  "criticality" "criticality" NOT NULL,
  "level" "escalation_level" NOT NULL,
  "after_minutes" INTEGER NOT NULL CHECK ("after_minutes" BETWEEN 0 AND 10080),
  PRIMARY KEY ("criticality", "level")
);

CREATE TABLE "escalation_state" (
  "subject_type" TEXT NOT NULL,
  "subject_id" TEXT NOT NULL,
  "plant_id" UUID NOT NULL,
  "criticality" "criticality" NOT NULL,
  "started_at" TIMESTAMPTZ(3) NOT NULL,
  "level" "escalation_level",
  "last_escalated_at" TIMESTAMPTZ(3),
  "firings" INTEGER NOT NULL DEFAULT 1,
  "closed_at" TIMESTAMPTZ(3),
  PRIMARY KEY ("subject_type", "subject_id")
);
CREATE INDEX "escalation_state_closed_at_started_at_idx" ON "escalation_state"("closed_at", "started_at");

CREATE TABLE "notification" (
  "id" UUID NOT NULL PRIMARY KEY,
  "user_id" UUID NOT NULL REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "plant_id" UUID,
  "subject_type" TEXT NOT NULL,
  "subject_id" TEXT NOT NULL,
  "level" "escalation_level",
  "severity" "severity" NOT NULL,
  "title" TEXT NOT NULL,
  "body" TEXT NOT NULL,
  "href" TEXT NOT NULL,
  "count" INTEGER NOT NULL DEFAULT 1,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "read_at" TIMESTAMPTZ(3)
);
CREATE UNIQUE INDEX "notification_user_id_subject_type_subject_id_key" ON "notification"("user_id", "subject_type", "subject_id");
CREATE INDEX "notification_user_id_read_at_last_at_idx" ON "notification"("user_id", "read_at", "last_at");

CREATE TABLE "handover" (
  "id" UUID NOT NULL PRIMARY KEY,
  "plant_id" UUID NOT NULL REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "shift_name" TEXT NOT NULL,
  "shift_start" TIMESTAMPTZ(3) NOT NULL,
  "shift_end" TIMESTAMPTZ(3) NOT NULL,
  "status" "handover_status" NOT NULL DEFAULT 'PREPARED',
  "summary" JSONB NOT NULL,
  "notes" TEXT,
  "notes_updated_by_id" UUID,
  "prepared_at" TIMESTAMPTZ(3) NOT NULL,
  "acknowledged_at" TIMESTAMPTZ(3),
  "acknowledged_by_id" UUID
);
CREATE UNIQUE INDEX "handover_plant_id_shift_start_key" ON "handover"("plant_id", "shift_start");
CREATE INDEX "handover_status_shift_end_idx" ON "handover"("status", "shift_end");

-- The catalog's interfaces by business process (new interfaces default to order-to-production; admins change it).
UPDATE "interface" SET "process" = 'PROCURE_TO_RECEIPT' WHERE "code" IN ('SUPPLIER_ASN');
UPDATE "interface" SET "process" = 'QUALITY' WHERE "code" IN ('QUALITY_HOLD', 'INSPECTION_RESULT');
UPDATE "interface" SET "process" = 'MAINTENANCE' WHERE "code" IN ('MAINT_WORK_ORDER', 'SPARE_PARTS_USAGE');
UPDATE "interface" SET "process" = 'PLANNING' WHERE "code" IN ('FORECAST_IMPORT');
UPDATE "interface" SET "process" = 'FINANCE' WHERE "code" IN ('INVOICE_POSTING');
