/**
 * Dashboards over a large telemetry history: the overview and plant-detail APIs, and the latency of a
 * live update from ingest to the browser's socket. Not a test: prints its figures.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/dashboard.ts [events=10000000] [runs=100]
 *
 * A fresh database: the seed's 4 plants each linked to all 12 interfaces of the catalog (48 plant ×
 * interface pairs) and N telemetry events over the last 30 days, generated in SQL a UTC day at a time
 * (the day's partition): uneven traffic across the pairs, more by day than by night, ~97 % delivered,
 * ~2 % failed, ~1 % retrying, log-normal latencies around a fraction of each interface's SLO (three
 * pairs slower, so some SLOs are breached). From each day's events, in SQL: its per-minute rollups
 * (shard 0, histograms with the bucket formula of server/metrics/histogram.ts, checked against
 * bucketOf()/record() on a sample), and a transaction + exception for every failed event (recent ones
 * mostly open, older ones mostly resolved: a backlog of a few thousand at 10M events). Per-minute
 * backlog and connector samples for the 30 days; the first hourly compaction (timed); VACUUM ANALYZE.
 *
 * Then the real server (production build, started like `npm start`, workers on): sequential requests
 * after a warm-up, p50/p95/p99/max of the HTTP round trip, as admin (4 plants) and a plant manager
 * (2 plants): GET /api/dashboard (target p95 < 150 ms), GET /api/plants/DE-HAM/metrics (30 d: target
 * p95 < 250 ms) and /series with an interface, over 24 h, 7 d and 30 d. Live: the manager's socket
 * joins DE-HAM's room; one failed event at a time is posted by DE-HAM's connector (random 300–600 ms
 * apart) and timed from the POST to the "exception.opened" item with its messageId (target p95 < 500 ms).
 *
 * BENCH_KEEP_DB=1 keeps the database (for EXPLAIN ANALYZE); BENCH_REUSE_DB=<url> measures a kept one
 * again without generating (its "last hour" has aged since).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import pg from "pg";
import { io as connectSocket, type Socket } from "socket.io-client";
import { ensureBuild } from "../scripts/ensure-build";
import { BUCKETS, GROWTH, bucketOf, emptyHistogram, record } from "../server/metrics/histogram";
import type { ClientToServerEvents, ServerToClientEvents, SubscribeResult } from "../server/realtime/events";
import { createFreshDatabase } from "../tests/support/database";
import { signIn, startPortal } from "./support/portal";
import { report } from "./support/results";

const N = Number(process.argv[2] ?? 10_000_000);
const RUNS = Number(process.argv[3] ?? 100);
const WARMUP = 10;
const LIVE_EVENTS = 100;
const DAY = 86_400_000;
const PLANT_CODES = ["DE-HAM", "US-CLT", "MX-MTY", "PL-WRO"];
const ERRORS = {
  TECHNICAL: [
    ["HTTP-503", "Target answered 503 Service Unavailable"],
    ["TIMEOUT", "No answer from the target within 30 s"],
    ["CONN-RESET", "Connection reset by peer"],
  ],
  BUSINESS: [
    ["M7-021", "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001"],
    ["VL-150", "Delivery quantity exceeds the open order quantity"],
    ["KI-235", "Account requires an assignment to a CO object"],
    ["ODOO-VALIDATION", "Field product_uom_qty must be positive"],
    ["QM-104", "Inspection lot is already closed"],
    ["MAT-LOCKED", "Material is locked by another user"],
    ["PERIOD-CLOSED", "Posting period is closed"],
  ],
} as const;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const fmt = (n: number) => n.toLocaleString("en");
const secs = (t0: number) => (performance.now() - t0) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bucket of server/metrics/histogram.ts bucketOf(), 0-based, in SQL (float8 as in JavaScript). */
const bucketSql = (col: string) => `CASE WHEN ${col} < 1 THEN 0 ELSE least(${BUCKETS - 1}, floor(ln(${col}::float8) / ln(${GROWTH}::float8))::int + 1) END`;

type Chunk = { from: Date; to: Date; full: boolean; first: number; count: number };

/** UTC days (the telemetry partitions) covering [now − 30 d, now); events in proportion to each day's length. */
function chunks(now: Date, total: number): Chunk[] {
  const start = now.getTime() - 30 * DAY;
  const out: Chunk[] = [];
  let assigned = 0;
  for (let t = start; t < now.getTime(); ) {
    const next = Math.min(now.getTime(), (Math.floor(t / DAY) + 1) * DAY);
    const count = next === now.getTime() ? total - assigned : Math.round((total * (next - t)) / (30 * DAY));
    out.push({ from: new Date(t), to: new Date(next), full: next - t === DAY, first: assigned + 1, count });
    assigned += count;
    t = next;
  }
  return out;
}

async function generate(url: string) {
  const c = new pg.Client({ connectionString: url, application_name: "andon-bench-generate" });
  await c.connect();
  const now = new Date();
  try {
    await c.query("SET synchronous_commit = off");
    await c.query("SET work_mem = '256MB'");
    await c.query("SET maintenance_work_mem = '512MB'");

    // 4 plants × the 12 interfaces of the catalog.
    const linked = await c.query(
      `INSERT INTO plant_interface (plant_id, interface_id)
       SELECT p.id, i.id FROM plant p CROSS JOIN (SELECT id FROM interface ORDER BY code LIMIT 12) i WHERE p.code = ANY($1) ON CONFLICT DO NOTHING`,
      [PLANT_CODES],
    );
    // Each pair: its connector (the plant's connector of the interface's source system, else the plant's first), the hop, a
    // traffic weight and a log-normal latency (median SLO / 40, σ 0.9: p95 ≈ SLO / 9; three pairs at SLO / 4: p95 ≈ 1.1 × SLO).
    await c.query(
      `CREATE TEMP TABLE bench_pair AS
       SELECT (row_number() OVER (ORDER BY p.code, i.code) - 1)::int AS n, p.id AS plant_id, p.code AS plant_code, i.id AS interface_id, i.code AS iface_code,
              i.criticality, i.source_system AS hop_source, COALESCE(i.target_systems[1], 'SAP_ERP'::system_kind) AS hop_target, i.latency_slo_ms AS slo,
              COALESCE((SELECT c.id FROM connector c JOIN plant_system s ON s.id = c.system_id WHERE c.plant_id = p.id AND s.kind = i.source_system),
                       (SELECT c.id FROM connector c WHERE c.plant_id = p.id ORDER BY c.name LIMIT 1)) AS connector_id
       FROM plant p JOIN plant_interface pi ON pi.plant_id = p.id JOIN interface i ON i.id = pi.interface_id WHERE p.code = ANY($1)`,
      [PLANT_CODES],
    );
    await c.query(`ALTER TABLE bench_pair ADD COLUMN mu float8, ADD COLUMN sigma float8 NOT NULL DEFAULT 0.9`);
    await c.query(`UPDATE bench_pair SET mu = ln(greatest(50, slo / CASE WHEN n % 17 = 5 THEN 4.0 ELSE 40.0 END))`);
    const pairs = (await c.query<{ n: number; plant_code: string; iface_code: string }>("SELECT n, plant_code, iface_code FROM bench_pair ORDER BY n")).rows;
    if (pairs.length !== 48) throw new Error(`expected 48 plant × interface pairs, found ${pairs.length}`);
    // 1,000 slots, each pair with a share in proportion to its weight (0.4 … 2.0): a uniform draw picks a pair.
    const weights = pairs.map((p) => 0.4 + (1.6 * ((p.n * 37) % 48)) / 47);
    const sum = weights.reduce((a, b) => a + b, 0);
    const slots: number[] = [];
    let acc = 0;
    weights.forEach((w, n) => {
      acc += w;
      while (slots.length < Math.round((acc / sum) * 1000)) slots.push(n);
    });
    console.log(`  linked ${linked.rowCount} plant × interface pairs (48 in all); generating ${fmt(N)} events over 30 days, a UTC day per step`);

    const days = chunks(now, N);
    await c.query("SELECT andon_ensure_telemetry_partitions($1::date, $2::date)", [
      days[0]!.from.toISOString().slice(0, 10),
      new Date(now.getTime() + 7 * DAY).toISOString().slice(0, 10),
    ]);
    const t0 = performance.now();
    let events = 0;
    let rollups = 0;
    let exceptions = 0;
    let eventSeconds = 0;
    for (const [k, d] of days.entries()) {
      const tDay = performance.now();
      // Events. Time of day: u + 0.5·sin(2πu)/2π maps a uniform draw to a density 3× higher at noon than at midnight (UTC).
      // Latency: exp(μ + σ·z), z standard normal (Box–Muller). Outcome 97 / 2 / 1 %; errors only on failures (as ingest requires).
      const ins = await c.query(
        `INSERT INTO telemetry_event (occurred_at, received_at, connector_id, plant_id, interface_id, event_id, correlation_id, message_id, business_key,
                                      hop_source, hop_target, outcome, latency_ms, attempt, error_category, error_code)
         SELECT x.ts, x.ts + x.lat * interval '1 millisecond', p.connector_id, p.plant_id, p.interface_id, 'gen-' || r.g, 'corr-' || r.g, 'MSG-' || r.g,
                'BK-' || lpad((r.g % 400000)::text, 6, '0'), p.hop_source, p.hop_target, x.outcome, x.lat,
                CASE x.outcome WHEN 'DELIVERED' THEN 1 + (r.ue > 0.97)::int WHEN 'FAILED' THEN 1 + floor(r.ue * 3)::int ELSE 2 + floor(r.ue * 3)::int END,
                CASE WHEN x.outcome = 'FAILED' THEN (CASE WHEN r.ue < 0.3 THEN 'TECHNICAL' ELSE 'BUSINESS' END)::error_category END,
                CASE WHEN x.outcome = 'FAILED' THEN CASE WHEN r.ue < 0.3 THEN ($6::text[])[1 + floor(r.ue / 0.1)::int] ELSE ($7::text[])[1 + floor((r.ue - 0.3) / 0.1)::int] END END
         FROM (SELECT g, random() AS ut, random() AS up, random() AS uo, random() AS u1, random() AS u2, random() AS ue FROM generate_series($1::bigint, $2::bigint) g) r
         JOIN bench_pair p ON p.n = ($5::int[])[1 + floor(r.up * 1000)::int]
         CROSS JOIN LATERAL (SELECT
           date_trunc('milliseconds', $3::timestamptz + $4::float8 * (CASE WHEN $8 THEN r.ut + 0.5 * sin(2 * pi() * r.ut) / (2 * pi()) ELSE r.ut END) * interval '1 second') AS ts,
           (CASE WHEN r.uo < 0.97 THEN 'DELIVERED' WHEN r.uo < 0.99 THEN 'FAILED' ELSE 'RETRYING' END)::event_outcome AS outcome,
           least(604800000, round(exp(p.mu + p.sigma * sqrt(-2 * ln(1 - r.u1)) * cos(2 * pi() * r.u2))))::int AS lat) x`,
        [
          d.first,
          d.first + d.count - 1,
          d.from,
          (d.to.getTime() - d.from.getTime()) / 1000,
          slots,
          ERRORS.TECHNICAL.map((e) => e[0]),
          ERRORS.BUSINESS.map((e) => e[0]),
          d.full,
        ],
      );
      events += ins.rowCount ?? 0;
      const tEvents = secs(tDay);
      eventSeconds += tEvents;

      // Per-minute rollups of the day, from its events: per (minute, plant, interface, outcome, bucket) counts, then each
      // group's histogram as an int[BUCKETS] literal (zeros between the non-empty buckets), index i + 1 for bucket i.
      const tRoll = performance.now();
      const roll = await c.query(
        `WITH hb AS (
           SELECT date_bin('1 minute', occurred_at, TIMESTAMPTZ '2000-01-01') AS bucket, plant_id, interface_id, outcome, ${bucketSql("latency_ms")} AS b,
                  count(*) AS n, sum(latency_ms) AS s, max(latency_ms) AS m
           FROM telemetry_event WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1, 2, 3, 4, 5
         ), hg AS (
           SELECT *, b - COALESCE(lag(b) OVER (PARTITION BY bucket, plant_id, interface_id, outcome ORDER BY b), -1) - 1 AS gap FROM hb
         )
         INSERT INTO telemetry_rollup_minute (bucket, plant_id, interface_id, outcome, shard, count, latency_sum, latency_max, histogram)
         SELECT bucket, plant_id, interface_id, outcome, 0, sum(n), sum(s), max(m),
                ('{' || string_agg(repeat('0,', gap::int) || n, ',' ORDER BY b) || repeat(',0', ${BUCKETS - 1} - max(b)) || '}')::int[]
         FROM hg GROUP BY 1, 2, 3, 4`,
        [d.from, d.to],
      );
      rollups += roll.rowCount ?? 0;
      const tRollS = secs(tRoll);

      // A transaction and an exception for every failed event. Open with a probability by age (< 1 h: all, < 4 h: half,
      // < 24 h: a fifth, older: 1 %); the others resolved 5 min – 4 h 5 min after (10 % of them discarded).
      const tEx = performance.now();
      const ex = await c.query(
        `WITH f AS (
           SELECT e.*, p.iface_code, p.criticality, h.u, h.u2, h.u3,
                  h.u < CASE WHEN e.occurred_at >= $3::timestamptz - interval '1 hour' THEN 1 WHEN e.occurred_at >= $3::timestamptz - interval '4 hours' THEN 0.5
                             WHEN e.occurred_at >= $3::timestamptz - interval '24 hours' THEN 0.2 ELSE 0.01 END AS open,
                  least($3::timestamptz - interval '1 minute', e.occurred_at + interval '5 minutes' + h.u2 * interval '4 hours') AS closed_at
           FROM telemetry_event e JOIN bench_pair p ON p.plant_id = e.plant_id AND p.interface_id = e.interface_id,
                LATERAL (SELECT (hashtext(e.message_id) & 1048575) / 1048576.0 AS u, (hashtext(e.message_id || '/2') & 1048575) / 1048576.0 AS u2,
                                (hashtext(e.message_id || '/3') & 1048575) / 1048576.0 AS u3) h
           WHERE e.occurred_at >= $1 AND e.occurred_at < $2 AND e.outcome = 'FAILED'
         ), msg AS (
           SELECT f.*, COALESCE((SELECT m.txt FROM unnest($4::text[], $5::text[]) AS m(code, txt) WHERE m.code = f.error_code), 'Failure')
                        || ' (message ' || f.message_id || ')' AS error_message,
                  CASE WHEN f.iface_code = 'QUALITY_HOLD' THEN 'CRITICAL' ELSE f.criticality::text END::severity AS severity,
                  NOT f.open AND f.u3 < 0.1 AS discarded
           FROM f
         ), t AS (
           INSERT INTO business_transaction (plant_id, interface_id, message_id, correlation_id, business_key, status, hops, first_seen_at, last_event_at,
                                             delivered_at, failed_at, latency_ms, attempts, payload, payload_hash, last_error)
           SELECT plant_id, interface_id, message_id, correlation_id, business_key,
                  (CASE WHEN open OR discarded THEN 'FAILED' ELSE 'DELIVERED' END)::transaction_status,
                  jsonb_build_object(hop_source || '>' || hop_target, jsonb_build_object('outcome', CASE WHEN open OR discarded THEN 'failed' ELSE 'delivered' END,
                                     'at', CASE WHEN open OR discarded THEN occurred_at ELSE closed_at END, 'latencyMs', latency_ms, 'attempt', attempt)),
                  occurred_at, CASE WHEN open OR discarded THEN occurred_at ELSE closed_at END, CASE WHEN open OR discarded THEN NULL ELSE closed_at END,
                  occurred_at, latency_ms, attempt,
                  jsonb_build_object('messageId', message_id, 'businessKey', business_key, 'quantity', 1 + floor(u2 * 100)::int, 'plant', '1000'),
                  md5(message_id), jsonb_build_object('category', lower(error_category::text), 'code', error_code, 'message', error_message, 'at', occurred_at)
           FROM msg
           RETURNING id, plant_id, interface_id, message_id
         )
         INSERT INTO exception (plant_id, interface_id, transaction_id, fingerprint, category, severity, status, error_code, error_message,
                                first_seen_at, last_seen_at, sla_due_at, resolved_at, resolution, created_at, updated_at)
         SELECT m.plant_id, m.interface_id, t.id, substr(md5(m.iface_code || '/' || m.error_code), 1, 20), m.error_category, m.severity,
                (CASE WHEN m.open THEN (CASE WHEN m.u3 < 0.6 THEN 'NEW' WHEN m.u3 < 0.8 THEN 'TRIAGED' WHEN m.u3 < 0.9 THEN 'CORRECTING' ELSE 'REPLAY_FAILED' END)
                      WHEN m.discarded THEN 'DISCARDED' ELSE 'RESOLVED' END)::exception_status,
                m.error_code, m.error_message, m.occurred_at, m.occurred_at,
                m.occurred_at + CASE m.severity WHEN 'CRITICAL' THEN interval '1 hour' WHEN 'HIGH' THEN interval '4 hours' WHEN 'MEDIUM' THEN interval '24 hours' ELSE interval '72 hours' END,
                CASE WHEN m.open THEN NULL ELSE m.closed_at END,
                CASE WHEN m.open THEN NULL WHEN m.discarded THEN 'discarded' WHEN m.u3 < 0.5 THEN 'recovered_at_source' ELSE 'replayed' END,
                m.occurred_at, CASE WHEN m.open THEN m.occurred_at ELSE m.closed_at END
         FROM t JOIN msg m USING (plant_id, interface_id, message_id)`,
        [d.from, d.to, now, [...ERRORS.TECHNICAL, ...ERRORS.BUSINESS].map((e) => e[0]), [...ERRORS.TECHNICAL, ...ERRORS.BUSINESS].map((e) => e[1])],
      );
      exceptions += ex.rowCount ?? 0;
      console.log(
        `  day ${String(k + 1).padStart(2)}/${days.length} ${d.from.toISOString().slice(0, 10)}: ${fmt(ins.rowCount ?? 0)} events ${tEvents.toFixed(1)} s ` +
          `(${fmt(Math.round((ins.rowCount ?? 0) / tEvents))}/s), ${fmt(roll.rowCount ?? 0)} minute rollups ${tRollS.toFixed(1)} s, ` +
          `${fmt(ex.rowCount ?? 0)} exceptions ${secs(tEx).toFixed(1)} s — total ${fmt(events)} in ${secs(t0).toFixed(0)} s`,
      );
    }
    const genSeconds = secs(t0);

    // Chart history: per-minute backlog samples per plant (around today's backlog by age) and connector samples.
    const tS = performance.now();
    const backlog = await c.query(
      `INSERT INTO backlog_sample (plant_id, at, lt15m, lt1h, lt4h, lt24h, older, technical, business)
       SELECT b.plant_id, m, round(b.a * (0.5 + random())), round(b.b * (0.6 + 0.8 * random())), round(b.c * (0.7 + 0.6 * random())),
              round(b.d * (0.8 + 0.4 * random())), round(b.e * (0.6 + 0.4 * extract(epoch FROM m - $1::timestamptz) / (30 * 86400))),
              round(b.tech * (0.8 + 0.4 * random())), round(b.bus * (0.8 + 0.4 * random()))
       FROM (SELECT p.id AS plant_id,
                    count(x.id) FILTER (WHERE x.first_seen_at >= $2::timestamptz - interval '15 minutes') AS a,
                    count(x.id) FILTER (WHERE x.first_seen_at < $2::timestamptz - interval '15 minutes' AND x.first_seen_at >= $2::timestamptz - interval '1 hour') AS b,
                    count(x.id) FILTER (WHERE x.first_seen_at < $2::timestamptz - interval '1 hour' AND x.first_seen_at >= $2::timestamptz - interval '4 hours') AS c,
                    count(x.id) FILTER (WHERE x.first_seen_at < $2::timestamptz - interval '4 hours' AND x.first_seen_at >= $2::timestamptz - interval '24 hours') AS d,
                    count(x.id) FILTER (WHERE x.first_seen_at < $2::timestamptz - interval '24 hours') AS e,
                    count(x.id) FILTER (WHERE x.category = 'TECHNICAL') AS tech, count(x.id) FILTER (WHERE x.category = 'BUSINESS') AS bus
             FROM plant p LEFT JOIN exception x ON x.plant_id = p.id AND x.status::text <> ALL(ARRAY['RESOLVED', 'DISCARDED']) GROUP BY p.id) b,
            generate_series(date_bin('1 minute', $1::timestamptz, TIMESTAMPTZ '2000-01-01'), $2::timestamptz - interval '1 minute', interval '1 minute') m`,
      [days[0]!.from, now],
    );
    const connectorSamples = await c.query(
      `INSERT INTO connector_sample (connector_id, at, plant_id, heartbeat_age_s, backlog)
       SELECT c.id, m, c.plant_id, CASE WHEN random() < 0.002 THEN 120 + floor(random() * 900) ELSE floor(random() * 30) END::int, floor(power(random(), 4) * 40)::int
       FROM connector c, generate_series(date_bin('1 minute', $1::timestamptz, TIMESTAMPTZ '2000-01-01'), $2::timestamptz - interval '1 minute', interval '1 minute') m`,
      [days[0]!.from, now],
    );
    await c.query("UPDATE connector SET last_heartbeat_at = now(), reported_backlog = floor(random() * 5)::int, state = 'ONLINE'");
    console.log(`  samples: ${fmt(backlog.rowCount ?? 0)} backlog, ${fmt(connectorSamples.rowCount ?? 0)} connector (${secs(tS).toFixed(1)} s)`);

    await verifyHistograms(c, rollups);

    const open = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM exception WHERE status NOT IN ('RESOLVED', 'DISCARDED')");
    console.log(
      `  generated ${fmt(events)} events in ${genSeconds.toFixed(0)} s (${fmt(Math.round(events / genSeconds))} events/s with rollups and exceptions; ` +
        `inserts alone ${fmt(Math.round(events / eventSeconds))}/s): ${fmt(rollups)} minute rollups, ${fmt(exceptions)} exceptions (${fmt(open.rows[0]!.n)} open)`,
    );
    return { now, events, rollups, exceptions, open: open.rows[0]!.n, genSeconds };
  } finally {
    await c.end();
  }
}

/** The SQL bucket formula against bucketOf() (every latency of a day and edge values), and stored rollups against record(). */
async function verifyHistograms(c: pg.Client, rollupRows: number) {
  const t0 = performance.now();
  const { rows: lat } = await c.query<{ l: number; b: number }>(
    `SELECT l, ${bucketSql("l")} AS b FROM (
       SELECT generate_series(0, 20000) AS l UNION SELECT unnest($1::int[])
       UNION SELECT latency_ms FROM telemetry_event WHERE occurred_at >= (SELECT max(occurred_at) FROM telemetry_event) - interval '1 day'
     ) x`,
    [
      [
        604_799_999,
        604_800_000,
        700_000_000,
        2_147_483_647,
        ...Array.from({ length: 200 }, (_, i) => Math.floor(GROWTH ** i)),
        ...Array.from({ length: 200 }, (_, i) => Math.ceil(GROWTH ** i)),
      ],
    ],
  );
  const badBucket = lat.filter((r) => bucketOf(r.l) !== r.b);
  if (badBucket.length) throw new Error(`SQL bucket differs from bucketOf() for ${badBucket.length} latencies, e.g. ${JSON.stringify(badBucket.slice(0, 5))}`);
  const percent = Math.min(100, Math.max(0.001, (400 / Math.max(1, rollupRows)) * 100));
  const { rows: sample } = await c.query<{
    bucket: Date;
    plant_id: string;
    interface_id: string;
    outcome: string;
    count: string;
    latency_sum: string;
    latency_max: number;
    histogram: number[];
  }>(`SELECT * FROM telemetry_rollup_minute TABLESAMPLE SYSTEM (${percent}) REPEATABLE (7) LIMIT 300`);
  const failed = await c.query<(typeof sample)[number]>(
    "SELECT * FROM telemetry_rollup_minute WHERE outcome = 'FAILED' AND bucket >= now() - interval '2 hours' LIMIT 30",
  );
  const rows = [...sample, ...failed.rows];
  let events = 0;
  for (const r of rows) {
    const { rows: raw } = await c.query<{ latency_ms: number }>(
      `SELECT latency_ms FROM telemetry_event WHERE occurred_at >= $1 AND occurred_at < $1::timestamptz + interval '1 minute' AND plant_id = $2 AND interface_id = $3 AND outcome = $4`,
      [r.bucket, r.plant_id, r.interface_id, r.outcome],
    );
    const hist = emptyHistogram();
    for (const e of raw) record(hist, e.latency_ms);
    events += raw.length;
    const same = r.histogram.length === BUCKETS && hist.every((n, i) => n === r.histogram[i]);
    const sum = raw.reduce((s, e) => s + e.latency_ms, 0);
    const max = raw.reduce((m, e) => Math.max(m, e.latency_ms), 0);
    if (!same || Number(r.count) !== raw.length || Number(r.latency_sum) !== sum || r.latency_max !== max) {
      throw new Error(
        `rollup ${r.bucket.toISOString()} ${r.outcome} differs from its events: count ${r.count} vs ${raw.length}, sum ${r.latency_sum} vs ${sum}, max ${r.latency_max} vs ${max}, histogram equal: ${same}`,
      );
    }
  }
  console.log(
    `  histogram check: SQL bucket = bucketOf() for ${fmt(lat.length)} latencies; ${rows.length} sampled minute rollups (${fmt(events)} events) ` +
      `= record() over their events, with count, sum and max (${secs(t0).toFixed(1)} s)`,
  );
}

type Figure = { name: string; n: number; p50: number; p95: number; p99: number; max: number; target?: number; note?: string };

function figure(name: string, times: number[], target?: number, note?: string): Figure {
  const s = [...times].sort((a, b) => a - b);
  return { name, n: s.length, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s[s.length - 1]!, target, note };
}

function printFigure(f: Figure) {
  const verdict = f.target === undefined ? "" : f.p95 < f.target ? ` (target p95 < ${f.target} ms: met)` : ` (target p95 < ${f.target} ms: NOT MET)`;
  console.log(
    `  ${f.name.padEnd(66)} p50 ${f.p50.toFixed(1).padStart(7)}  p95 ${f.p95.toFixed(1).padStart(7)}  p99 ${f.p99.toFixed(1).padStart(7)}  max ${f.max.toFixed(1).padStart(7)} ms${verdict}${f.note ? `  ${f.note}` : ""}`,
  );
}

async function measureApi(baseUrl: string, cookie: string, name: string, path: string, check: (body: unknown) => string, target?: number): Promise<Figure> {
  const get = async () => {
    const t = performance.now();
    const res = await fetch(`${baseUrl}${path}`, { headers: { cookie } });
    const text = await res.text();
    const ms = performance.now() - t;
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return { ms, body: JSON.parse(text) as unknown, bytes: text.length };
  };
  let last = await get();
  for (let i = 1; i < WARMUP; i++) last = await get();
  const note = `${check(last.body)}, ${(last.bytes / 1024).toFixed(0)} KB`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await get()).ms);
  const f = figure(name, times, target, note);
  printFigure(f);
  return f;
}

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One failed event at a time from DE-HAM's connector; the time from the POST to its "exception.opened" item on the manager's socket. */
async function measureLive(baseUrl: string, cookie: string, plantId: string, connectorKey: string): Promise<{ live: Figure; http: Figure; missed: number }> {
  const socket: ClientSocket = connectSocket(baseUrl, {
    path: "/socket.io",
    transports: ["websocket"],
    extraHeaders: { cookie },
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(err));
  });
  const waiting = new Map<string, (at: number) => void>();
  socket.on("exception.opened", (batch) => {
    const at = performance.now();
    for (const item of batch.items) waiting.get(item.messageId)?.(at);
  });
  try {
    const joined = await new Promise<SubscribeResult>((resolve) => socket.emit("plants.subscribe", [plantId], resolve));
    if (!joined.joined.includes(plantId)) throw new Error(`the manager could not join DE-HAM's room: ${JSON.stringify(joined)}`);
    const one = async (i: number) => {
      const messageId = `LIVE-${i}-${randomUUID().slice(0, 8)}`;
      const event = {
        eventId: randomUUID(),
        correlationId: `corr-${messageId}`,
        messageId,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        businessKey: `ORD-${100000 + i}`,
        occurredAt: new Date().toISOString(),
        outcome: "failed",
        latencyMs: 850,
        attempt: 1,
        error: { category: "business", code: "M7-021", message: `Deficit of SL Unrestricted-use ${i} PC : RM-4711 1000 0001` },
        payload: { control: { DOCNUM: String(9_000_000 + i).padStart(16, "0") }, item: { MATERIAL: "RM-4711", PLANT: "1000", QUANTITY: 1 + (i % 50) } },
      };
      const arrived = new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(messageId);
          resolve(null);
        }, 10_000);
        waiting.set(messageId, (at) => {
          clearTimeout(timer);
          waiting.delete(messageId);
          resolve(at);
        });
      });
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/api/ingest/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${connectorKey}`, "content-type": "application/json" },
        body: JSON.stringify([event]),
      });
      const httpMs = performance.now() - t0;
      const r = (await res.json()) as { accepted: number; rejected: unknown[] };
      if (!res.ok || r.accepted !== 1) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(r)}`);
      const at = await arrived;
      return { liveMs: at === null ? null : at - t0, httpMs };
    };
    for (let i = 0; i < 5; i++) await one(-1 - i); // warm-up: not counted
    await sleep(500);
    // Sent on their own schedule (random 300–600 ms apart), so the 250 ms coalescing window is met at every phase.
    const pending: Promise<{ liveMs: number | null; httpMs: number }>[] = [];
    for (let i = 0; i < LIVE_EVENTS; i++) {
      pending.push(one(i));
      await sleep(300 + Math.random() * 300);
    }
    const results = await Promise.all(pending);
    const got = results.filter((r) => r.liveMs !== null).map((r) => r.liveMs!);
    return {
      live: figure('live: ingest POST → "exception.opened" on the socket', got, 500, `${got.length}/${LIVE_EVENTS} arrived`),
      http: figure(
        "  (the ingest POST's own round trip)",
        results.map((r) => r.httpMs),
      ),
      missed: LIVE_EVENTS - got.length,
    };
  } finally {
    socket.close();
  }
}

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  ensureBuild();
  const reuse = process.env.BENCH_REUSE_DB;
  const fresh = reuse ? { url: reuse, drop: async () => {} } : await createFreshDatabase(base, "andon_bench_dash");
  const dbName = new URL(fresh.url).pathname.slice(1);
  let keep = Boolean(process.env.BENCH_KEEP_DB) || Boolean(reuse);
  let portal: Awaited<ReturnType<typeof startPortal>> | undefined;
  try {
    console.log(
      `dashboard benchmark: ${reuse ? `re-measuring kept database ${dbName}` : `${fmt(N)} events, database ${dbName}`}, ${RUNS} requests per scenario after ${WARMUP} warm-up`,
    );
    let gen: Awaited<ReturnType<typeof generate>> | undefined;
    let compaction: { seconds: number; rows: number } | undefined;
    if (!reuse) {
      // Seed (reference data, demo users) and compact in this process, on the bench database, before the portal's workers start.
      process.env.DATABASE_URL = fresh.url;
      process.env.LOG_LEVEL ??= "warn";
      const { reloadConfig } = await import("../server/config");
      reloadConfig();
      const { db, closeDb } = await import("../server/db");
      const { seedDemoUsers, seedReference } = await import("../prisma/seed");
      const { compactHourly } = await import("../server/dashboards/rollup");
      await seedReference(db());
      await seedDemoUsers(db());
      gen = await generate(fresh.url);
      const t0 = performance.now();
      const r = await compactHourly();
      compaction = { seconds: secs(t0), rows: r.rows };
      console.log(
        `  first hourly compaction (compactHourly over 30 days): ${compaction.seconds.toFixed(1)} s, ${fmt(r.rows)} hour and day rows, watermark ${r.until.toISOString()}`,
      );
      await closeDb();
      process.env.DATABASE_URL = base;
      const c = new pg.Client({ connectionString: fresh.url });
      await c.connect();
      const t1 = performance.now();
      await c.query("SET maintenance_work_mem = '512MB'");
      await c.query(
        "VACUUM ANALYZE telemetry_rollup_minute, telemetry_rollup_hour, telemetry_rollup_day, exception, business_transaction, backlog_sample, connector_sample, plant_interface",
      );
      await c.query("ANALYZE telemetry_event");
      console.log(`  VACUUM ANALYZE: ${secs(t1).toFixed(1)} s`);
      await c.end();
    }
    const info = new pg.Client({ connectionString: fresh.url });
    await info.connect();
    const pgVersion = (await info.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    const sizes = (
      await info.query<{ name: string; size: string }>(
        `SELECT t AS name, pg_size_pretty(pg_total_relation_size(t::regclass) + COALESCE((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = t::regclass), 0)) AS size
       FROM unnest(ARRAY['telemetry_event', 'telemetry_rollup_minute', 'telemetry_rollup_hour', 'telemetry_rollup_day', 'exception', 'business_transaction']) t`,
      )
    ).rows;
    const ids = (await info.query<{ id: string }>("SELECT id FROM plant WHERE code = 'DE-HAM'")).rows[0]!.id;
    await info.end();
    console.log(`  sizes: ${sizes.map((s) => `${s.name} ${s.size}`).join(", ")}`);

    portal = await startPortal(fresh.url);
    const { baseUrl } = portal;
    const admin = await signIn(baseUrl, "admin@andon.local");
    const manager = await signIn(baseUrl, "manager@andon.local");
    const plants = (n: number) => (body: unknown) => {
      const got = (body as { plants: unknown[] }).plants.length;
      if (got !== n) throw new Error(`overview lists ${got} plants, expected ${n}`);
      return `${got} plants`;
    };
    const ifaces = (body: unknown) => {
      const list = (body as { interfaces: { delivered: number }[] }).interfaces;
      return `${list.length} interfaces, ${fmt(list.reduce((n, i) => n + i.delivered, 0))} delivered`;
    };
    const points = (body: unknown) => {
      const s = body as { traffic: { delivered: number }[]; backlog: unknown[]; stepMs: number };
      return `${s.traffic.length} points of ${s.stepMs / 60_000} min, ${fmt(s.traffic.reduce((n, p) => n + p.delivered, 0))} delivered`;
    };
    console.log(`\nHTTP (sequential, ${WARMUP} warm-up + ${RUNS} measured each):`);
    const figures: Figure[] = [];
    figures.push(await measureApi(baseUrl, admin, "GET /api/dashboard (admin)", "/api/dashboard", plants(4), 150));
    figures.push(await measureApi(baseUrl, manager, "GET /api/dashboard (manager)", "/api/dashboard", plants(2), 150));
    for (const range of ["24h", "7d", "30d"]) {
      figures.push(
        await measureApi(
          baseUrl,
          admin,
          `GET /api/plants/DE-HAM/metrics?range=${range}`,
          `/api/plants/DE-HAM/metrics?range=${range}`,
          ifaces,
          range === "30d" ? 250 : undefined,
        ),
      );
    }
    figures.push(await measureApi(baseUrl, manager, "GET /api/plants/DE-HAM/metrics?range=30d (manager)", "/api/plants/DE-HAM/metrics?range=30d", ifaces, 250));
    for (const range of ["24h", "7d", "30d"]) {
      figures.push(
        await measureApi(
          baseUrl,
          admin,
          `GET /api/plants/DE-HAM/series?range=${range}&interface=GOODS_MOVEMENT`,
          `/api/plants/DE-HAM/series?range=${range}&interface=GOODS_MOVEMENT`,
          points,
        ),
      );
    }
    figures.push(await measureApi(baseUrl, admin, "GET /api/plants/DE-HAM/series?range=30d (all interfaces)", "/api/plants/DE-HAM/series?range=30d", points));

    console.log(`\nLive (manager's socket on DE-HAM, ${LIVE_EVENTS} failed events 300–600 ms apart):`);
    const keys = JSON.parse(readFileSync(".andon/bench/demo-connector-keys.json", "utf8")) as Record<
      string,
      { key: string; plantCode: string; system: string }
    >;
    const key = Object.values(keys).find((k) => k.plantCode === "DE-HAM" && k.system === "ODOO")!.key;
    const live = await measureLive(baseUrl, manager, ids, key);
    printFigure(live.live);
    printFigure(live.http);
    figures.push(live.live);

    const command = `DATABASE_URL=${base.replace(/:[^:@/]+@/, ":***@")} npx tsx bench/dashboard.ts ${process.argv.slice(2).join(" ")}`.trim();
    console.log("\nSummary");
    console.log(`  machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}, PostgreSQL ${pgVersion}`);
    console.log(`  command: ${reuse ? `BENCH_REUSE_DB=${reuse} ` : ""}${command}`);
    if (gen) {
      console.log(
        `  data: ${fmt(gen.events)} events over 30 days, 4 plants × 12 interfaces; ${fmt(gen.rollups)} minute rollups; ${fmt(gen.exceptions)} exceptions (${fmt(gen.open)} open)`,
      );
      console.log(
        `  generation: ${gen.genSeconds.toFixed(0)} s (${fmt(Math.round(gen.events / gen.genSeconds))} events/s incl. rollups and exceptions); first hourly compaction ${compaction!.seconds.toFixed(1)} s (${fmt(compaction!.rows)} hour rows)`,
      );
    }
    console.log(`  ${"scenario".padEnd(66)} | ${"p50".padStart(7)} | ${"p95".padStart(7)} | ${"p99".padStart(7)} | ${"max".padStart(7)} | target p95 | met`);
    for (const f of figures) {
      const target = f.target === undefined ? "—" : `< ${f.target} ms`;
      const met = f.target === undefined ? "" : f.p95 < f.target ? "yes" : "NO";
      console.log(
        `  ${f.name.padEnd(66)} | ${f.p50.toFixed(1).padStart(7)} | ${f.p95.toFixed(1).padStart(7)} | ${f.p99.toFixed(1).padStart(7)} | ${f.max.toFixed(1).padStart(7)} | ${target.padEnd(10)} | ${met}`,
      );
    }
    if (live.missed) console.log(`  live: ${live.missed} of ${LIVE_EVENTS} events never arrived on the socket within 10 s`);
    report({
      bench: "dashboard",
      params: gen
        ? `${fmt(gen.events)} events over 30 days, 4 plants × 12 interfaces, ${fmt(gen.open)} open exceptions; ${RUNS} requests per scenario`
        : `re-measured kept database; ${RUNS} requests per scenario`,
      figures: [
        ...figures.map((f) => ({
          name: `${f.name} p95`,
          value: Number(f.p95.toFixed(1)),
          unit: "ms",
          ...(f.target === undefined ? {} : { target: `< ${f.target} ms`, met: f.p95 < f.target }),
        })),
        { name: "live events never delivered (10 s)", value: live.missed, unit: `of ${LIVE_EVENTS}`, target: "= 0", met: live.missed === 0 },
      ],
    });
  } catch (err) {
    if (process.env.BENCH_KEEP_DB_ON_ERROR) keep = true;
    throw err;
  } finally {
    await portal?.stop();
    if (keep) console.log(`kept the database for analysis: ${fresh.url}`);
    else await fresh.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
