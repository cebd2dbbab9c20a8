/**
 * Worst-case work of one request (issue 15, point 9): memory and time of the four requests whose
 * work once grew with what a connector or a user sent. Not a test: prints its figures.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/request-limits.ts -- [payloads=10000] [telemetry=2000000] [group=100000]
 *
 * A fresh database holds: `payloads` open exceptions of one failure group whose payloads are ~256 KB
 * each (the ingest cap) and 1,000 and 200 more in two other groups; `group` exceptions of one failure group with
 * 1,000-character messages; `telemetry` events over the last 29 days (other messages) and one message
 * whose connector back-dated an event by 29 days, its correlation id reused by another plant's connector.
 * Each request runs once in its own Node process started with the server's flags (`npm start`:
 * --max-old-space-size=384), calling the server function the route calls, as a signed-in user:
 *  - bulk patch preview over a whole group (POST /api/bulk/preview);
 *  - a correction with a 5 MB body, streamed without Content-Length, through the route's `handler`;
 *  - the group view of the queue (GET /exceptions?view=groups), with the PostgreSQL backends' memory;
 *  - the timeline of the back-dated message, and the shared buffers its telemetry query touches.
 * Peak RSS is the process's VmHWM, reset just before the request; heap is sampled every 5 ms.
 * It also times the ingest's telemetry INSERT (the statement server/ingest/store.ts runs) with and
 * without the timeline's index, when the migration that adds it is present.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import pg from "pg";
import { createFreshDatabase } from "../tests/support/database";
import { type Figure, report } from "./support/results";

const args = process.argv.slice(2).filter((a) => a !== "--");
const CHILD = args[0] === "--child";
const PAYLOADS = Number((!CHILD && args[0]) || 10_000);
const TELEMETRY = Number((!CHILD && args[1]) || 2_000_000);
const GROUP = Number((!CHILD && args[2]) || 100_000);
const SMALL = Math.min(1_000, PAYLOADS);
const FLAGS = ["--max-old-space-size=384", "--max-semi-space-size=8"];
const TIMELINE_INDEX_MIGRATION = "prisma/migrations/20261206110000_timeline_index/migration.sql";

const FP_PREVIEW = "b0b0b0b0b0b0b0b0b0b0";
const FP_PREVIEW_SMALL = "b1b1b1b1b1b1b1b1b1b1";
const FP_PREVIEW_TINY = "b2b2b2b2b2b2b2b2b2b2";
const TINY = Math.min(200, PAYLOADS);
const FP_GROUP = "c0c0c0c0c0c0c0c0c0c0";
const CORRELATION = "corr-limits-backdated";

const sample = JSON.parse(readFileSync("connectors/sap/fixtures/sap-mbgmcr-goods-movement.json", "utf8")) as Record<string, unknown> & {
  E1BP2017_GM_ITEM_CREATE: object[];
};

/** The goods movement fixture with items added until its JSON is about `bytes` long. */
function payloadOf(bytes: number): Record<string, unknown> {
  const item = sample.E1BP2017_GM_ITEM_CREATE[0]!;
  const items: object[] = [];
  const base = JSON.stringify({ ...sample, E1BP2017_GM_ITEM_CREATE: [] }).length;
  let size = base;
  for (let i = 0; size < bytes - 200; i++) {
    const it = { ...item, ENTRY_QNT: String(1 + (i % 997)), MATERIAL: `RM-${4000 + (i % 700)}`, ITEM_TEXT: `line ${i}` };
    size += JSON.stringify(it).length + 1;
    items.push(it);
  }
  return { ...sample, E1BP2017_GM_ITEM_CREATE: items };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
function statusKb(pid: number | "self", field: string): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The child: one request, measured.

/**
 * Remembers the last statement sent through the pool whose text contains `marker`; the returned
 * function runs it again under EXPLAIN (ANALYZE, BUFFERS) and gives the buffers and temp blocks it used.
 */
function captureStatements(p: pg.Pool, marker: string): () => Promise<Record<string, number>> {
  let last: { text: string; values: unknown[] } | undefined;
  const query = p.query.bind(p) as (...a: unknown[]) => Promise<unknown>;
  (p as unknown as { query: (...a: unknown[]) => Promise<unknown> }).query = (...a: unknown[]) => {
    if (typeof a[0] === "string" && a[0].includes(marker)) last = { text: a[0], values: (a[1] as unknown[]) ?? [] };
    return query(...a);
  };
  return async (): Promise<Record<string, number>> => {
    if (!last) return {};
    type Plan = { "Shared Hit Blocks": number; "Shared Read Blocks": number; "Temp Read Blocks": number; "Temp Written Blocks": number };
    const { rows } = (await query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${last.text}`, last.values)) as { rows: { "QUERY PLAN": [{ Plan: Plan }] }[] };
    const plan = rows[0]!["QUERY PLAN"][0].Plan;
    return { buffers: plan["Shared Hit Blocks"] + plan["Shared Read Blocks"], tempBlocks: plan["Temp Read Blocks"] + plan["Temp Written Blocks"] };
  };
}

type Measured = {
  ms: number;
  peakRssMb: number;
  rssBeforeMb: number;
  heapPeakMb: number;
  heapBeforeMb: number;
  pgBackendPeakMb?: number;
  result: Record<string, unknown>;
};

async function child(scenario: string, arg: string): Promise<void> {
  const { db, pool, closeDb } = await import("../server/db");
  const { loadPrincipal } = await import("../server/auth/principal");
  const principal = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  const operator = await principal("operator@andon.local");
  const auditor = await principal("auditor@andon.local");
  await pool().query("SELECT 1");

  let op: () => Promise<Record<string, unknown>>;
  let watchBackends = false;
  const after: (() => Promise<Record<string, unknown>>)[] = [];
  switch (scenario) {
    case "preview": {
      const { previewPatch } = await import("../server/exceptions/preview-patch");
      op = async () => {
        const r = await previewPatch(operator, {
          selection: { filter: `fingerprint=${arg}&status=open` },
          patch: [{ op: "replace", path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", value: "500" }],
        });
        return { total: r.total, counts: r.counts, items: r.items.length };
      };
      break;
    }
    case "correction": {
      const { handler } = await import("../server/http/handler");
      const { saveCorrection } = await import("../server/corrections/save-correction");
      const { NextResponse } = await import("next/server");
      // The route's cap, where it exists (server/http/body.ts); the original handler took no options.
      const limits = await import("../server/http/body" as string).then(
        (m: { BODY_LIMITS?: { correction: number } }) => m.BODY_LIMITS,
        () => undefined,
      );
      const route = (handler as (fn: (req: Request) => Promise<Response>, o?: unknown) => (req: Request) => Promise<Response>)(
        async (req: Request) => NextResponse.json(await saveCorrection(operator, arg, await req.json())),
        limits ? { maxBodyBytes: limits.correction } : undefined,
      );
      const body = Buffer.from(JSON.stringify({ payload: payloadOf(5 * 1024 * 1024), reason: "bench: a 5 MB correction" }));
      const stored = async () => {
        const c = await pool().query<{ n: number; bytes: number }>(
          "SELECT count(*)::int AS n, coalesce(sum(pg_column_size(c.*)), 0)::int AS bytes FROM correction c WHERE exception_id = $1",
          [arg],
        );
        const a = await pool().query<{ n: number; bytes: number }>(
          "SELECT count(*)::int AS n, coalesce(sum(octet_length(data::text)), 0)::int AS bytes FROM audit_event WHERE subject_id = $1",
          [arg],
        );
        return { corrections: c.rows[0]!.n, correctionBytes: c.rows[0]!.bytes, auditEvents: a.rows[0]!.n, auditDataBytes: a.rows[0]!.bytes };
      };
      op = async () => {
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(c) {
            if (sent >= body.length) return c.close();
            c.enqueue(new Uint8Array(body.subarray(sent, sent + 65_536)));
            sent += 65_536;
          },
        });
        const res = await route(
          new Request(`http://bench/api/exceptions/${arg}/correction`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: stream,
            duplex: "half",
          } as RequestInit),
        );
        const text = await res.text();
        return { bodyBytes: body.length, status: res.status, bytesReadFromClient: Math.min(sent, body.length), answer: text.slice(0, 160) };
      };
      after.push(stored);
      break;
    }
    case "groups": {
      const { listExceptionGroups, parseQueueFilter } = await import("../server/exceptions/queue");
      await listExceptionGroups(operator, parseQueueFilter({ plant: "US-CLT" }));
      const explain = captureStatements(pool(), "GROUP BY e.fingerprint");
      watchBackends = true;
      op = async () => {
        const groups = await listExceptionGroups(operator, parseQueueFilter({}));
        return { groups: groups.length, largest: groups[0]?.count, sampleChars: groups[0]?.sampleMessage.length };
      };
      after.push(explain);
      break;
    }
    case "timeline": {
      const { correlationTimeline } = await import("../server/transactions/timeline");
      const explain = captureStatements(pool(), "telemetry_event");
      watchBackends = true;
      op = async () => {
        const entries = await correlationTimeline(auditor, { correlationId: arg });
        return { entries: entries.length, plants: [...new Set(entries.map((e) => e.plantCode))].join(",") };
      };
      after.push(async () => {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          await correlationTimeline(auditor, { correlationId: arg });
          times.push(performance.now() - t0);
        }
        times.sort((a, b) => a - b);
        return { warmMedianMs: Math.round(times[2]! * 10) / 10, ...(await explain()) };
      });
      break;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }

  const backends = watchBackends
    ? (await pool().query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).rows.map((r) => r.pid)
    : [];
  const backendBase = new Map(backends.map((pid) => [pid, statusKb(pid, "RssAnon")]));
  let backendPeak = 0;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  writeFileSync("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
  let heapPeak = heapBefore;
  const timer = setInterval(() => {
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    for (const [pid, base] of backendBase) backendPeak = Math.max(backendPeak, statusKb(pid, "RssAnon") - base);
  }, 5);
  const t0 = performance.now();
  const result = await op();
  const ms = performance.now() - t0;
  clearInterval(timer);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  const measured: Measured = {
    ms: Math.round(ms),
    peakRssMb: mb(statusKb("self", "VmHWM") * 1024),
    rssBeforeMb: mb(rssBefore),
    heapPeakMb: mb(heapPeak),
    heapBeforeMb: mb(heapBefore),
    ...(watchBackends ? { pgBackendPeakMb: mb(backendPeak * 1024) } : {}),
    result,
  };
  for (const more of after) Object.assign(measured.result, await more());
  console.log(`RESULT ${JSON.stringify(measured)}`);
  await closeDb();
}

// ---------------------------------------------------------------------------------------------
// The parent: data, then one child per request.

async function generate(url: string): Promise<{ correctionTarget: string }> {
  process.env.DATABASE_URL = url;
  const { db, closeDb } = await import("../server/db");
  const { seedDemoUsers, seedReference } = await import("../prisma/seed");
  const { ingestEvents } = await import("../server/ingest/ingest-events");
  await seedReference(db());
  await seedDemoUsers(db());
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("SET synchronous_commit = off");
    const ids = async (plant: string) =>
      (
        await c.query<{ plant_id: string; interface_id: string; connector_id: string; name: string }>(
          `SELECT c.plant_id, c.id AS connector_id, c.name, (SELECT id FROM interface WHERE code = 'GOODS_MOVEMENT') AS interface_id
         FROM connector c JOIN plant p ON p.id = c.plant_id JOIN plant_system s ON s.id = c.system_id WHERE p.code = $1 AND s.kind = 'ODOO'`,
          [plant],
        )
      ).rows[0]!;
    const ham = await ids("DE-HAM");
    const wro = await ids("PL-WRO");

    const insertExceptions = async (prefix: string, from: number, to: number, fingerprint: string, payload: string | null, message: string) => {
      await c.query(
        `WITH t AS (
           INSERT INTO business_transaction (plant_id, interface_id, message_id, correlation_id, business_key, status, first_seen_at, last_event_at, failed_at, attempts, payload, payload_hash)
           SELECT $1, $2, $3 || g, 'corr-' || $3 || g, 'BK-' || g, 'FAILED', now(), now(), now(), 1, $6::jsonb, md5(g::text)
           FROM generate_series($4::int, $5::int) g
           RETURNING id, message_id)
         INSERT INTO exception (plant_id, interface_id, transaction_id, fingerprint, category, severity, status, error_code, error_message, first_seen_at, last_seen_at, sla_due_at)
         SELECT $1, $2, t.id, $7, 'BUSINESS', 'HIGH', 'NEW', 'M7-021', replace($8, '#', substring(t.message_id FROM length($3) + 1)), now(), now(), now() + interval '4 hours' FROM t`,
        [ham.plant_id, ham.interface_id, prefix, from, to, payload, fingerprint, message],
      );
    };

    let t0 = performance.now();
    const big = JSON.stringify(payloadOf(255 * 1024));
    for (let from = 1; from <= PAYLOADS; from += 1000)
      await insertExceptions("PV-", from, Math.min(PAYLOADS, from + 999), FP_PREVIEW, big, "Deficit of SL Unrestricted-use # PC : RM-4711 1000 0001");
    await insertExceptions("PS-", 1, SMALL, FP_PREVIEW_SMALL, big, "Deficit of SL Unrestricted-use # PC : RM-4712 1000 0001");
    await insertExceptions("PT-", 1, TINY, FP_PREVIEW_TINY, big, "Deficit of SL Unrestricted-use # PC : RM-4713 1000 0001");
    console.log(
      `  ${PAYLOADS.toLocaleString("en")} + ${SMALL.toLocaleString("en")} + ${TINY.toLocaleString("en")} exceptions with ${(big.length / 1024).toFixed(0)} KB payloads in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    t0 = performance.now();
    const longMessage = `Deficit of SL Unrestricted-use # PC : RM-4711 1000 0001 ${"(batch split, see the goods movement history) ".repeat(21)}`.slice(0, 1000);
    for (let from = 1; from <= GROUP; from += 50_000) await insertExceptions("GR-", from, Math.min(GROUP, from + 49_999), FP_GROUP, null, longMessage);
    console.log(
      `  ${GROUP.toLocaleString("en")} exceptions of one group with ${longMessage.length}-character messages in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    t0 = performance.now();
    for (let from = 1; from <= TELEMETRY; from += 500_000) {
      await c.query(
        `INSERT INTO telemetry_event (occurred_at, connector_id, plant_id, interface_id, event_id, correlation_id, message_id, business_key, hop_source, hop_target, outcome, latency_ms, attempt)
         SELECT now() - ((g::double precision / $5) * interval '29 days'), $1, $2, $3, 'ev-' || g, 'corr-bg-' || g, 'msg-bg-' || g, 'BK-' || (g % 5000), 'ODOO', 'SAP_ERP', 'DELIVERED', 300, 1
         FROM generate_series($4::int, $6::int) g`,
        [ham.connector_id, ham.plant_id, ham.interface_id, from, TELEMETRY, Math.min(TELEMETRY, from + 499_999)],
      );
    }
    await c.query("VACUUM ANALYZE telemetry_event");
    await c.query("VACUUM ANALYZE exception");
    await c.query("VACUUM ANALYZE business_transaction");
    console.log(`  ${TELEMETRY.toLocaleString("en")} telemetry events over 29 days in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    // The back-dated message (DE-HAM), and another plant's connector reusing its correlation id.
    const now = Date.now();
    const ev = (over: Record<string, unknown>) => ({
      ok: true as const,
      value: {
        eventId: crypto.randomUUID(),
        correlationId: CORRELATION,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        latencyMs: 300,
        attempt: 1,
        ...over,
      },
    });
    const connector = (x: typeof ham, code: string) => ({ connectorId: x.connector_id, connectorName: x.name, plantId: x.plant_id, plantCode: code });
    const r1 = await ingestEvents(connector(ham, "DE-HAM"), [
      ev({
        messageId: "LIM-HAM-1",
        outcome: "failed",
        occurredAt: new Date(now - 29 * 86_400_000).toISOString(),
        error: { category: "technical", code: "HTTP-503", message: "503" },
        payload: { q: 1 },
      }),
      ev({ messageId: "LIM-HAM-1", outcome: "delivered", attempt: 2, occurredAt: new Date(now - 1000).toISOString() }),
    ]);
    const r2 = await ingestEvents(connector(wro, "PL-WRO"), [
      ev({ messageId: "LIM-WRO-1", outcome: "delivered", occurredAt: new Date(now - 500).toISOString() }),
    ]);
    if (r1.accepted !== 2 || r2.accepted !== 1) throw new Error(`timeline events not accepted: ${JSON.stringify([r1, r2])}`);

    // The correction target: one failed goods movement with the fixture's payload.
    await ingestEvents(connector(ham, "DE-HAM"), [
      ev({
        correlationId: "corr-limits-correction",
        messageId: "LIM-CORR-1",
        outcome: "failed",
        occurredAt: new Date(now).toISOString(),
        error: { category: "business", code: "M7-021", message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" },
        payload: sample,
      }),
    ]);
    const target = await c.query<{ id: string }>(
      "SELECT e.id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id = 'LIM-CORR-1'",
    );
    return { correctionTarget: target.rows[0]!.id };
  } finally {
    await c.end();
    await closeDb();
  }
}

function runChild(url: string, scenario: string, arg: string): Promise<{ measured?: Measured; crashed?: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p: ChildProcess = spawn(process.execPath, [...FLAGS, "--expose-gc", "--import", "tsx", "bench/request-limits.ts", "--child", scenario, arg], {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "error", NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code, signal) => {
      const ms = Math.round(performance.now() - t0);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (line) return resolve({ measured: JSON.parse(line.slice(7)) as Measured, ms });
      const oom = /heap out of memory|Invalid string length|Array buffer allocation failed/.exec(err)?.[0];
      resolve({ crashed: oom ? `crashed: ${oom}` : `exit ${code ?? signal}: ${err.trim().split("\n").slice(-3).join(" / ")}`, ms });
    });
  });
}

/** The ingest's telemetry INSERT (same statement shape as server/ingest/store.ts), batches of 500, 200,000 rows. */
async function telemetryInsertRate(url: string, withIndex: boolean): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const sql = readFileSync(TIMELINE_INDEX_MIGRATION, "utf8");
    const index = /CREATE INDEX\s+"?([a-z_]+)"?/i.exec(sql)?.[1];
    if (!index) throw new Error(`no CREATE INDEX in ${TIMELINE_INDEX_MIGRATION}`);
    if (withIndex) await c.query(sql.replace(/CREATE INDEX\s+/i, "CREATE INDEX IF NOT EXISTS "));
    else await c.query(`DROP INDEX IF EXISTS "${index}"`);
    const ids = (
      await c.query<{ plant_id: string; connector_id: string; interface_id: string }>(
        "SELECT c.plant_id, c.id AS connector_id, (SELECT id FROM interface WHERE code = 'GOODS_MOVEMENT') AS interface_id FROM connector c LIMIT 1",
      )
    ).rows[0]!;
    const total = 200_000;
    const batch = 500;
    const t0 = performance.now();
    for (let i = 0; i < total; i += batch) {
      const n = Math.min(batch, total - i);
      const at = Array.from({ length: n }, (_, k) => new Date(Date.now() - 60_000 + k));
      const uid = () => crypto.randomUUID();
      await c.query(
        `INSERT INTO telemetry_event (occurred_at, connector_id, plant_id, interface_id, event_id, correlation_id, message_id, business_key, hop_source, hop_target, outcome, latency_ms, attempt)
         SELECT o, $2, $3, $4, e, cr, m, b, 'ODOO', 'SAP_ERP', 'DELIVERED', 300, 1
         FROM unnest($1::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[]) AS t(o, e, cr, m, b)`,
        [
          at,
          ids.connector_id,
          ids.plant_id,
          ids.interface_id,
          at.map(uid),
          at.map(() => `corr-${uid()}`),
          at.map(() => `MSG-${uid().slice(0, 13)}`),
          at.map((_, k) => `ORD-${(i + k) % 5000}`),
        ],
      );
    }
    return total / ((performance.now() - t0) / 1000);
  } finally {
    await c.end();
  }
}

async function main() {
  if (CHILD) return child(args[1]!, args[2]!);
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  const fresh = await createFreshDatabase(base, "andon_bench_limits");
  try {
    console.log(
      `request-limits bench: ${PAYLOADS.toLocaleString("en")} payloads, ${TELEMETRY.toLocaleString("en")} telemetry events, a group of ${GROUP.toLocaleString("en")}`,
    );
    const { correctionTarget } = await generate(fresh.url);
    const figures: Figure[] = [];
    const row = (name: string, r: Awaited<ReturnType<typeof runChild>>) => {
      if (!r.measured) {
        console.log(`${name}: ${r.crashed} after ${(r.ms / 1000).toFixed(1)} s`);
        figures.push({ name: `${name}: crashed (${r.crashed})`, value: Math.round(r.ms), unit: "ms" });
        return;
      }
      const m = r.measured;
      console.log(
        `${name}: ${m.ms} ms, peak RSS ${m.peakRssMb} MB (+${Math.round((m.peakRssMb - m.rssBeforeMb) * 10) / 10}), heap ${m.heapBeforeMb} → ${m.heapPeakMb} MB${m.pgBackendPeakMb !== undefined ? `, PostgreSQL backend +${m.pgBackendPeakMb} MB` : ""}; ${JSON.stringify(m.result)}`,
      );
      figures.push(
        { name: `${name}: time`, value: m.ms, unit: "ms" },
        { name: `${name}: peak RSS`, value: m.peakRssMb, unit: "MB" },
        { name: `${name}: heap peak`, value: m.heapPeakMb, unit: "MB" },
      );
      if (m.pgBackendPeakMb !== undefined) figures.push({ name: `${name}: PostgreSQL backend memory`, value: m.pgBackendPeakMb, unit: "MB" });
    };
    row(`preview, ${TINY.toLocaleString("en")} payloads of 255 KB`, await runChild(fresh.url, "preview", FP_PREVIEW_TINY));
    row(`preview, ${SMALL.toLocaleString("en")} payloads of 255 KB`, await runChild(fresh.url, "preview", FP_PREVIEW_SMALL));
    row(`preview, ${PAYLOADS.toLocaleString("en")} payloads of 255 KB`, await runChild(fresh.url, "preview", FP_PREVIEW));
    row("correction, 5 MB body", await runChild(fresh.url, "correction", correctionTarget));
    row(`group view, a group of ${GROUP.toLocaleString("en")} (1,000-character messages)`, await runChild(fresh.url, "groups", ""));
    const tl = await runChild(fresh.url, "timeline", CORRELATION);
    row(`timeline, back-dated 29 days, ${TELEMETRY.toLocaleString("en")} events`, tl);
    if (tl.measured) figures.push({ name: "timeline: shared buffers its telemetry query touches", value: Number(tl.measured.result.buffers), unit: "buffers" });

    if (existsSync(TIMELINE_INDEX_MIGRATION)) {
      const without = await telemetryInsertRate(fresh.url, false);
      const withIndex = await telemetryInsertRate(fresh.url, true);
      console.log(
        `telemetry INSERT (ingest statement, batches of 500): ${without.toFixed(0)} rows/s without the timeline index, ${withIndex.toFixed(0)} with (${((withIndex / without - 1) * 100).toFixed(1)} %)`,
      );
      figures.push(
        { name: "telemetry INSERT without the timeline index", value: Math.round(without), unit: "rows/s" },
        { name: "telemetry INSERT with the timeline index", value: Math.round(withIndex), unit: "rows/s" },
      );
    }
    report({
      bench: "request-limits",
      params: `${PAYLOADS.toLocaleString("en")} payloads, ${TELEMETRY.toLocaleString("en")} telemetry events, group of ${GROUP.toLocaleString("en")}`,
      figures,
    });
  } finally {
    await fresh.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
