/**
 * Exception queue API over a large history. Not a test: prints its figures.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:queue -- [exceptions=1000000] [runs=60]
 *
 * A fresh database holds N exceptions (30 % of them open) with their transactions, over 30 days, 4
 * plants, every interface, 300 failure groups, 50 error codes. The real server (production build,
 * started like `npm start`) answers GET /api/exceptions for an operator who sees every plant, with
 * the filters the queue page offers; per filter: p50/p95/p99 of the HTTP round trip. Each answer counts
 * the open exceptions exactly (issue 17: the queue's "Open" and the dashboard's tile are one number): the
 * run checks the default view's open count against a plain count(*).
 */
import pg from "pg";
import { ensureBuild } from "../scripts/ensure-build";
import { createFreshDatabase } from "../tests/support/database";
import { signIn, startPortal } from "./support/portal";
import { type Figure, against, report } from "./support/results";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 60);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function generate(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const t0 = performance.now();
    await c.query("SET synchronous_commit = off");
    for (let from = 1; from <= N; from += 250_000) {
      const to = Math.min(N, from + 249_999);
      await c.query(
        `WITH p AS (SELECT array_agg(id ORDER BY code) AS ids FROM plant), i AS (SELECT array_agg(id ORDER BY code) AS ids FROM interface)
         INSERT INTO business_transaction (id, plant_id, interface_id, message_id, correlation_id, business_key, status, first_seen_at, last_event_at, failed_at, attempts, payload, payload_hash)
         SELECT gen_random_uuid(), p.ids[1 + g % 4], i.ids[1 + (g / 4) % array_length(i.ids, 1)], 'QB-' || g, 'corr-QB-' || g, 'BK-' || lpad((g % 400000)::text, 6, '0'),
                'FAILED', ts, ts, ts, 1, '{"q": 1}'::jsonb, md5(g::text)
         FROM generate_series($1::int, $2::int) g, p, i, LATERAL (SELECT now() - ((g::bigint * 2591) % 2592000) * interval '1 second' AS ts) t`,
        [from, to],
      );
      await c.query(
        `INSERT INTO exception (id, plant_id, interface_id, transaction_id, fingerprint, category, severity, status, error_code, error_message,
                                first_seen_at, last_seen_at, sla_due_at, resolved_at, resolution, updated_at)
         SELECT gen_random_uuid(), t.plant_id, t.interface_id, t.id, substr(md5((g % 300)::text), 1, 20),
                (CASE WHEN g % 3 = 0 THEN 'TECHNICAL' ELSE 'BUSINESS' END)::error_category,
                (ARRAY['CRITICAL','HIGH','MEDIUM','LOW'])[1 + (g / 7) % 4]::severity,
                (CASE WHEN g % 10 < 6 THEN 'RESOLVED' WHEN g % 10 = 6 THEN 'DISCARDED' ELSE (ARRAY['NEW','TRIAGED','CORRECTING','REPLAY_FAILED'])[1 + (g / 10) % 4] END)::exception_status,
                'E-' || (g % 50), 'Failure ' || (g % 50) || ' reported by the target for message ' || t.message_id,
                t.first_seen_at, t.first_seen_at, t.first_seen_at + interval '4 hours',
                CASE WHEN g % 10 < 7 THEN t.first_seen_at + interval '1 hour' END, CASE WHEN g % 10 < 6 THEN 'replayed' WHEN g % 10 = 6 THEN 'discarded' END, now()
         FROM business_transaction t, LATERAL (SELECT substring(t.message_id FROM 4)::int AS g) x
         WHERE t.message_id LIKE 'QB-%' AND x.g BETWEEN $1 AND $2`,
        [from, to],
      );
    }
    // Steady state of a live database (autovacuum has run): statistics and visibility map current.
    await c.query("VACUUM ANALYZE business_transaction");
    await c.query("VACUUM ANALYZE exception");
    console.log(`  generated ${N.toLocaleString("en")} exceptions (+ transactions) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const fp = await c.query<{ fingerprint: string }>("SELECT substr(md5('17'), 1, 20) AS fingerprint");
    const open = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM exception WHERE status NOT IN ('RESOLVED', 'DISCARDED')");
    return { fingerprint: fp.rows[0]!.fingerprint, open: open.rows[0]!.n };
  } finally {
    await c.end();
  }
}

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  ensureBuild();
  const fresh = await createFreshDatabase(base, "andon_bench");
  const portal = await startPortal(fresh.url);
  const { baseUrl } = portal;
  try {
    console.log(`queue benchmark: ${N.toLocaleString("en")} exceptions, ${RUNS} requests per filter, PostgreSQL at ${new URL(base).host}`);
    const { fingerprint, open } = await generate(fresh.url);
    const cookie = await signIn(baseUrl, "operator@andon.local");
    const get = async (query: string) => {
      const t = performance.now();
      const res = await fetch(`${baseUrl}/api/exceptions?${query}`, { headers: { cookie } });
      const body = (await res.json()) as { items: unknown[]; nextCursor: string | null; counts: Record<string, number> };
      if (!res.ok) throw new Error(`${query}: HTTP ${res.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - t, body };
    };
    const second = (await get("plant=DE-HAM")).body.nextCursor!;
    const counts = (await get("")).body.counts;
    const counted = Object.entries(counts)
      .filter(([s]) => s !== "RESOLVED" && s !== "DISCARDED")
      .reduce((n, [, c]) => n + c, 0);
    console.log(`open exceptions: ${counted.toLocaleString("en")} in the queue's counts, ${open.toLocaleString("en")} by count(*)`);
    const scenarios: [string, string][] = [
      ["open, most recent (default view)", ""],
      ["one plant", "plant=DE-HAM"],
      ["plant + status NEW + severity CRITICAL", "plant=DE-HAM&status=NEW&severity=CRITICAL"],
      ["interface + technical + last 24 h", "interface=GOODS_MOVEMENT&category=TECHNICAL&age=24h"],
      ["unassigned", "assignee=none"],
      ["one failure group (fingerprint)", `fingerprint=${fingerprint}`],
      ["error code, all statuses", "code=E-17&status=all"],
      ["search business key", "q=BK-012345&status=all"],
      ["oldest first", "sort=oldest"],
      ["by severity", "sort=severity"],
      ["one plant, page 2 (keyset cursor)", `plant=DE-HAM&cursor=${encodeURIComponent(second)}`],
      ["all statuses, 200 per page", "status=all&limit=200"],
    ];
    const all: number[] = [];
    const figures: Figure[] = [];
    console.log("filter | items | p50 ms | p95 ms | p99 ms");
    for (const [name, q] of scenarios) {
      for (let i = 0; i < 5; i++) await get(q); // warm-up
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < RUNS; i++) {
        const r = await get(q);
        times.push(r.ms);
        items = r.body.items.length;
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      console.log(`${name} | ${items} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} | ${pct(times, 99).toFixed(1)}`);
      figures.push({ name: `${name}: p95`, value: Number(pct(times, 95).toFixed(1)), unit: "ms" });
    }
    all.sort((a, b) => a - b);
    console.log(
      `all filters together: p50 ${pct(all, 50).toFixed(1)} ms, p95 ${pct(all, 95).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms (target p95 < 100 ms)`,
    );
    report({
      bench: "queue",
      params: `${N.toLocaleString("en")} exceptions, ${RUNS} requests per filter`,
      figures: [
        against("GET /api/exceptions, all filters: p95", Number(pct(all, 95).toFixed(1)), "ms", "<", 100),
        against("open count: queue minus count(*)", counted - open, "", "=", 0),
        ...figures,
      ],
    });
  } finally {
    await portal.stop();
    if (process.env.BENCH_KEEP_DB) console.log(`kept the database for analysis: ${fresh.url}`);
    else await fresh.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
