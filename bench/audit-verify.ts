/**
 * Audit chain verification over a large trail. Not a test: prints its figures.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npx tsx bench/audit-verify.ts [events=1000000] [runs=3]
 *
 * A fresh database is filled with N audit events forming one valid chain: the bench computes every
 * hash itself with the app's eventHash (same canonical fields as server/audit writes) and loads the
 * rows with COPY (the append-only triggers refuse UPDATE/DELETE/TRUNCATE, not INSERT). Event shapes
 * are those the app writes most: exception assigned/commented/discarded, replay requested/finished,
 * exceptions resolved at source, corrections, sign-ins; user, connector and system actors, with and
 * without plant and subject. Then verifyChain walks the whole chain `runs` times (each run timed; the
 * table is vacuumed first so no run pays for hint bits). BENCH_KEEP_DB=1 keeps the database.
 */
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { createFreshDatabase } from "../tests/support/database";
import { report } from "./support/results";

const N = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const GENESIS = "0".repeat(64);

type Actor = { type: "user" | "connector"; id: string; label: string } | { type: "system" | "anonymous"; label: string };
type Event = { type: string; actor: Actor; plantId: string | null; subject: { type: string; id: string } | null; data: Record<string, unknown> };

const plants = Array.from({ length: 12 }, () => randomUUID());
const users = Array.from({ length: 40 }, (_, i) => ({ type: "user" as const, id: randomUUID(), label: `operator${i}@plant.example` }));
const connectors = plants.map((_p, i) => ({ type: "connector" as const, id: randomUUID(), label: `SAP ERP connector ${i + 1}` }));
const system = { type: "system" as const, label: "andon" };
const statuses = ["NEW", "TRIAGED", "CORRECTING", "AWAITING_APPROVAL", "APPROVED", "REPLAY_QUEUED"];

/** Deterministic-enough pseudo-random (fast; the content only has to look like the app's). */
let seed = 0x2545f491;
function rnd(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
const hex = (len: number) => {
  let s = "";
  while (s.length < len) s += (Math.random() * 2 ** 52).toString(16).padStart(13, "0");
  return s.slice(0, len);
};

function makeEvent(i: number): Event {
  const plantId = pick(plants);
  const exceptionId = randomUUID();
  const bulk = rnd(10) === 0 ? { bulkId: randomUUID() } : {};
  const k = rnd(100);
  if (k < 30) {
    const from = rnd(3) === 0 ? null : pick(users).id;
    return {
      type: "exception.assigned",
      actor: pick(users),
      plantId,
      subject: { type: "exception", id: exceptionId },
      data: { from, to: pick(users).id, statusFrom: pick(statuses), statusTo: "TRIAGED", ...bulk },
    };
  }
  if (k < 50) {
    const replayId = randomUUID();
    return {
      type: "replay.requested",
      actor: pick(users),
      plantId,
      subject: { type: "exception", id: exceptionId },
      data: {
        replayId,
        idempotencyKey: `${exceptionId}:${replayId}`,
        correctionId: rnd(2) ? randomUUID() : null,
        payloadHash: hex(64),
        mode: rnd(4) ? "push" : "pull",
        asIs: rnd(3) === 0,
        ...bulk,
      },
    };
  }
  if (k < 62) {
    const ok = rnd(5) !== 0;
    return {
      type: ok ? "replay.succeeded" : "replay.failed",
      actor: system,
      plantId,
      subject: { type: "exception", id: exceptionId },
      data: {
        replayId: randomUUID(),
        idempotencyKey: `${exceptionId}:${i}`,
        attempts: 1 + rnd(3),
        code: ok ? null : "E_SAP_LOCKED",
        message: ok ? null : "Material 100-200 is locked by user BATCHJOB (Ü/ß ok)",
      },
    };
  }
  if (k < 75) {
    return {
      type: "exception.resolved",
      actor: pick(connectors),
      plantId,
      subject: { type: "exception", id: exceptionId },
      data: {
        resolution: "recovered_at_source",
        transactionId: randomUUID(),
        interfaceCode: `GOODS_MOVEMENT_${rnd(9)}`,
        messageId: `MSG-${i}-${hex(8)}`,
        deliveredAt: new Date(1_763_000_000_000 + i * 37).toISOString(),
      },
    };
  }
  if (k < 83) {
    return {
      type: "exception.commented",
      actor: pick(users),
      plantId,
      subject: { type: "exception", id: exceptionId },
      data: { commentId: randomUUID(), excerpt: `Checked with the warehouse: "bin ${rnd(999)}"\nline two\ttabbed \\ backslash`, ...bulk },
    };
  }
  if (k < 90) {
    return {
      type: "correction.saved",
      actor: pick(users),
      plantId,
      subject: { type: "exception", id: exceptionId },
      data: {
        correctionId: randomUUID(),
        patch: [
          { op: "replace", path: "/items/0/quantity", value: 1 + rnd(500) },
          { op: "replace", path: "/plant", value: "DE-HAM" },
        ],
        schemaValid: true,
        payloadHash: hex(64),
      },
    };
  }
  if (k < 94) {
    return {
      type: "exception.discarded",
      actor: pick(users),
      plantId,
      subject: { type: "exception", id: exceptionId },
      data: { reason: "duplicate of an already posted document", statusFrom: pick(statuses), ...bulk },
    };
  }
  if (k < 98) {
    const u = pick(users);
    return { type: "auth.sign_in", actor: u, plantId: null, subject: { type: "user", id: u.id }, data: { ip: `10.0.${rnd(255)}.${rnd(255)}` } };
  }
  return {
    type: "auth.sign_in_failed",
    actor: { type: "anonymous", label: "someone@example.com" },
    plantId: null,
    subject: null,
    data: { email: "someone@example.com", reason: "bad_password", ip: null },
  };
}

/** COPY text format: backslash, newline, CR and tab escaped; \N is NULL. */
function copyField(v: string | null): string {
  if (v === null) return "\\N";
  return /[\\\n\r\t]/.test(v) ? v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t") : v;
}

type EventHash = typeof import("../server/audit").eventHash;

async function fill(url: string, eventHash: EventHash): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET synchronous_commit = off");
    const start = Date.UTC(2026, 0, 1);
    let prevHash = GENESIS;
    let i = 0;
    const CHUNK = 2_000;
    const source = new Readable({
      read() {
        if (i >= N) {
          this.push(null);
          return;
        }
        const lines: string[] = [];
        for (const end = Math.min(N, i + CHUNK); i < end; i++) {
          const e = makeEvent(i);
          const occurredAt = new Date(start + i * 1_013).toISOString(); // ms precision, like the app's rows
          const fields = { occurredAt, type: e.type, actor: e.actor, plantId: e.plantId, subject: e.subject, data: e.data };
          const hash = eventHash(prevHash, fields);
          lines.push(
            [
              occurredAt,
              e.type,
              e.actor.type,
              "id" in e.actor ? e.actor.id : null,
              e.actor.label,
              e.plantId,
              e.subject?.type ?? null,
              e.subject?.id ?? null,
              JSON.stringify(e.data),
              prevHash,
              hash,
            ]
              .map(copyField)
              .join("\t"),
          );
          prevHash = hash;
        }
        this.push(`${lines.join("\n")}\n`);
      },
    });
    const copy = client.query(
      copyFrom("COPY audit_event (occurred_at, type, actor_type, actor_id, actor_label, plant_id, subject_type, subject_id, data, prev_hash, hash) FROM STDIN"),
    );
    await pipeline(source, copy);
    await client.query("VACUUM (ANALYZE) audit_event");
  } finally {
    await client.end();
  }
}

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  const fresh = await createFreshDatabase(base, "andon_bench");
  process.env.DATABASE_URL = fresh.url;
  process.env.LOG_LEVEL ??= "error";
  const { eventHash, verifyChain } = await import("../server/audit");
  const { closeDb, pool } = await import("../server/db");
  try {
    console.log(`audit verify: ${N.toLocaleString("en")} events, PostgreSQL at ${new URL(base).host}, database ${new URL(fresh.url).pathname.slice(1)}`);
    let t0 = performance.now();
    await fill(fresh.url, eventHash);
    const { rows } = await pool().query<{ size: string }>(`SELECT pg_size_pretty(pg_total_relation_size('audit_event')) AS size`);
    console.log(`filled (hashes computed + COPY + VACUUM ANALYZE) in ${((performance.now() - t0) / 1000).toFixed(1)} s; audit_event ${rows[0]!.size}`);
    const times: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      t0 = performance.now();
      const v = await verifyChain();
      const s = (performance.now() - t0) / 1000;
      times.push(s);
      console.log(
        `run ${run}: ${v.checked.toLocaleString("en")} events verified in ${s.toFixed(2)} s (${Math.round(v.checked / s).toLocaleString("en")} events/s), ok=${v.ok}${v.ok ? "" : ` broken at ${v.brokenAtId} (${v.reason})`}`,
      );
      if (!v.ok || v.checked !== N) throw new Error(`expected an intact chain of ${N} events`);
    }
    const best = Math.min(...times);
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
    console.log(`best: ${best.toFixed(2)} s, ${Math.round(N / best).toLocaleString("en")} events/s; median ${median.toFixed(2)} s`);
    report({
      bench: "audit-verify",
      params: `${N.toLocaleString("en")} events, ${RUNS} runs`,
      figures: [
        { name: "full chain verification, best", value: Number(best.toFixed(2)), unit: "s" },
        { name: "full chain verification, median", value: Number(median.toFixed(2)), unit: "s" },
        { name: "verified per second (best)", value: Math.round(N / best), unit: "events/s" },
      ],
    });
  } finally {
    await closeDb();
    if (process.env.BENCH_KEEP_DB === "1") console.log(`kept ${fresh.url}`);
    else await fresh.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
