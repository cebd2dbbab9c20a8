/**
 * Traceability over a large history: the API of a lot's, an order's and a PO's page (server/trace) over 1M
 * transactions and 5M telemetry events. Not a test: prints its figures.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:trace -- [transactions=1000000] [runs=200]
 *
 * A fresh database (migrated, reference data and demo users seeded), then in SQL, 100,000 transactions a step:
 * N transactions over the last 30 days across the 4 plants × 12 interfaces, 5 telemetry events each (received,
 * retrying, failed or delivered… with one correlation id: 5N events in the day partitions), 3 typed references
 * each (a lot shared by ~5 transactions, an order + operation by ~10, a PO + line by ~20 — spread over time and
 * plants, as numbers are), 2 % failed with an exception and 3 audit events (opened, correction approved, replay
 * requested); VACUUM ANALYZE. Then traceObject() — what GET /api/trace/<kind>/<value> answers, without the HTTP
 * round trip — for random lots, orders and POs, as the auditor (all plants) and a plant manager (2 plants), with
 * the JSON serialisation of the answer: p50/p95/p99/max (target p95 < 150 ms). BENCH_HTTP=1 adds the HTTP round
 * trip of the API and of the page's HTML through the real server (production build, started like `npm start`).
 * BENCH_KEEP_DB=1 keeps the database; BENCH_REUSE_DB=<url> measures a kept one again without generating (same N).
 */
import pg from "pg";
import { createFreshDatabase } from "../tests/support/database";
import { report, against } from "./support/results";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 200);
const WARMUP = 20;
const STEP = 100_000;
const LOTS = Math.max(1, Math.floor(N / 5));
const ORDERS = Math.max(1, Math.floor(N / 10));
const POS = Math.max(1, Math.floor(N / 20));
const DAY = 86_400_000;
const fmt = (n: number) => n.toLocaleString("en");
const secs = (t0: number) => (performance.now() - t0) / 1000;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** Spread a transaction number over the objects (a multiplicative hash: one object's transactions lie apart in time and plants). */
const spread = (g: string, prime: number, modulo: number) => `((${g}::bigint * ${prime}) % ${modulo})`;

async function generate(url: string) {
  const c = new pg.Client({ connectionString: url, application_name: "andon-bench-trace" });
  await c.connect();
  const now = Date.now();
  try {
    await c.query("SET synchronous_commit = off");
    await c.query("SET work_mem = '256MB'");
    await c.query("SET maintenance_work_mem = '512MB'");
    await c.query(
      `INSERT INTO plant_interface (plant_id, interface_id)
       SELECT p.id, i.id FROM plant p CROSS JOIN (SELECT id FROM interface ORDER BY code LIMIT 12) i ON CONFLICT DO NOTHING`,
    );
    await c.query(
      `CREATE TEMP TABLE bench_pair AS
       SELECT (row_number() OVER (ORDER BY p.code, i.code) - 1)::int AS n, p.id AS plant_id, i.id AS interface_id, i.source_system AS hop_source,
              COALESCE(i.target_systems[1], 'SAP_ERP'::system_kind) AS hop_target,
              (SELECT c.id FROM connector c WHERE c.plant_id = p.id ORDER BY c.name LIMIT 1) AS connector_id
       FROM plant p JOIN plant_interface pi ON pi.plant_id = p.id JOIN interface i ON i.id = pi.interface_id`,
    );
    const pairs = (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM bench_pair")).rows[0]!.n;
    const from = new Date(now - 30 * DAY + 60_000);
    await c.query("SELECT andon_ensure_telemetry_partitions($1::date, $2::date)", [
      from.toISOString().slice(0, 10),
      new Date(now + 7 * DAY).toISOString().slice(0, 10),
    ]);
    console.log(`  ${pairs} plant × interface pairs; generating ${fmt(N)} transactions, ${fmt(5 * N)} telemetry events, ${fmt(3 * N)} references`);
    const t0 = performance.now();
    for (let first = 1; first <= N; first += STEP) {
      const last = Math.min(N, first + STEP - 1);
      const tStep = performance.now();
      // One transaction per g, at a time proportional to g over the 30 days (minus 10 min), 2 % failed.
      await c.query(
        `CREATE TEMP TABLE step AS
         SELECT g, p.plant_id, p.interface_id, p.connector_id, p.hop_source, p.hop_target,
                date_trunc('milliseconds', $3::timestamptz + (g - $1)::float8 / greatest(1, $2 - $1 + 1) * $4::float8 * interval '1 millisecond') AS at,
                (g % 50 = 7) AS failed
         FROM generate_series($1::bigint, $2::bigint) g JOIN bench_pair p ON p.n = g % ${pairs}`,
        [first, last, new Date(from.getTime() + ((first - 1) / N) * (30 * DAY - 20 * 60_000)), (STEP / N) * (30 * DAY - 20 * 60_000)],
      );
      await c.query(
        `INSERT INTO business_transaction (plant_id, interface_id, message_id, correlation_id, business_key, status, hops, first_seen_at, last_event_at,
                                           delivered_at, failed_at, latency_ms, attempts, payload, payload_hash, last_error)
         SELECT plant_id, interface_id, 'MSG-' || g, 'corr-' || g, 'L-' || ${spread("g", 7919, LOTS)},
                (CASE WHEN failed THEN 'FAILED' ELSE 'DELIVERED' END)::transaction_status,
                jsonb_build_object(hop_source || '>' || hop_target, jsonb_build_object('outcome', CASE WHEN failed THEN 'failed' ELSE 'delivered' END, 'at', at + interval '4 seconds', 'latencyMs', 420, 'attempt', 2)),
                at, at + interval '4 seconds', CASE WHEN failed THEN NULL ELSE at + interval '4 seconds' END, CASE WHEN failed THEN at + interval '4 seconds' END,
                420, 2, jsonb_build_object('lot', 'L-' || ${spread("g", 7919, LOTS)}, 'quantity', g % 97), md5(g::text),
                CASE WHEN failed THEN jsonb_build_object('category', 'business', 'code', 'M7-021', 'message', 'Deficit of BA Unrestricted-use', 'at', at + interval '4 seconds') END
         FROM step`,
      );
      await c.query(
        `INSERT INTO telemetry_event (occurred_at, received_at, connector_id, plant_id, interface_id, event_id, correlation_id, message_id, business_key,
                                      hop_source, hop_target, outcome, latency_ms, attempt, error_category, error_code)
         SELECT s.at + k * interval '1 second', s.at + k * interval '1 second', s.connector_id, s.plant_id, s.interface_id, 'gen-' || s.g || '-' || k, 'corr-' || s.g,
                'MSG-' || s.g, 'L-' || ${spread("s.g", 7919, LOTS)}, s.hop_source, s.hop_target,
                (CASE WHEN k = 0 THEN 'RECEIVED' WHEN k < 4 THEN 'RETRYING' WHEN s.failed THEN 'FAILED' ELSE 'DELIVERED' END)::event_outcome,
                100 * (k + 1), greatest(1, k), CASE WHEN k = 4 AND s.failed THEN 'BUSINESS'::error_category END, CASE WHEN k = 4 AND s.failed THEN 'M7-021' END
         FROM step s CROSS JOIN generate_series(0, 4) k`,
      );
      await c.query(
        `INSERT INTO business_ref (transaction_id, kind, value, qualifier, plant_id, interface_id, first_seen_at)
         SELECT t.id, r.kind::ref_kind, r.value, r.qualifier, s.plant_id, s.interface_id, s.at
         FROM step s JOIN business_transaction t ON t.plant_id = s.plant_id AND t.interface_id = s.interface_id AND t.message_id = 'MSG-' || s.g
         CROSS JOIN LATERAL (VALUES ('LOT', 'L-' || ${spread("s.g", 7919, LOTS)}, ''),
                                    ('PRODUCTION_ORDER', (1000000 + ${spread("s.g", 104729, ORDERS)})::text, lpad(((s.g % 4 + 1) * 10)::text, 4, '0')),
                                    ('PURCHASE_ORDER', (4500000000 + ${spread("s.g", 1299709, POS)})::text, lpad(((s.g % 3 + 1) * 10)::text, 5, '0'))) AS r(kind, value, qualifier)`,
      );
      // Exceptions of the failed transactions, each with three audit events (the chain's hashes are not verified here: a bench database).
      await c.query(
        `WITH x AS (
           INSERT INTO exception (plant_id, interface_id, transaction_id, fingerprint, category, severity, status, error_code, error_message,
                                  first_seen_at, last_seen_at, sla_due_at, created_at, updated_at)
           SELECT t.plant_id, t.interface_id, t.id, 'fp-m7-021', 'BUSINESS', 'HIGH', 'CORRECTING', 'M7-021', 'Deficit of BA Unrestricted-use',
                  s.at + interval '4 seconds', s.at + interval '4 seconds', s.at + interval '4 hours', s.at + interval '4 seconds', s.at + interval '4 seconds'
           FROM step s JOIN business_transaction t ON t.plant_id = s.plant_id AND t.interface_id = s.interface_id AND t.message_id = 'MSG-' || s.g
           WHERE s.failed
           RETURNING id, plant_id, transaction_id, first_seen_at
         )
         INSERT INTO audit_event (occurred_at, type, actor_type, actor_id, actor_label, plant_id, subject_type, subject_id, data, prev_hash, hash)
         SELECT x.first_seen_at + a.k * interval '10 minutes', a.type, a.actor_type, NULL, a.label, x.plant_id, 'exception', x.id::text,
                jsonb_build_object('transactionId', x.transaction_id, 'statusTo', a.status), repeat('0', 64),
                md5(x.id::text || a.type) || md5(a.type || x.id::text)
         FROM x CROSS JOIN (VALUES (0, 'exception.opened', 'connector', 'bench connector', 'NEW'),
                                   (1, 'correction.approved', 'user', 'approver@andon.local', 'CORRECTING'),
                                   (2, 'replay.requested', 'user', 'operator@andon.local', 'REPLAYING')) AS a(k, type, actor_type, label, status)`,
      );
      await c.query("DROP TABLE step");
      console.log(`  transactions ${fmt(first)}–${fmt(last)}: ${secs(tStep).toFixed(1)} s (total ${secs(t0).toFixed(0)} s)`);
    }
    const tV = performance.now();
    await c.query("VACUUM ANALYZE");
    console.log(`  VACUUM ANALYZE ${secs(tV).toFixed(0)} s; generated in ${secs(t0).toFixed(0)} s`);
    const counts = (
      await c.query<{ t: string; e: string; r: string; x: string; a: string }>(
        `SELECT (SELECT count(*) FROM business_transaction) AS t, (SELECT count(*) FROM telemetry_event) AS e, (SELECT count(*) FROM business_ref) AS r,
                (SELECT count(*) FROM exception) AS x, (SELECT count(*) FROM audit_event) AS a`,
      )
    ).rows[0]!;
    console.log(
      `  rows: ${fmt(Number(counts.t))} transactions, ${fmt(Number(counts.e))} telemetry events, ${fmt(Number(counts.r))} references, ${fmt(Number(counts.x))} exceptions, ${fmt(Number(counts.a))} audit events`,
    );
    return counts;
  } finally {
    await c.end();
  }
}

type Stats = { p50: number; p95: number; p99: number; max: number; rows: number };
function stats(times: number[], rows: number[]): Stats {
  const s = [...times].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s.at(-1)!, rows: Math.round(rows.reduce((a, b) => a + b, 0) / Math.max(1, rows.length)) };
}
const line = (name: string, s: Stats) =>
  `  ${name.padEnd(48)} p50 ${s.p50.toFixed(1).padStart(6)} ms  p95 ${s.p95.toFixed(1).padStart(6)} ms  p99 ${s.p99.toFixed(1).padStart(6)} ms  max ${s.max.toFixed(1).padStart(6)} ms  (${s.rows} rows on average)`;

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  const reuse = process.env.BENCH_REUSE_DB;
  const fresh = reuse ? { url: reuse, drop: async () => {} } : await createFreshDatabase(base, "andon_bench_trace");
  const keep = Boolean(process.env.BENCH_KEEP_DB) || Boolean(reuse);
  console.log(
    `trace benchmark: ${fmt(N)} transactions, ${fmt(5 * N)} telemetry events, database ${new URL(fresh.url).pathname.slice(1)}, ${RUNS} requests per scenario`,
  );
  let stopPortal: (() => Promise<void>) | undefined;
  try {
    process.env.DATABASE_URL = fresh.url;
    process.env.LOG_LEVEL ??= "warn";
    const { reloadConfig } = await import("../server/config");
    reloadConfig();
    const { db, closeDb } = await import("../server/db");
    const { seedDemoUsers, seedReference } = await import("../prisma/seed");
    const { loadPrincipal } = await import("../server/auth/principal");
    const { traceObject } = await import("../server/trace/trace-object");
    if (!reuse) {
      await seedReference(db());
      await seedDemoUsers(db());
      await generate(fresh.url);
    }
    const principal = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
    const auditor = await principal("auditor@andon.local");
    const manager = await principal("manager@andon.local");
    const scenarios = [
      { kind: "lot", value: (i: number) => `L-${(i * 104_723) % LOTS}` },
      { kind: "order", value: (i: number) => String(1_000_000 + ((i * 7_727) % ORDERS)) },
      { kind: "po", value: (i: number) => String(4_500_000_000 + ((i * 3_001) % POS)) },
    ];
    const figures = [];
    const results: Record<string, Stats> = {};
    for (const s of scenarios) {
      for (const [who, user] of [
        ["auditor", auditor],
        ["manager (2 plants)", manager],
      ] as const) {
        const times: number[] = [];
        const rows: number[] = [];
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const t0 = performance.now();
          const trace = await traceObject(user, s.kind, s.value(i + 1));
          const body = trace ? JSON.stringify(trace) : "";
          const ms = performance.now() - t0;
          if (i >= WARMUP) {
            times.push(ms);
            rows.push(trace ? trace.rows.length : 0);
          }
          if (!body && who === "auditor") throw new Error(`no ${s.kind} ${s.value(i + 1)} for the auditor`);
        }
        const st = stats(times, rows);
        results[`${s.kind} ${who}`] = st;
        console.log(line(`traceObject ${s.kind} (${who})`, st));
        figures.push(against(`trace API ${s.kind} (${who}) p95, in process`, Math.round(st.p95 * 10) / 10, "ms", "<", 150));
      }
    }
    if (process.env.BENCH_HTTP) {
      const { ensureBuild } = await import("../scripts/ensure-build");
      const { signIn, startPortal } = await import("./support/portal");
      ensureBuild();
      const portal = await startPortal(fresh.url);
      stopPortal = portal.stop;
      const cookie = await signIn(portal.baseUrl, "auditor@andon.local");
      for (const [name, path] of [
        ["GET /api/trace/lot/<lot>", (i: number) => `/api/trace/lot/L-${(i * 104_723) % LOTS}`],
        ["GET /api/trace/order/<order>", (i: number) => `/api/trace/order/${1_000_000 + ((i * 7_727) % ORDERS)}`],
        ["GET /trace/lot/<lot> (HTML)", (i: number) => `/trace/lot/L-${(i * 104_723) % LOTS}`],
      ] as const) {
        const times: number[] = [];
        const rows: number[] = [];
        for (let i = 0; i < WARMUP + RUNS; i++) {
          const t0 = performance.now();
          const res = await fetch(`${portal.baseUrl}${path(i + 1)}`, { headers: { cookie } });
          const body = await res.text();
          if (!res.ok) throw new Error(`${path(i + 1)} answered ${res.status}`);
          if (i < WARMUP) continue;
          times.push(performance.now() - t0);
          // The API's chain rows (what the page shows); the HTML is counted by its table rows.
          rows.push(path(i + 1).startsWith("/api/") ? (JSON.parse(body) as { rows: unknown[] }).rows.length : body.split("<tr").length - 1);
        }
        const st = stats(times, rows);
        console.log(line(`${name} (auditor, HTTP)`, st));
        figures.push(against(`${name} (auditor) p95, HTTP`, Math.round(st.p95 * 10) / 10, "ms", "<", 150));
      }
    }
    report({
      bench: "trace",
      params: `${fmt(N)} transactions, ${fmt(5 * N)} telemetry events, ${fmt(3 * N)} references, ${RUNS} requests per scenario`,
      figures,
    });
    await closeDb();
  } finally {
    await stopPortal?.();
    if (!keep) await fresh.drop();
    else console.log(`  kept database ${fresh.url}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
