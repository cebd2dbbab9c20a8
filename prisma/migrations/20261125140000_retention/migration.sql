-- Retention policy (one row, edited by administrators, audited).
CREATE TABLE "retention_policy" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "telemetry_days" INTEGER NOT NULL DEFAULT 90,
    "payload_days" INTEGER NOT NULL DEFAULT 365,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "retention_policy_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "retention_policy_single_row" CHECK ("id" = 1),
    CONSTRAINT "retention_policy_values" CHECK ("telemetry_days" BETWEEN 31 AND 3650 AND "payload_days" BETWEEN 30 AND 36500)
);
INSERT INTO "retention_policy" ("id") VALUES (1);

-- Redacted payloads keep their hash (the audit chain refers to hashes, never to payloads).
ALTER TABLE "business_transaction" ADD COLUMN "payload_redacted_at" TIMESTAMPTZ(3);

-- Drops whole day partitions of telemetry that end on or before `before_day` (UTC). Runs with its
-- owner's rights, so the application role needs no DDL right. Returns the partitions dropped.
CREATE FUNCTION "andon_drop_telemetry_partitions"(before_day DATE) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  part RECORD;
  dropped INTEGER := 0;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'telemetry_event'::regclass AND c.relname ~ '^telemetry_event_p[0-9]{8}$'
      AND to_date(substring(c.relname FROM 18 FOR 8), 'YYYYMMDD') < before_day
  LOOP
    EXECUTE format('DROP TABLE %I', part.relname);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END;
$$;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'andon_app') THEN
    EXECUTE 'GRANT EXECUTE ON FUNCTION andon_drop_telemetry_partitions(DATE) TO andon_app';
  END IF;
END $$;
