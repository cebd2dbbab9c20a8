/**
 * Ingest throughput, end to end through HTTP, against raw COPY of the same rows into the same
 * telemetry table, in the same run. Prints both, their ratio and the server's peak RSS. Not a test.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:ingest -- [events=200000] [senders=4]
 *
 * The server is the real one, started like `npm start` (same node flags, production build), on a fresh database.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createFreshDatabase } from "../tests/support/database";
import { ensureBuild } from "../scripts/ensure-build";
import { startPortal } from "./support/portal";
import { against, report } from "./support/results";

const TOTAL = Number(process.argv[2] ?? 200_000);
const SENDERS = Number(process.argv[3] ?? 4);
const BATCH = 500;

const INTERFACES = [
  { code: "PRODORD_RELEASE", hop: { source: "SAP_ERP", target: "ODOO" } },
  { code: "PRODORD_CONFIRM", hop: { source: "MES", target: "SAP_ERP" } },
  { code: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" } },
  { code: "QUALITY_HOLD", hop: { source: "QMS", target: "SAP_ERP" } },
  { code: "INSPECTION_RESULT", hop: { source: "QMS", target: "SAP_ERP" } },
  { code: "MATERIAL_MASTER", hop: { source: "SAP_ERP", target: "ODOO" } },
  { code: "SPARE_PARTS_USAGE", hop: { source: "ODOO", target: "SAP_ERP" } },
] as const;
const sample = JSON.parse(readFileSync("connectors/sap/fixtures/sap-mbgmcr-goods-movement.json", "utf8")) as Record<string, unknown>;

/** Events as a plant produces them: in time order, ending now (a connector sends what just happened). */
function makeEvents(n: number) {
  const now = Date.now();
  const spanMs = 5 * 60_000;
  return Array.from({ length: n }, (_, i) => {
    const iface = INTERFACES[i % INTERFACES.length]!;
    const failed = i % 10 === 0;
    const messageId = `BENCH-${i}-${randomUUID().slice(0, 8)}`;
    return {
      eventId: randomUUID(),
      correlationId: `corr-${messageId}`,
      messageId,
      interface: iface.code,
      hop: iface.hop,
      businessKey: `ORD-${100000 + (i % 5000)}`,
      occurredAt: new Date(now - spanMs + Math.floor((i / n) * spanMs)).toISOString(),
      outcome: failed ? "failed" : "delivered",
      latencyMs: Math.round(Math.exp(6 + Math.random() * 2)),
      attempt: 1,
      ...(failed
        ? {
            error: { category: "business", code: "M7-021", message: `Deficit of SL Unrestricted-use ${i % 90} PC : RM-${4000 + (i % 700)} 1000 0001` },
            payload: { ...sample, control: { DOCNUM: String(4712001 + i).padStart(16, "0") } },
          }
        : {}),
    };
  });
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  ensureBuild();
  const fresh = await createFreshDatabase(base, "andon_bench");
  const portal = await startPortal(fresh.url);
  const { baseUrl, process: server } = portal;
  try {
    const keys = JSON.parse(readFileSync(".andon/bench/demo-connector-keys.json", "utf8")) as Record<
      string,
      { key: string; plantCode: string; system: string }
    >;
    const key = Object.values(keys).find((k) => k.plantCode === "DE-HAM" && k.system === "ODOO")!.key;

    const events = makeEvents(TOTAL);
    const bodies: Uint8Array<ArrayBuffer>[] = [];
    for (let i = 0; i < events.length; i += BATCH) bodies.push(new Uint8Array(gzipSync(JSON.stringify(events.slice(i, i + BATCH)))));
    const rawBytes = events.reduce((n, e) => n + JSON.stringify(e).length, 0);
    console.log(
      `ingest bench: ${TOTAL} events (${(rawBytes / TOTAL).toFixed(0)} B avg JSON, 10% failed with payload), batches of ${BATCH}, ${SENDERS} concurrent senders, gzip`,
    );

    // Warm-up (JIT, pools, first partitions touched): one batch, not counted.
    await fetch(`${baseUrl}/api/ingest/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(makeEvents(BATCH)),
    });

    let next = 0;
    let accepted = 0;
    let reportedRejection = false;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: SENDERS }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const res = await fetch(`${baseUrl}/api/ingest/v1/events`, {
            method: "POST",
            headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-encoding": "gzip" },
            body,
          });
          if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
          const r = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
          if (r.duplicates) console.error(`batch answered ${r.accepted} accepted, ${r.duplicates} duplicates`);
          if (r.rejected.length && !reportedRejection) {
            reportedRejection = true;
            console.error("rejected items, first:", JSON.stringify(r.rejected[0]));
          }
          accepted += r.accepted;
        }
      }),
    );
    const httpSeconds = (performance.now() - t0) / 1000;
    if (accepted !== TOTAL) throw new Error(`accepted ${accepted} of ${TOTAL}`);
    const httpRate = TOTAL / httpSeconds;
    const rss = peakRssMb(server.pid!);

    // Raw COPY of the same rows (telemetry columns) into the same partitioned table.
    const client = new pg.Client({ connectionString: fresh.url });
    await client.connect();
    const ids = await client.query<{ plant_id: string; connector_id: string }>(
      `SELECT c.plant_id, c.id AS connector_id FROM connector c JOIN plant p ON p.id = c.plant_id JOIN plant_system s ON s.id = c.system_id WHERE p.code = 'DE-HAM' AND s.kind = 'ODOO'`,
    );
    const ifaces = new Map((await client.query<{ code: string; id: string }>("SELECT code, id FROM interface")).rows.map((r) => [r.code, r.id]));
    const { plant_id, connector_id } = ids.rows[0]!;
    const csv = (v: string | number | null) => (v === null ? "" : `"${String(v).replace(/"/g, '""')}"`);
    const lines = events.map(
      (e) =>
        `${[
          e.occurredAt,
          connector_id,
          plant_id,
          ifaces.get(e.interface)!,
          e.eventId,
          e.correlationId,
          e.messageId,
          e.businessKey,
          e.hop.source,
          e.hop.target,
          e.outcome.toUpperCase(),
          e.latencyMs,
          e.attempt,
          e.error ? "BUSINESS" : null,
          e.error?.code ?? null,
        ]
          .map(csv)
          .join(",")}\n`,
    );
    const t1 = performance.now();
    const stream = client.query(
      copyFrom(`COPY telemetry_event (occurred_at, connector_id, plant_id, interface_id, event_id, correlation_id, message_id, business_key,
                hop_source, hop_target, outcome, latency_ms, attempt, error_category, error_code) FROM STDIN WITH (FORMAT csv)`),
    );
    await pipeline(Readable.from(lines), stream);
    const copySeconds = (performance.now() - t1) / 1000;
    await client.end();
    const copyRate = TOTAL / copySeconds;

    console.log(`HTTP ingest (end to end, committed): ${httpRate.toFixed(0)} events/s (${httpSeconds.toFixed(1)} s)`);
    console.log(`raw COPY, same rows, same table:     ${copyRate.toFixed(0)} rows/s (${copySeconds.toFixed(1)} s)`);
    console.log(`ratio HTTP / COPY:                   ${(httpRate / copyRate).toFixed(2)}   (target ≥ 0.5)`);
    console.log(`server peak RSS (VmHWM):             ${rss.toFixed(0)} MB   (target < 500 MB)`);
    report({
      bench: "ingest",
      params: `${TOTAL.toLocaleString("en")} events, ${SENDERS} senders, batches of ${BATCH}, gzip`,
      figures: [
        { name: "HTTP ingest, committed", value: Math.round(httpRate), unit: "events/s" },
        { name: "raw COPY, same rows", value: Math.round(copyRate), unit: "rows/s" },
        against("ingest / COPY", Number((httpRate / copyRate).toFixed(2)), "×", "≥", 0.5),
        against("server peak RSS", Math.round(rss), "MB", "<", 500),
      ],
    });
  } finally {
    await portal.stop();
    await fresh.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
