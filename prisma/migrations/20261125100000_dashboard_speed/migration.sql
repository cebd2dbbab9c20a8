-- Daily rollups, compacted from the hourly ones: a 30-day range merges ~30 histograms per interface
-- and outcome instead of ~720 (bench/dashboard: 30-day plant metrics 468 ms → see README).
CREATE TABLE "telemetry_rollup_day" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "plant_id" UUID NOT NULL,
    "interface_id" UUID NOT NULL,
    "outcome" "event_outcome" NOT NULL,
    "count" BIGINT NOT NULL,
    "latency_sum" BIGINT NOT NULL,
    "latency_max" INTEGER NOT NULL,
    "histogram" INTEGER[],

    CONSTRAINT "telemetry_rollup_day_pkey" PRIMARY KEY ("plant_id","bucket","interface_id","outcome")
);

-- Open exceptions per plant and interface for dashboards, samples and alert rules (index-only).
-- Queries write the predicate as status NOT IN ('RESOLVED', 'DISCARDED') to use it; the queue's
-- text-cast filter deliberately does not (see 20261124110000_queue_search_indexes).
CREATE INDEX "exception_open_dashboard_idx" ON "exception" ("plant_id", "interface_id") INCLUDE ("severity", "category", "first_seen_at")
  WHERE "status" NOT IN ('RESOLVED', 'DISCARDED');
-- Opened and closed in the last hour, per plant.
CREATE INDEX "exception_plant_id_first_seen_at_idx" ON "exception" ("plant_id", "first_seen_at");
CREATE INDEX "exception_plant_id_resolved_at_idx" ON "exception" ("plant_id", "resolved_at") WHERE "resolved_at" IS NOT NULL;
-- Connector charts read samples index-only.
CREATE INDEX "connector_sample_connector_id_at_cover_idx" ON "connector_sample" ("connector_id", "at") INCLUDE ("heartbeat_age_s", "backlog");
