-- Hourly rollups: compacted from the per-minute rollups by a job (server/dashboards/rollup.ts) so a
-- 30-day range reads ~720 rows per interface instead of ~43,000 × shards.
CREATE TABLE "telemetry_rollup_hour" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "plant_id" UUID NOT NULL,
    "interface_id" UUID NOT NULL,
    "outcome" "event_outcome" NOT NULL,
    "count" BIGINT NOT NULL,
    "latency_sum" BIGINT NOT NULL,
    "latency_max" INTEGER NOT NULL,
    "histogram" INTEGER[],

    CONSTRAINT "telemetry_rollup_hour_pkey" PRIMARY KEY ("plant_id","bucket","interface_id","outcome")
);

-- Hours that received late telemetry after they were compacted: recompacted by the next run.
CREATE TABLE "telemetry_rollup_dirty" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "plant_id" UUID NOT NULL,

    CONSTRAINT "telemetry_rollup_dirty_pkey" PRIMARY KEY ("hour","plant_id")
);

-- High-water marks of background jobs (e.g. hourly compaction done up to …).
CREATE TABLE "job_watermark" (
    "name" TEXT NOT NULL,
    "until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_watermark_pkey" PRIMARY KEY ("name")
);

-- Element-wise sum aggregate of histograms (compaction).
CREATE AGGREGATE "andon_histogram_sum"(INTEGER[]) (SFUNC = "andon_histogram_add", STYPE = INTEGER[]);

-- Per-minute samples of each plant's open backlog by age and category (backlog over time).
CREATE TABLE "backlog_sample" (
    "plant_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "lt15m" INTEGER NOT NULL,
    "lt1h" INTEGER NOT NULL,
    "lt4h" INTEGER NOT NULL,
    "lt24h" INTEGER NOT NULL,
    "older" INTEGER NOT NULL,
    "technical" INTEGER NOT NULL,
    "business" INTEGER NOT NULL,

    CONSTRAINT "backlog_sample_pkey" PRIMARY KEY ("plant_id","at")
);

-- Per-minute samples of each connector's heartbeat age and reported backlog.
CREATE TABLE "connector_sample" (
    "connector_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "plant_id" UUID NOT NULL,
    "heartbeat_age_s" INTEGER,
    "backlog" INTEGER,

    CONSTRAINT "connector_sample_pkey" PRIMARY KEY ("connector_id","at")
);
CREATE INDEX "connector_sample_plant_id_at_idx" ON "connector_sample"("plant_id", "at");

-- Alerts
CREATE TYPE "alert_rule_kind" AS ENUM ('BACKLOG_ABOVE', 'OLDEST_ABOVE', 'P95_ABOVE_SLO', 'FAILURE_RATE_ABOVE', 'CONNECTOR_SILENT');
CREATE TYPE "alert_status" AS ENUM ('FIRING', 'ACKNOWLEDGED', 'RESOLVED');
CREATE TYPE "notification_status" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

CREATE TABLE "alert_rule" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "kind" "alert_rule_kind" NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "window_minutes" INTEGER NOT NULL DEFAULT 15,
    "plant_id" UUID,
    "interface_id" UUID,
    "criticality" "criticality",
    "severity" "severity" NOT NULL DEFAULT 'HIGH',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_rule_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "alert_rule_values" CHECK ("threshold" >= 0 AND "window_minutes" BETWEEN 1 AND 1440)
);

CREATE TABLE "alert" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "rule_id" UUID NOT NULL,
    "plant_id" UUID NOT NULL,
    "subject_key" TEXT NOT NULL,
    "subject_label" TEXT NOT NULL,
    "status" "alert_status" NOT NULL DEFAULT 'FIRING',
    "severity" "severity" NOT NULL,
    "message" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_evaluated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by_id" UUID,
    "assignee_id" UUID,
    "resolved_at" TIMESTAMPTZ(3),
    "resolved_by_id" UUID,
    "condition_cleared_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);
-- At most one open alert per rule and subject: the evaluator can never notify twice for one episode.
CREATE UNIQUE INDEX "alert_open_per_subject" ON "alert"("rule_id", "subject_key") WHERE "status" <> 'RESOLVED';
CREATE INDEX "alert_plant_id_status_fired_at_idx" ON "alert"("plant_id", "status", "fired_at");
CREATE INDEX "alert_rule_id_subject_key_fired_at_idx" ON "alert"("rule_id", "subject_key", "fired_at");

CREATE TABLE "alert_webhook" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "plant_id" UUID,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_webhook_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "alert_notification" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "alert_id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "status" "notification_status" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_notification_pkey" PRIMARY KEY ("id")
);
-- One notification per alert, webhook and event (fired / resolved): retries reuse it.
CREATE UNIQUE INDEX "alert_notification_alert_id_webhook_id_event_key" ON "alert_notification"("alert_id", "webhook_id", "event");

ALTER TABLE "alert_rule" ADD CONSTRAINT "alert_rule_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert_rule" ADD CONSTRAINT "alert_rule_interface_id_fkey" FOREIGN KEY ("interface_id") REFERENCES "interface"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert" ADD CONSTRAINT "alert_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rule"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert" ADD CONSTRAINT "alert_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert" ADD CONSTRAINT "alert_acknowledged_by_id_fkey" FOREIGN KEY ("acknowledged_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "alert" ADD CONSTRAINT "alert_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "alert" ADD CONSTRAINT "alert_resolved_by_id_fkey" FOREIGN KEY ("resolved_by_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "alert_webhook" ADD CONSTRAINT "alert_webhook_plant_id_fkey" FOREIGN KEY ("plant_id") REFERENCES "plant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert_notification" ADD CONSTRAINT "alert_notification_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "alert_notification" ADD CONSTRAINT "alert_notification_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "alert_webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;
