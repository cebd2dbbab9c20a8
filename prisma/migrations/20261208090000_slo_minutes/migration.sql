-- The latency SLO judged minute by minute over any range (issue 17): an hour row of delivered messages
-- keeps, for each of its 60 minutes, the histogram bucket holding that minute's p95 (shards merged), the
-- minutes that had deliveries as a bit mask, and the highest of those buckets. Judging a range against
-- any SLO then reads one small array per hour (only where the hour's highest minute is above the SLO)
-- instead of every minute's histogram. Day rows need none: the SLO reads hours, never days.
ALTER TABLE "telemetry_rollup_hour"
  ADD COLUMN "minute_p95" SMALLINT[],
  ADD COLUMN "minutes_active" BIGINT,
  ADD COLUMN "minute_p95_max" SMALLINT;

-- The 0-based bucket holding a histogram's q-quantile by nearest rank, as percentile() in
-- server/metrics/histogram.ts computes it (rank = max(1, ceil(q · n)) in float8); NULL when empty.
CREATE FUNCTION "andon_histogram_rank"(h INTEGER[], q FLOAT8) RETURNS SMALLINT
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  total BIGINT := 0;
  seen BIGINT := 0;
  wanted FLOAT8;
  i INTEGER;
BEGIN
  IF h IS NULL THEN RETURN NULL; END IF;
  FOR i IN 1 .. coalesce(array_length(h, 1), 0) LOOP total := total + coalesce(h[i], 0); END LOOP;
  IF total = 0 THEN RETURN NULL; END IF;
  wanted := greatest(1, ceil(q * total));
  FOR i IN 1 .. array_length(h, 1) LOOP
    seen := seen + coalesce(h[i], 0);
    IF seen >= wanted THEN RETURN (i - 1)::SMALLINT; END IF;
  END LOOP;
  RETURN NULL;
END $$;

-- Sets element `minute` (0-59) of a 60-minute array: the state of andon_minute_array.
CREATE FUNCTION "andon_minute_set"(s SMALLINT[], minute INTEGER, v SMALLINT) RETURNS SMALLINT[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF s IS NULL THEN s := array_fill(NULL::SMALLINT, ARRAY[60]); END IF;
  s[minute + 1] := v;
  RETURN s;
END $$;

-- The minutes of an hour as one array, element m + 1 for minute m (NULL where no value).
CREATE AGGREGATE "andon_minute_array"(INTEGER, SMALLINT) (SFUNC = "andon_minute_set", STYPE = SMALLINT[]);

-- The hour rows compacted before this migration, from their minutes (kept for the whole retention).
WITH pm AS (
  SELECT bucket, plant_id, interface_id, andon_histogram_rank(andon_histogram_sum(histogram), 0.95) AS p95
  FROM telemetry_rollup_minute
  WHERE outcome = 'DELIVERED' AND count > 0
    AND bucket < (SELECT coalesce(max(until), '-infinity'::timestamptz) FROM job_watermark WHERE name = 'rollup.hour')
  GROUP BY 1, 2, 3
), ph AS (
  SELECT date_bin('1 hour', bucket, TIMESTAMPTZ '2000-01-01 00:00:00Z') AS hour, plant_id, interface_id,
         andon_minute_array(((extract(epoch FROM bucket)::BIGINT / 60) % 60)::INTEGER, p95) AS minute_p95,
         bit_or(1::BIGINT << ((extract(epoch FROM bucket)::BIGINT / 60) % 60)::INTEGER) AS minutes_active,
         max(p95) AS minute_p95_max
  FROM pm WHERE p95 IS NOT NULL GROUP BY 1, 2, 3
)
UPDATE telemetry_rollup_hour h
SET minute_p95 = ph.minute_p95, minutes_active = ph.minutes_active, minute_p95_max = ph.minute_p95_max
FROM ph
WHERE h.bucket = ph.hour AND h.plant_id = ph.plant_id AND h.interface_id = ph.interface_id AND h.outcome = 'DELIVERED';
