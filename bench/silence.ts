/**
 * Silent failures: how fast the flow monitor sees a flow that stopped, and what one monitor run costs.
 * Not a test: prints its figures.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:silence [-- days=30 stops=50]
 *
 * A fresh database: the seed, plus 50 plants × the 12 interfaces of the catalog, each plant with a
 * connector per system (heartbeating), an expectation per interface (PRODORD_CONFIRM and GOODS_MOVEMENT
 * dense, the others sparse, judged around the clock: every expectation is evaluated on every run, the
 * costliest case), two batch schedules (MATERIAL_MASTER hourly, FORECAST_IMPORT daily), `days` of
 * per-minute rollups generated in SQL (the dense flows every minute, the others in ~15 % of minutes; they run on
 * 3 hours past the start, so flows stay alive while the bench measures: the monitor reads nothing after its now),
 * the last 26 hours of transactions of the batch and dense interfaces, and 20 messages per plant still
 * in flight (late ones among them).
 *
 * (a) Detection: at each of the 50 plants PRODORD_CONFIRM (10 messages a minute, expectation ≥ 300 per
 * 60 min: silence threshold max(60 s, 3 × 12 s) = 60 s) stops at a random instant of the last 40 minutes.
 * The real monitor runs at every whole minute of a simulated clock (the job's cron cadence) over that
 * span for all 50 plants at once; the latency of a stop is the opening time of its STOPPED finding minus
 * the time of its last message; to it add the run's own duration (measured in (b)) and pg-boss's start
 * delay for a cron job (its workers poll every 2 s).
 * (b) Cost: wall time of runMonitor at the real now, 10 runs each scoped to the first 10, 25 and 50 plants
 * and unscoped (the job's way: every plant), after a first run that opens what the data holds.
 */
import { createFreshDatabase } from "../tests/support/database";

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`${name}=`))?.split("=")[1] ?? fallback);
const DAYS = arg("days", 30);
const STOPS = arg("stops", 50);
const PLANTS = 50;
const MIN = 60_000;
const base = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const fresh = await createFreshDatabase(base, "bench_silence");
process.env.DATABASE_URL = fresh.url;
process.env.LOG_LEVEL ??= "warn";
const { db, pool, closeDb } = await import("../server/db");
const { seedReference } = await import("../prisma/seed");
const { runMonitor } = await import("../server/monitor/run-monitor");

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const t0 = Date.now();
const step = (what: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${what}`);

try {
  await seedReference(db());
  const q = (sql: string, params: unknown[] = []) => pool().query(sql, params);
  const now = new Date(Math.floor(Date.now() / MIN) * MIN);

  // 50 plants, every system with a connector, every interface linked, expectations and schedules.
  await q(
    `INSERT INTO plant (id, code, name, timezone, updated_at)
     SELECT gen_random_uuid(), 'B-' || lpad(n::text, 2, '0'), 'Bench plant ' || n, 'Europe/Berlin', now() FROM generate_series(1, $1) n`,
    [PLANTS],
  );
  await q(`INSERT INTO plant_system (id, plant_id, kind, description)
           SELECT gen_random_uuid(), p.id, k, k::text FROM plant p CROSS JOIN unnest(enum_range(NULL::system_kind)) k WHERE p.code LIKE 'B-%'`);
  await q(`INSERT INTO connector (id, plant_id, system_id, name, last_heartbeat_at, updated_at)
           SELECT gen_random_uuid(), s.plant_id, s.id, s.kind::text || ' bridge', now(), now() FROM plant_system s JOIN plant p ON p.id = s.plant_id WHERE p.code LIKE 'B-%'`);
  await q(`INSERT INTO plant_interface (plant_id, interface_id, enabled) SELECT p.id, i.id, true FROM plant p CROSS JOIN interface i WHERE p.code LIKE 'B-%'`);
  await q(`INSERT INTO flow_expectation (plant_id, interface_id, window_minutes, min_count, max_count, production_only)
           SELECT p.id, i.id, 60,
                  CASE i.code WHEN 'PRODORD_CONFIRM' THEN 300 WHEN 'GOODS_MOVEMENT' THEN 100 ELSE 0 END,
                  CASE i.code WHEN 'PRODORD_CONFIRM' THEN 1200 WHEN 'GOODS_MOVEMENT' THEN 1000 ELSE 500 END, false
           FROM plant p CROSS JOIN interface i WHERE p.code LIKE 'B-%'`);
  await q(
    `INSERT INTO batch_schedule (id, plant_id, interface_id, cron, complete_within_minutes, min_messages, created_at, updated_at)
     SELECT gen_random_uuid(), p.id, i.id, CASE i.code WHEN 'MATERIAL_MASTER' THEN '0 * * * *' ELSE '0 5 * * *' END,
            CASE i.code WHEN 'MATERIAL_MASTER' THEN 15 ELSE 60 END, 1, $1::timestamptz - interval '40 days', now()
     FROM plant p CROSS JOIN interface i WHERE p.code LIKE 'B-%' AND i.code IN ('MATERIAL_MASTER', 'FORECAST_IMPORT')`,
    [now],
  );

  // History: per-minute rollups, a plant at a time (dense flows every minute, sparse ones in ~15 % of minutes).
  const plants = (await q("SELECT id, code FROM plant WHERE code LIKE 'B-%' ORDER BY code")).rows as { id: string; code: string }[];
  let rollups = 0;
  for (const p of plants) {
    const r = await q(
      `INSERT INTO telemetry_rollup_minute (bucket, plant_id, interface_id, outcome, shard, count, latency_sum, latency_max, histogram)
       SELECT b, $1, i.id, CASE WHEN random() < 0.02 THEN 'FAILED' ELSE 'DELIVERED' END::event_outcome, 0, c, c * 400, 900, '{}'::int[]
       FROM generate_series($2::timestamptz - make_interval(days => $3), $2::timestamptz + interval '3 hours', interval '1 minute') b
       CROSS JOIN interface i
       CROSS JOIN LATERAL (SELECT CASE i.code WHEN 'PRODORD_CONFIRM' THEN 10 WHEN 'GOODS_MOVEMENT' THEN 4 + (random() * 4)::int ELSE 1 END AS c) n
       WHERE i.code IN ('PRODORD_CONFIRM', 'GOODS_MOVEMENT') OR random() < 0.15
       ON CONFLICT DO NOTHING`,
      [p.id, now, DAYS],
    );
    rollups += r.rowCount ?? 0;
  }
  step(`${rollups.toLocaleString("en")} rollup rows over ${DAYS} days for ${PLANTS} plants`);

  // Transactions of the last 26 h: the dense flows' (for the index the run counts scan), each batch run's 3 messages 2 minutes
  // after its start (MATERIAL_MASTER on the hour, FORECAST_IMPORT at 05:00 Berlin), 20 in flight per plant.
  const tx = (iface: string, series: string) =>
    q(
      `INSERT INTO business_transaction (plant_id, interface_id, message_id, correlation_id, status, first_seen_at, last_event_at, delivered_at, attempts, hops)
       SELECT p.id, i.id, i.code || '-' || p.code || '-' || extract(epoch FROM t)::bigint || '-' || k, gen_random_uuid()::text, 'DELIVERED', t,
              t + interval '2 seconds', t + interval '2 seconds', 1, '{}'::jsonb
       FROM plant p CROSS JOIN interface i CROSS JOIN LATERAL (${series}) AS s(t) CROSS JOIN generate_series(1, 3) k
       WHERE p.code LIKE 'B-%' AND i.code = $2 AND t <= $1::timestamptz AND (k = 1 OR i.code IN ('MATERIAL_MASTER', 'FORECAST_IMPORT'))`,
      [now, iface],
    );
  await tx("PRODORD_CONFIRM", "SELECT generate_series($1::timestamptz - interval '26 hours', $1::timestamptz, interval '1 minute')");
  await tx("GOODS_MOVEMENT", "SELECT generate_series($1::timestamptz - interval '26 hours', $1::timestamptz, interval '1 minute')");
  await tx(
    "MATERIAL_MASTER",
    "SELECT generate_series(date_trunc('hour', $1::timestamptz - interval '26 hours'), $1::timestamptz, interval '1 hour') + interval '2 minutes'",
  );
  await tx(
    "FORECAST_IMPORT",
    "SELECT (d + interval '5 hours 2 minutes') AT TIME ZONE 'Europe/Berlin' FROM generate_series(date_trunc('day', ($1::timestamptz AT TIME ZONE 'Europe/Berlin') - interval '2 days'), ($1::timestamptz AT TIME ZONE 'Europe/Berlin'), interval '1 day') d",
  );
  await q(
    `INSERT INTO business_transaction (plant_id, interface_id, message_id, correlation_id, status, first_seen_at, last_event_at, attempts, hops)
     SELECT p.id, i.id, 'STUCK-' || p.code || '-' || k, gen_random_uuid()::text, 'IN_FLIGHT', $1::timestamptz - k * interval '150 seconds', $1::timestamptz - k * interval '150 seconds', 1, '{}'::jsonb
     FROM plant p CROSS JOIN interface i CROSS JOIN generate_series(1, 20) k WHERE p.code LIKE 'B-%' AND i.code = 'GOODS_MOVEMENT'`,
    [now],
  );
  await q("VACUUM ANALYZE");
  step("transactions written, vacuumed");

  // (a) Detection: PRODORD_CONFIRM stops at each plant at a random instant of [now − 40 min, now − 10 min).
  const confirm = (await q("SELECT id FROM interface WHERE code = 'PRODORD_CONFIRM'")).rows[0].id as string;
  const from = now.getTime() - 45 * MIN;
  const stops = plants.slice(0, STOPS).map((p) => ({ plant: p, stopAt: from + 5 * MIN + Math.random() * 30 * MIN }));
  for (const s of stops) {
    // Messages every 6 s until the stop: the last one is the last multiple of 6 s before it.
    const last = Math.floor((s.stopAt - 1) / 6_000) * 6_000;
    Object.assign(s, { last });
    await q("DELETE FROM telemetry_rollup_minute WHERE plant_id = $1 AND interface_id = $2 AND bucket >= $3", [s.plant.id, confirm, new Date(from - 60 * MIN)]);
    await q(
      `INSERT INTO telemetry_rollup_minute (bucket, plant_id, interface_id, outcome, shard, count, latency_sum, latency_max, histogram)
       SELECT date_bin('1 minute', m, TIMESTAMPTZ '2000-01-01'), $1, $2, 'DELIVERED', 0, count(*), count(*) * 400, 900, '{}'::int[]
       FROM generate_series($3::timestamptz, $4::timestamptz, interval '6 seconds') m GROUP BY 1`,
      [s.plant.id, confirm, new Date(from - 60 * MIN), new Date(last)],
    );
  }
  const scope = stops.map((s) => s.plant.id);
  const runTimes: number[] = [];
  for (let t = from; t <= now.getTime(); t += MIN) runTimes.push((await runMonitor(new Date(t), { plantIds: scope })).ms);
  const found = (
    await q("SELECT plant_id, opened_at FROM finding WHERE kind = 'STOPPED' AND interface_id = $1 AND plant_id = ANY($2::uuid[])", [confirm, scope])
  ).rows as { plant_id: string; opened_at: Date }[];
  const latencies = stops.map((s) => {
    const f = found.find((x) => x.plant_id === s.plant.id);
    return f ? f.opened_at.getTime() - (s as unknown as { last: number }).last : Number.NaN;
  });
  const missed = latencies.filter((l) => Number.isNaN(l)).length;
  const ok = latencies.filter((l) => !Number.isNaN(l));
  const otherFindings = Number((await q("SELECT count(*) FROM finding WHERE kind IN ('STOPPED', 'FLOOD') AND interface_id <> $1", [confirm])).rows[0].count);
  console.log(
    `\n(a) last message → STOPPED finding, ${STOPS} stops, monitor every simulated minute: p50 ${fmt(percentile(ok, 0.5))}, p95 ${fmt(percentile(ok, 0.95))}, max ${fmt(Math.max(...ok))}, min ${fmt(Math.min(...ok))}; not found: ${missed}; other STOPPED/FLOOD findings: ${otherFindings}; run for ${STOPS} plants p95 ${percentile(runTimes, 0.95).toFixed(0)} ms`,
  );
  await q("UPDATE connector SET last_heartbeat_at = now()");

  // (b) Cost per run at the real now: a first run (opens and escalates what the data holds), then 10 steady runs per scope.
  console.log("\n(b) monitor run wall time (ms), 10 runs after a first one");
  console.log("  scope                     | first |   p50 |   p95 |   max");
  for (const n of [10, 25, 50, 0]) {
    const plantIds = n ? plants.slice(0, n).map((p) => p.id) : undefined;
    const first = (await runMonitor(new Date(), { plantIds })).ms;
    const times: number[] = [];
    for (let k = 0; k < 10; k++) times.push((await runMonitor(new Date(), { plantIds })).ms);
    const label = n ? `${n} plants × 12 interfaces` : `every plant (${PLANTS} + 4 seeded)`;
    console.log(
      `  ${label.padEnd(25)} | ${first.toFixed(0).padStart(5)} | ${percentile(times, 0.5).toFixed(0).padStart(5)} | ${percentile(times, 0.95).toFixed(0).padStart(5)} | ${Math.max(
        ...times,
      )
        .toFixed(0)
        .padStart(5)}`,
    );
  }
  const counts = (await q("SELECT kind, count(*)::int AS n FROM finding GROUP BY kind ORDER BY kind")).rows;
  console.log(`  findings in the database afterwards: ${counts.map((c: { kind: string; n: number }) => `${c.kind} ${c.n}`).join(", ")}`);
} finally {
  await closeDb();
  if (!process.env.BENCH_KEEP_DB) await fresh.drop();
  else console.log(`kept ${fresh.url}`);
}
