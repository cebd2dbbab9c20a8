-- CreateEnum
CREATE TYPE "role" AS ENUM ('VIEWER', 'OPERATOR', 'APPROVER', 'AUDITOR', 'ADMIN');

-- CreateEnum
CREATE TYPE "system_kind" AS ENUM ('SAP_ERP', 'ODOO', 'MES', 'QMS', 'WMS', 'CMMS', 'PLM', 'SUPPLIER_PORTAL', 'PLANNING', 'LIMS');

-- CreateEnum
CREATE TYPE "sync_mode" AS ENUM ('REAL_TIME', 'NEAR_REAL_TIME', 'BATCH');

-- CreateEnum
CREATE TYPE "criticality" AS ENUM ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW');

-- CreateEnum
CREATE TYPE "connector_state" AS ENUM ('UNKNOWN', 'ONLINE', 'DEGRADED', 'OFFLINE');

-- CreateTable
CREATE TABLE "plant" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "plant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plant_system" (
    "id" UUID NOT NULL,
    "plant_id" UUID NOT NULL,
    "kind" "system_kind" NOT NULL,
    "description" TEXT NOT NULL,

    CONSTRAINT "plant_system_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connector" (
    "id" UUID NOT NULL,
    "plant_id" UUID NOT NULL,
    "system_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT,
    "api_key_hash" TEXT,
    "state" "connector_state" NOT NULL DEFAULT 'UNKNOWN',
    "last_heartbeat_at" TIMESTAMPTZ(3),
    "reported_backlog" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connector_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "interface" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "source_system" "system_kind" NOT NULL,
    "target_systems" "system_kind"[],
    "business_object" TEXT NOT NULL,
    "sync_mode" "sync_mode" NOT NULL,
    "latency_slo_ms" INTEGER NOT NULL,
    "criticality" "criticality" NOT NULL,
    "requires_approval" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "interface_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "plant_interface" (
    "plant_id" UUID NOT NULL,
    "interface_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "plant_interface_pkey" PRIMARY KEY ("plant_id","interface_id")
);

-- CreateTable
CREATE TABLE "app_user" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "role" NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "app_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_plant" (
    "user_id" UUID NOT NULL,
    "plant_id" UUID NOT NULL,

    CONSTRAINT "user_plant_pkey" PRIMARY KEY ("user_id","plant_id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "type" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT NOT NULL,
    "plant_id" UUID,
    "subject_type" TEXT,
    "subject_id" TEXT,
    "data" JSONB NOT NULL,
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "plant_code_key" ON "plant"("code");

-- CreateIndex
CREATE UNIQUE INDEX "plant_system_plant_id_kind_key" ON "plant_system"("plant_id", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "connector_system_id_key" ON "connector"("system_id");

-- CreateIndex
CREATE UNIQUE INDEX "connector_api_key_hash_key" ON "connector"("api_key_hash");

-- CreateIndex
CREATE INDEX "connector_plant_id_idx" ON "connector"("plant_id");

-- CreateIndex
CREATE UNIQUE INDEX "interface_code_key" ON "interface"("code");

-- CreateIndex
CREATE INDEX "plant_interface_interface_id_idx" ON "plant_interface"("interface_id");

-- CreateIndex
CREATE UNIQUE INDEX "app_user_email_key" ON "app_user"("email");

-- CreateIndex
CREATE INDEX "user_plant_plant_id_idx" ON "user_plant"("plant_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_hash_key" ON "audit_event"("hash");

-- CreateIndex
CREATE INDEX "audit_event_subject_type_subject_id_idx" ON "audit_event"("subject_type", "subject_id");

-- CreateIndex
CREATE INDEX "audit_event_plant_id_occurred_at_idx" ON "audit_event"("plant_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_event_type_occurred_at_idx" ON "audit_event"("type", "occurred_at");

-- AddForeignKey
ALTER TABLE "plant_system" ADD CONSTRAINT "plant_system_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connector" ADD CONSTRAINT "connector_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connector" ADD CONSTRAINT "connector_system_id_fkey" FOREIGN KEY ("system_id") REFERENCES "plant_system"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plant_interface" ADD CONSTRAINT "plant_interface_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "plant_interface" ADD CONSTRAINT "plant_interface_interface_id_fkey" FOREIGN KEY ("interface_id") REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_plant" ADD CONSTRAINT "user_plant_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_plant" ADD CONSTRAINT "user_plant_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Audit trail is append-only at the database level (not expressible in the Prisma schema).
-- Triggers refuse UPDATE, DELETE and TRUNCATE for every role, including the table owner;
-- PUBLIC loses those privileges too, so a separate application role cannot be granted them by default.
CREATE FUNCTION "audit_event_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_event_no_update_delete"
  BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_refuse_change"();

CREATE TRIGGER "audit_event_no_truncate"
  BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_refuse_change"();

REVOKE UPDATE, DELETE, TRUNCATE ON "audit_event" FROM PUBLIC;
