-- CreateEnum
CREATE TYPE "event_outcome" AS ENUM ('RECEIVED', 'DELIVERED', 'FAILED', 'RETRYING');

-- CreateEnum
CREATE TYPE "error_category" AS ENUM ('TECHNICAL', 'BUSINESS');

-- CreateEnum
CREATE TYPE "severity" AS ENUM ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW');

-- CreateEnum
CREATE TYPE "exception_status" AS ENUM ('NEW', 'TRIAGED', 'CORRECTING', 'AWAITING_APPROVAL', 'APPROVED', 'REPLAY_QUEUED', 'REPLAYING', 'REPLAY_FAILED', 'REJECTED', 'RESOLVED', 'DISCARDED');

-- CreateEnum
CREATE TYPE "transaction_status" AS ENUM ('IN_FLIGHT', 'DELIVERED', 'FAILED', 'RETRYING');

-- AlterTable
ALTER TABLE "connector" ADD COLUMN "oldest_pending_age_s" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "ingest_receipt" (
    "connector_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_receipt_pkey" PRIMARY KEY ("connector_id","event_id")
);

-- CreateTable (partitioned: written by hand, Prisma cannot express PARTITION BY)
CREATE TABLE "telemetry_event" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "connector_id" UUID NOT NULL,
    "plant_id" UUID NOT NULL,
    "interface_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "business_key" TEXT,
    "hop_source" "system_kind" NOT NULL,
    "hop_target" "system_kind" NOT NULL,
    "outcome" "event_outcome" NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "error_category" "error_category",
    "error_code" TEXT,

    CONSTRAINT "telemetry_event_pkey" PRIMARY KEY ("occurred_at","id")
) PARTITION BY RANGE ("occurred_at");

-- Anything outside the created day partitions lands here rather than failing the insert.
CREATE TABLE "telemetry_event_default" PARTITION OF "telemetry_event" DEFAULT;

-- BRIN on time: tiny, and telemetry arrives roughly in time order.
CREATE INDEX "telemetry_event_occurred_at_brin" ON "telemetry_event" USING BRIN ("occurred_at");

-- Day partitions named telemetry_event_pYYYYMMDD, bounds in UTC. Idempotent; called at start and daily.
CREATE FUNCTION "andon_ensure_telemetry_partitions"(from_day DATE, to_day DATE) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  d DATE := from_day;
  created INTEGER := 0;
  part TEXT;
BEGIN
  WHILE d <= to_day LOOP
    part := 'telemetry_event_p' || to_char(d, 'YYYYMMDD');
    IF to_regclass(quote_ident(part)) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF "telemetry_event" FOR VALUES FROM (%L) TO (%L)',
        part, (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
      created := created + 1;
    END IF;
    d := d + 1;
  END LOOP;
  RETURN created;
END;
$$;

SELECT "andon_ensure_telemetry_partitions"((now() AT TIME ZONE 'UTC')::date - 30, (now() AT TIME ZONE 'UTC')::date + 7);

-- CreateTable
CREATE TABLE "telemetry_rollup_minute" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "plant_id" UUID NOT NULL,
    "interface_id" UUID NOT NULL,
    "outcome" "event_outcome" NOT NULL,
    "shard" SMALLINT NOT NULL DEFAULT 0,
    "count" BIGINT NOT NULL,
    "latency_sum" BIGINT NOT NULL,
    "latency_max" INTEGER NOT NULL,
    "histogram" INTEGER[],

    CONSTRAINT "telemetry_rollup_minute_pkey" PRIMARY KEY ("bucket","plant_id","interface_id","outcome","shard")
);

-- Element-wise sum of two histograms of the same length (rollup merges).
CREATE FUNCTION "andon_histogram_add"(a INTEGER[], b INTEGER[]) RETURNS INTEGER[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(COALESCE(x, 0) + COALESCE(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

-- CreateTable
CREATE TABLE "business_transaction" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "plant_id" UUID NOT NULL,
    "interface_id" UUID NOT NULL,
    "message_id" TEXT NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "business_key" TEXT,
    "status" "transaction_status" NOT NULL,
    "hops" JSONB NOT NULL DEFAULT '{}',
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,
    "delivered_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "latency_ms" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "payload" JSONB,
    "payload_hash" TEXT,
    "last_error" JSONB,

    CONSTRAINT "business_transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exception" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "plant_id" UUID NOT NULL,
    "interface_id" UUID NOT NULL,
    "transaction_id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "category" "error_category" NOT NULL,
    "severity" "severity" NOT NULL,
    "status" "exception_status" NOT NULL DEFAULT 'NEW',
    "error_code" TEXT NOT NULL,
    "error_message" TEXT NOT NULL,
    "error_details" JSONB,
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "sla_due_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "resolution" TEXT,
    "assignee_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exception_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ingest_receipt_received_at_idx" ON "ingest_receipt"("received_at");

-- CreateIndex
CREATE INDEX "telemetry_rollup_minute_plant_id_bucket_idx" ON "telemetry_rollup_minute"("plant_id", "bucket");

-- CreateIndex
CREATE UNIQUE INDEX "business_transaction_plant_id_interface_id_message_id_key" ON "business_transaction"("plant_id", "interface_id", "message_id");

-- CreateIndex
CREATE INDEX "business_transaction_correlation_id_idx" ON "business_transaction"("correlation_id");

-- CreateIndex
CREATE INDEX "business_transaction_plant_id_business_key_idx" ON "business_transaction"("plant_id", "business_key");

-- CreateIndex
CREATE INDEX "exception_plant_id_status_severity_idx" ON "exception"("plant_id", "status", "severity");

-- CreateIndex
CREATE INDEX "exception_fingerprint_idx" ON "exception"("fingerprint");

-- CreateIndex
CREATE INDEX "exception_status_last_seen_at_idx" ON "exception"("status", "last_seen_at");

-- CreateIndex
CREATE INDEX "exception_transaction_id_idx" ON "exception"("transaction_id");

-- At most one open exception per transaction (not expressible in the Prisma schema).
CREATE UNIQUE INDEX "exception_one_open_per_transaction" ON "exception"("transaction_id")
  WHERE "status" NOT IN ('RESOLVED', 'DISCARDED');

-- AddForeignKey
ALTER TABLE "business_transaction" ADD CONSTRAINT "business_transaction_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "business_transaction" ADD CONSTRAINT "business_transaction_interface_id_fkey" FOREIGN KEY ("interface_id") REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exception" ADD CONSTRAINT "exception_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exception" ADD CONSTRAINT "exception_interface_id_fkey" FOREIGN KEY ("interface_id") REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exception" ADD CONSTRAINT "exception_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "business_transaction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "exception" ADD CONSTRAINT "exception_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Merge of per-hop states: a hop keeps its most recent state (by its ISO timestamp "at").
CREATE FUNCTION "andon_merge_hops"(a JSONB, b JSONB) RETURNS JSONB
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT a || COALESCE(jsonb_object_agg(k, v), '{}'::jsonb)
  FROM jsonb_each(b) AS e(k, v)
  WHERE NOT (a ? k) OR (v->>'at') >= (a->k->>'at')
$$;
