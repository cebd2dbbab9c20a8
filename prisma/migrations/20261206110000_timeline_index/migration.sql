-- The timeline of one business message (server/transactions/timeline.ts) reads its telemetry by plant
-- and correlation id. Without an index it scanned every event between the message's earliest and latest
-- times: one back-dated event made that a month of telemetry. With it, each day partition in the window
-- is one index probe. Created on the partitioned table: every partition gets it, and so do the day
-- partitions created later (andon_ensure_telemetry_partitions).
CREATE INDEX "telemetry_event_plant_id_correlation_id_occurred_at_idx" ON "telemetry_event" ("plant_id", "correlation_id", "occurred_at");
