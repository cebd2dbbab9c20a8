/**
 * Reliability suite (issue 7): the guarantees under load and faults, against the real portal (started
 * like `npm start`, production build) on a fresh database, with the real connector SDK (journals on
 * disk) and real processes killed for real. Each scenario prints what was sent, stored, lost and
 * duplicated, and fails the run if anything was lost or doubled.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run test:reliability            # full
 *   DATABASE_URL=... npm run test:reliability -- --quick                                           # CI size
 *   DATABASE_URL=... npm run test:reliability -- --quick sustained fuzz                            # some
 *
 * Scenarios: sustained (4 plants at twice the normal rate: 5 min full, 30 s quick), kill (SIGKILL the
 * portal mid-ingest, restart), db-outage (every portal connection terminated for 30 s), replay-crash
 * (the replay target dies after applying, before answering), fuzz (10,000 hostile requests),
 * slow-consumer (a socket client that stops reading).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import pg from "pg";
import WebSocket from "ws";
import { createIngestClient, type IngestEventInput } from "../../connectors/sdk";
import { type Portal, freePort, signIn, startPortal } from "../../bench/support/portal";
import { ensureBuild } from "../../scripts/ensure-build";
import { createFreshDatabase } from "../support/database";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const ONLY = args.filter((a) => !a.startsWith("--"));
/**
 * Normal load of four busy plants, events per second (every message is 2–3 events); the suite runs at
 * twice it. The benchmarks give no usable "normal" rate: the dashboard benchmark's data set (10M events
 * over 30 days) averages 3.9 events/s, and the ingest benchmark runs flat out (its rate is capacity,
 * ~8–13k events/s here). 250/s is 65× the former and ~3 % of the latter.
 */
const NORMAL_RATE = 250;
const PLANTS = [
  ["DE-HAM", "SAP_ERP"],
  ["US-CLT", "SAP_ERP"],
  ["MX-MTY", "WMS"],
  ["PL-WRO", "SAP_ERP"],
] as const;
const HOP: Record<string, { interface: string; hop: { source: string; target: string } }> = {
  "DE-HAM": { interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" } },
  "US-CLT": { interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" } },
  "MX-MTY": { interface: "SUPPLIER_ASN", hop: { source: "SUPPLIER_PORTAL", target: "ODOO" } },
  "PL-WRO": { interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" } },
};

type Result = { scenario: string; sent: number; stored: number; lost: number; duplicated: number; notes: string[]; ok: boolean };
let base = "";

async function query<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

async function keys(db: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [plant, system] of PLANTS) {
    const key = `andon_ck_rel_${randomBytes(16).toString("hex")}`;
    await query(
      db,
      `UPDATE connector c SET api_key_hash = $1 FROM plant p, plant_system s WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = $2 AND s.kind = $3::system_kind`,
      [createHash("sha256").update(key).digest("hex"), plant, system],
    );
    out.set(plant, key);
  }
  return out;
}

function event(prefix: string, plant: string, i: number): IngestEventInput {
  const failed = i % 20 === 0;
  return {
    eventId: `${prefix}-${plant}-${i}`,
    correlationId: `${prefix}-${plant}-c${i}`,
    messageId: `${prefix}-${plant}-m${i}`,
    businessKey: `${plant}/${i}`,
    interface: HOP[plant]!.interface,
    hop: HOP[plant]!.hop as IngestEventInput["hop"],
    occurredAt: new Date().toISOString(),
    outcome: failed ? "failed" : "delivered",
    latencyMs: 100 + (i % 400),
    attempt: 1,
    ...(failed ? { error: { category: "technical" as const, code: "HTTP-503", message: `Target unavailable (${i})` }, payload: { n: i } } : {}),
  };
}

/** Four SDK connectors with journals, sending `rate` events/s in total for `seconds` (or until stopped). */
async function connectors(portalUrl: () => string, db: string, prefix: string) {
  const k = await keys(db);
  const dirs: string[] = [];
  const errors = new Map<number, number>();
  const clients = await Promise.all(
    PLANTS.map(async ([plant]) => {
      const dir = await mkdtemp(path.join(tmpdir(), `andon-rel-${plant}-`));
      dirs.push(dir);
      const client = await createIngestClient({
        baseUrl: portalUrl(),
        apiKey: k.get(plant)!,
        journalDir: dir,
        connectorVersion: "reliability-1.0",
        batchSize: 200,
        flushIntervalMs: 100,
        heartbeatIntervalMs: 0,
        retry: { baseDelayMs: 100, maxDelayMs: 2_000 },
        onError: (e) => {
          const status = (e as { status?: number }).status ?? 0;
          errors.set(status, (errors.get(status) ?? 0) + 1);
        },
      });
      return { plant, client, sent: 0 };
    }),
  );
  return {
    errors,
    sent: () => clients.reduce((n, c) => n + c.sent, 0),
    async run(rate: number, seconds: number, stop?: { stopped: boolean }) {
      const perPlant = rate / clients.length;
      const t0 = Date.now();
      await Promise.all(
        clients.map(async (c) => {
          while (Date.now() - t0 < seconds * 1000 && !stop?.stopped) {
            const due = Math.floor(((Date.now() - t0) / 1000) * perPlant);
            if (due > c.sent) {
              const batch = Array.from({ length: due - c.sent }, (_, j) => event(prefix, c.plant, c.sent + j));
              c.sent += batch.length;
              await c.client.send(batch);
            }
            await new Promise((r) => setTimeout(r, 50));
          }
        }),
      );
    },
    async drain(timeoutMs: number) {
      await Promise.race([Promise.all(clients.map((c) => c.client.flush())), new Promise((r) => setTimeout(r, timeoutMs))]);
      const pending = (await Promise.all(clients.map((c) => c.client.close()))).reduce((n, r) => n + r.pending, 0);
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      return pending;
    },
  };
}

/** What the database holds of a run's events (prefix null: every event, for a database only this scenario wrote). */
async function storedCounts(db: string, prefix: string | null) {
  const [r] = await query<{ receipts: string; events: string; distinct_events: string }>(
    db,
    `SELECT (SELECT count(*) FROM ingest_receipt WHERE event_id LIKE $1) AS receipts,
            (SELECT count(*) FROM telemetry_event WHERE event_id LIKE $1) AS events,
            (SELECT count(DISTINCT event_id) FROM telemetry_event WHERE event_id LIKE $1) AS distinct_events`,
    [prefix === null ? "%" : `${prefix}-%`],
  );
  return { receipts: Number(r!.receipts), events: Number(r!.events), distinct: Number(r!.distinct_events) };
}

function rssMb(child: ChildProcess): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

async function withPortal<T>(fn: (db: string, portal: Portal) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const fresh = await createFreshDatabase(base, "andon_rel");
  const portal = await startPortal(fresh.url, { env });
  try {
    return await fn(fresh.url, portal);
  } finally {
    await portal.stop();
    await fresh.drop();
  }
}

function verdict(scenario: string, sent: number, c: { distinct: number; events: number }, notes: string[], extraOk = true): Result {
  const lost = sent - c.distinct;
  const duplicated = c.events - c.distinct;
  return { scenario, sent, stored: c.distinct, lost, duplicated, notes, ok: lost === 0 && duplicated === 0 && extraOk };
}

// 1. Sustained ingest at twice the normal rate; the server's memory is sampled every 5 s.
async function sustained(): Promise<Result> {
  const seconds = QUICK ? 30 : 300;
  return withPortal(async (db, portal) => {
    const prefix = `sus-${randomUUID().slice(0, 6)}`;
    const conns = await connectors(() => portal.baseUrl, db, prefix);
    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(rssMb(portal.process)), 5_000);
    await conns.run(2 * NORMAL_RATE, seconds);
    const pending = await conns.drain(60_000);
    clearInterval(sampler);
    const c = await storedCounts(db, prefix);
    const half = Math.floor(rss.length / 2);
    const peakFirst = Math.max(...rss.slice(0, half || 1));
    const peakSecond = Math.max(...rss.slice(half));
    const bounded = peakSecond <= peakFirst * 1.25 + 32;
    return verdict(
      "sustained",
      conns.sent(),
      c,
      [
        `${2 * NORMAL_RATE} events/s from 4 plants for ${seconds} s; journal left ${pending}`,
        `server RSS peak ${peakFirst} MB in the first half, ${peakSecond} MB in the second (bounded: ${bounded ? "yes" : "NO"})`,
      ],
      bounded && pending === 0,
    );
  });
}

// 2. SIGKILL the portal mid-ingest, restart it on the same port: the journals re-send.
async function kill(): Promise<Result> {
  const fresh = await createFreshDatabase(base, "andon_rel");
  const port = await freePort();
  let portal = await startPortal(fresh.url, { port });
  try {
    const prefix = `kill-${randomUUID().slice(0, 6)}`;
    const conns = await connectors(() => portal.baseUrl, fresh.url, prefix);
    const running = conns.run(2 * NORMAL_RATE, QUICK ? 20 : 60);
    await new Promise((r) => setTimeout(r, QUICK ? 6_000 : 20_000));
    portal.process.kill("SIGKILL");
    await new Promise((r) => portal.process.once("exit", r));
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 3_000));
    // Restarted as in production (no demo setup: it would re-issue the demo connectors' keys).
    portal = await startPortal(fresh.url, { port, env: { ANDON_DEMO: "false", ANDON_DB_ROLE: "none" } });
    const downS = ((Date.now() - downAt) / 1000).toFixed(1);
    await running;
    const pending = await conns.drain(60_000);
    const c = await storedCounts(fresh.url, prefix);
    return verdict(
      "kill",
      conns.sent(),
      c,
      [
        `portal SIGKILLed mid-ingest, back after ${downS} s; connector errors by status ${JSON.stringify(Object.fromEntries(conns.errors))}; journal left ${pending}`,
      ],
      pending === 0,
    );
  } finally {
    await portal.stop();
    await fresh.drop();
  }
}

// 3. Every portal database connection terminated, again and again, for 30 s during ingest.
async function dbOutage(): Promise<Result> {
  return withPortal(async (db, portal) => {
    const prefix = `pgt-${randomUUID().slice(0, 6)}`;
    const conns = await connectors(() => portal.baseUrl, db, prefix);
    const dbName = new URL(db).pathname.slice(1);
    const running = conns.run(2 * NORMAL_RATE, 45);
    await new Promise((r) => setTimeout(r, 5_000));
    let terminated = 0;
    const probes: { status: number; retryAfter: string | null }[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) {
      const rows = await query<{ n: string }>(
        base,
        "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [dbName],
      );
      terminated += Number(rows[0]!.n);
      const res = await fetch(`${portal.baseUrl}/api/health`).catch(() => null);
      if (res) probes.push({ status: res.status, retryAfter: res.headers.get("retry-after") });
      await new Promise((r) => setTimeout(r, 200));
    }
    await running;
    const pending = await conns.drain(60_000);
    const c = await storedCounts(db, prefix);
    const s5xx = [...conns.errors].filter(([s]) => s >= 500 && s !== 503).reduce((n, [, v]) => n + v, 0);
    return verdict(
      "db-outage",
      conns.sent(),
      c,
      [
        `${terminated} backends terminated over 30 s; connector answers by status ${JSON.stringify(Object.fromEntries(conns.errors))} (non-503 5xx: ${s5xx}); journal left ${pending}`,
        `health during the outage: ${probes.filter((p) => p.status === 200).length} ok, ${probes.filter((p) => p.status !== 200).length} degraded`,
      ],
      pending === 0 && s5xx === 0,
    );
  });
}

// 4. The replay target dies right after applying a delivery, before answering; it is restarted.
async function replayCrash(): Promise<Result> {
  // The circuit breaker would pause the target for a minute after the first crashes: shorter here
  // (and, quick, retries start after 1 s instead of 5 s: same path, a CI-sized wait).
  return withPortal(
    async (db, portal) => {
      const N = QUICK ? 200 : 1000;
      const dir = await mkdtemp(path.join(tmpdir(), "andon-rel-target-"));
      const file = path.join(dir, "applied");
      const port = await freePort();
      const secret = randomBytes(24).toString("hex");
      let restarts = -1;
      let stopped = false;
      let child: ChildProcess | undefined;
      const start = () => {
        restarts++;
        child = spawn(process.execPath, ["--import", "tsx", "tests/reliability/crashy-target.ts"], {
          env: { ...process.env, APPLIED_FILE: file, CRASH_EVERY: "37", PORT: String(port), REPLAY_SECRET: secret },
          stdio: ["ignore", "ignore", "inherit"],
        });
        child.once("exit", () => {
          if (!stopped) setTimeout(start, 300);
        });
      };
      start();
      await new Promise((r) => setTimeout(r, 1_500));
      await query(
        db,
        `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true, replay_rate_per_sec = 200 FROM plant p, plant_system s WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'DE-HAM' AND s.kind = 'SAP_ERP'`,
        [`http://127.0.0.1:${port}/replay`, secret],
      );
      await query(db, "UPDATE interface SET requires_approval = false WHERE code = 'GOODS_MOVEMENT'"); // delivery under crashes, not approval
      const k = await keys(db);
      const prefix = `rpl-${randomUUID().slice(0, 6)}`;
      const failures = Array.from({ length: N }, (_, i) => ({ ...event(prefix, "DE-HAM", i * 20) }));
      for (let i = 0; i < N; i += 500) {
        const res = await fetch(`${portal.baseUrl}/api/ingest/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${k.get("DE-HAM")}`, "content-type": "application/json" },
          body: JSON.stringify(failures.slice(i, i + 500)),
        });
        if (!res.ok) throw new Error(`ingest answered ${res.status}`);
      }
      const ids = (
        await query<{ id: string }>(db, "SELECT e.id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id LIKE $1", [
          `${prefix}-%`,
        ])
      ).map((r) => r.id);
      const cookie = await signIn(portal.baseUrl, "approver@andon.local");
      for (let i = 0; i < ids.length; i += 1000) {
        const res = await fetch(`${portal.baseUrl}/api/bulk`, {
          method: "POST",
          headers: { cookie, "content-type": "application/json", origin: portal.baseUrl },
          body: JSON.stringify({ kind: "REPLAY", selection: { ids: ids.slice(i, i + 1000) }, params: {} }),
        });
        if (!res.ok) throw new Error(`bulk replay answered ${res.status}: ${await res.text()}`);
      }
      const t0 = Date.now();
      // Until every replay is final: resolved, or failed for good after its 7 attempts (counted as lost).
      let resolved = 0;
      let final = 0;
      while (final < ids.length && Date.now() - t0 < 900_000) {
        await new Promise((r) => setTimeout(r, 1_000));
        const [row] = await query<{ resolved: string; final: string }>(
          db,
          "SELECT count(*) FILTER (WHERE status = 'RESOLVED') AS resolved, count(*) FILTER (WHERE status IN ('RESOLVED', 'REPLAY_FAILED')) AS final FROM exception WHERE id = ANY($1)",
          [ids],
        );
        resolved = Number(row!.resolved);
        final = Number(row!.final);
      }
      stopped = true;
      child?.kill("SIGTERM");
      // What the unresolved ones are doing: replay status, attempts, last error.
      const stuck = await query<{ status: string; exception: string; n: string; attempts: string; last: string | null }>(
        db,
        `SELECT r.status::text AS status, e.status::text AS exception, count(*) AS n, max(a.n) AS attempts, max(a.last) AS last
         FROM exception e JOIN replay r ON r.exception_id = e.id
         LEFT JOIN LATERAL (SELECT count(*) AS n, max(error_code || ' ' || coalesce(error_message, '')) AS last FROM replay_attempt WHERE replay_id = r.id) a ON true
        WHERE e.id = ANY($1) AND e.status <> 'RESOLVED' GROUP BY 1, 2`,
        [ids],
      );
      const keysApplied = (await readFile(file, "utf8")).split("\n").filter(Boolean);
      const replayKeys = (await query<{ idempotency_key: string }>(db, "SELECT idempotency_key FROM replay WHERE exception_id = ANY($1)", [ids])).map(
        (r) => r.idempotency_key,
      );
      const attempts = Number(
        (
          await query<{ n: string }>(db, "SELECT count(*) AS n FROM replay_attempt a JOIN replay r ON r.id = a.replay_id WHERE r.exception_id = ANY($1)", [ids])
        )[0]!.n,
      );
      await rm(dir, { recursive: true, force: true });
      const counts = new Map<string, number>();
      for (const key of keysApplied) counts.set(key, (counts.get(key) ?? 0) + 1);
      const appliedOnce = replayKeys.filter((key) => counts.get(key) === 1).length;
      const twice = replayKeys.filter((key) => (counts.get(key) ?? 0) > 1).length;
      const never = replayKeys.filter((key) => !counts.has(key)).length;
      return {
        scenario: "replay-crash",
        sent: N,
        stored: appliedOnce,
        lost: never + (N - replayKeys.length),
        duplicated: twice,
        notes: [
          `target crashed ${restarts} times after applying, before answering; ${attempts} attempts for ${N} replays; ${resolved}/${N} resolved in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
          ...stuck.map(
            (r) =>
              `unresolved: ${r.n} replays ${r.status} (exception ${r.exception}), up to ${r.attempts} attempts, last error ${(r.last ?? "none").slice(0, 160)}`,
          ),
        ],
        ok: never === 0 && twice === 0 && replayKeys.length === N && resolved === N,
      };
    },
    { ANDON_REPLAY_CIRCUIT_COOLDOWN_MS: "1000", ...(QUICK ? { ANDON_REPLAY_RETRY_DELAY_S: "1" } : {}) },
  );
}

// 5. 10,000 malformed, oversized, mistyped or hostile requests: no 5xx, no partial rows, still up.
async function fuzz(): Promise<Result> {
  return withPortal(async (db, portal) => {
    const k = await keys(db);
    const key = k.get("DE-HAM")!;
    const prefix = `fz-${randomUUID().slice(0, 6)}`;
    const hostile = [
      "<script>alert(1)</script>",
      "'; DROP TABLE exception; --",
      "\u0000",
      "\ud800",
      "💥".repeat(1000),
      "a".repeat(100_000),
      "../../etc/passwd",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: "${jndi:…}" is a deliberate hostile input (Log4Shell-style lookup string), not a template
      "${jndi:ldap://x}",
    ];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
    const mutate = (e: Record<string, unknown>): unknown => {
      const fields = Object.keys(e);
      switch (Math.floor(Math.random() * 8)) {
        case 0: {
          const c = { ...e };
          delete c[pick(fields)];
          return c;
        }
        case 1:
          return { ...e, [pick(fields)]: pick([null, 42, -1, Number.POSITIVE_INFINITY, true, [], {}, pick(hostile)]) };
        case 2:
          return { ...e, latencyMs: pick([-5, 1e12, "fast", 1.5]) };
        case 3:
          return { ...e, occurredAt: pick(["yesterday", "2026-13-45T00:00:00Z", "", 0]) };
        case 4:
          return { ...e, outcome: pick(["exploded", "FAILED ", null]) };
        case 5:
          return { ...e, payload: { deep: JSON.parse("[".repeat(50) + "]".repeat(50)) as unknown, s: pick(hostile) } };
        case 6:
          return { ...e, interface: pick(["NOPE", "QUALITY_HOLD", pick(hostile)]) };
        default:
          return e;
      }
    };
    let n = 0;
    let accepted = 0;
    const statuses = new Map<number, number>();
    const bodies: (() => { body: BodyInit; type?: string; gzip?: boolean })[] = [
      () => ({
        body: JSON.stringify(
          Array.from({ length: 1 + Math.floor(Math.random() * 20) }, () => mutate(event(prefix, "DE-HAM", n++) as unknown as Record<string, unknown>)),
        ),
      }),
      () => ({
        body: JSON.stringify(
          Array.from({ length: 1 + Math.floor(Math.random() * 20) }, () => mutate(event(prefix, "DE-HAM", n++) as unknown as Record<string, unknown>)),
        ),
      }),
      () => ({ body: randomBytes(Math.floor(Math.random() * 2000)) }),
      () => ({ body: '{"unterminated": [1, 2', type: "application/json" }),
      () => ({ body: JSON.stringify({ not: "an array" }) }),
      () => ({ body: "x".repeat(6 * 1024 * 1024) }),
      () => ({ body: JSON.stringify(Array.from({ length: 1001 }, () => event(prefix, "DE-HAM", n++))) }),
      () => ({ body: randomBytes(500), gzip: true }),
      () => ({ body: JSON.stringify([event(prefix, "DE-HAM", n++)]), type: "text/csv" }),
      () => ({ body: "", type: "application/x-ndjson" }),
    ];
    const TOTAL = 10_000;
    let done = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (done < TOTAL) {
          done++;
          const b = pick(bodies)();
          const headers: Record<string, string> = {
            authorization: Math.random() < 0.03 ? "Bearer wrong" : `Bearer ${key}`,
            "content-type": b.type ?? "application/json",
          };
          if (b.gzip) headers["content-encoding"] = "gzip";
          const res = await fetch(`${portal.baseUrl}/api/ingest/v1/events`, { method: "POST", headers, body: b.body }).catch(() => null);
          const s = res?.status ?? 0;
          statuses.set(s, (statuses.get(s) ?? 0) + 1);
          if (res?.ok) {
            const body = (await res.json()) as { accepted: number };
            accepted += body.accepted; // read after the await: workers run concurrently
          } else await res?.arrayBuffer();
        }
      }),
    );
    // A well-formed gzip body as well, so decompression itself is exercised.
    const good = await fetch(`${portal.baseUrl}/api/ingest/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify([event(prefix, "DE-HAM", n++)])),
    });
    const goodBody = (await good.json()) as { accepted: number };
    accepted += goodBody.accepted;
    const alive = (await fetch(`${portal.baseUrl}/api/health`)).ok;
    const c = await storedCounts(db, null); // mutated items may carry any eventId: count them all
    // Every accepted item is whole: its receipt, its telemetry row and the transaction it belongs to.
    const [t] = await query<{ n: string }>(
      db,
      `SELECT count(*) AS n FROM telemetry_event e
        WHERE NOT EXISTS (SELECT 1 FROM business_transaction b WHERE b.plant_id = e.plant_id AND b.interface_id = e.interface_id AND b.message_id = e.message_id)`,
    );
    const fivexx = [...statuses].filter(([s]) => s >= 500 || s === 0).reduce((x, [, v]) => x + v, 0);
    const consistent = c.receipts === accepted && c.distinct === accepted && Number(t!.n) === 0;
    return {
      scenario: "fuzz",
      sent: TOTAL + 1,
      stored: c.distinct,
      lost: accepted - c.distinct,
      duplicated: c.events - c.distinct,
      notes: [
        `answers by status ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; 5xx or dropped: ${fivexx}`,
        `${accepted} items accepted, ${c.receipts} receipts, ${c.distinct} telemetry rows, ${t!.n} without their transaction (no partial rows: ${consistent ? "yes" : "NO"}); server up: ${alive}`,
      ],
      ok: fivexx === 0 && alive && consistent && c.events === c.distinct,
    };
  });
}

// 6. A socket client that stops reading while its plant's room gets thousands of events.
async function slowConsumer(): Promise<Result> {
  return withPortal(async (db, portal) => {
    const cookie = await signIn(portal.baseUrl, "manager@andon.local");
    const [plant] = await query<{ id: string }>(db, "SELECT id FROM plant WHERE code = 'DE-HAM'");
    const ws = new WebSocket(`${portal.baseUrl.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`, { headers: { cookie } });
    let closed = false;
    ws.on("close", () => (closed = true));
    ws.on("error", () => (closed = true));
    await new Promise<void>((resolve, reject) => {
      ws.on("message", (m) => {
        const s = m.toString();
        if (s.startsWith("0"))
          ws.send("40"); // engine.io open → socket.io connect
        else if (s.startsWith("40")) {
          ws.send(`421${JSON.stringify(["plants.subscribe", [plant!.id]])}`);
        } else if (s.startsWith("431"))
          resolve(); // the subscription's ack
        else if (s === "2") ws.send("3");
      });
      setTimeout(() => reject(new Error("socket handshake timed out")), 10_000);
    });
    (ws as unknown as { _socket: { pause: () => void } })._socket.pause(); // stop reading: the kernel buffers fill, then the server's
    const k = await keys(db);
    const prefix = `slow-${randomUUID().slice(0, 6)}`;
    const rss: number[] = [rssMb(portal.process)];
    let sent = 0;
    const t0 = Date.now();
    while (Date.now() - t0 < (QUICK ? 20_000 : 60_000)) {
      const batch = Array.from({ length: 200 }, (_, i) => ({
        ...event(prefix, "DE-HAM", (sent + i) * 20),
        error: { category: "business" as const, code: `M7-${sent + i}`, message: `Deficit ${"x".repeat(400)} ${sent + i}` },
      }));
      sent += batch.length;
      await fetch(`${portal.baseUrl}/api/ingest/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${k.get("DE-HAM")}`, "content-type": "application/json" },
        body: JSON.stringify(batch),
      });
      rss.push(rssMb(portal.process));
    }
    (ws as unknown as { _socket: { resume: () => void } })._socket.resume();
    await new Promise((r) => setTimeout(r, 3_000));
    const cut = closed || ws.readyState !== WebSocket.OPEN;
    ws.terminate();
    const c = await storedCounts(db, prefix);
    const peak = Math.max(...rss);
    const bounded = peak < rss[0]! + 200;
    return verdict(
      "slow-consumer",
      sent,
      c,
      [
        `${sent} failures (each a live event to the plant's room) while one client read nothing; server RSS ${rss[0]} → peak ${peak} MB (bounded: ${bounded ? "yes" : "NO"}); the silent client was disconnected: ${cut ? "yes" : "NO"}`,
      ],
      bounded && cut,
    );
  });
}

const SCENARIOS: Record<string, () => Promise<Result>> = {
  sustained,
  kill,
  "db-outage": dbOutage,
  "replay-crash": replayCrash,
  fuzz,
  "slow-consumer": slowConsumer,
};

async function main() {
  base = process.env.DATABASE_URL ?? "";
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (fresh databases are created on it and dropped after)");
  process.env.LOG_LEVEL ??= "error";
  await ensureBuild();
  const names = ONLY.length ? ONLY : Object.keys(SCENARIOS);
  const results: Result[] = [];
  for (const name of names) {
    const run = SCENARIOS[name];
    if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
    const t0 = Date.now();
    const r = await run();
    results.push(r);
    console.log(
      `${r.ok ? "✓" : "✘"} ${r.scenario} (${((Date.now() - t0) / 1000).toFixed(0)} s): sent ${r.sent}, stored ${r.stored}, lost ${r.lost}, duplicated ${r.duplicated}`,
    );
    for (const note of r.notes) console.log(`    ${note}`);
  }
  if (results.some((r) => !r.ok)) {
    console.log(
      `\nreliability: FAILED (${results
        .filter((r) => !r.ok)
        .map((r) => r.scenario)
        .join(", ")})`,
    );
    process.exit(1);
  }
  console.log(`\nreliability: ${results.length} scenarios passed${QUICK ? " (quick sizes)" : ""}`);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
