/**
 * Every change of an exception's status leaves one audit event, in the same transaction, in the chain:
 * follows single exceptions from ingest to resolution through both replay modes, and the lifecycle's
 * set-based writer, which the raw-SQL paths (ingest, replay claim, lease, settle) go through, refuses
 * what the lifecycle does not allow.
 * Guards against: a status written by ingest, the replay worker or a pull lease that nobody can trace.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { startReplayPushServer } from "../../connectors/sdk";
import type { ReplayOutcome } from "../../connectors/sdk/replay";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { db, pool } from "../../server/db";
import type { ExceptionStatus } from "../../server/db/generated/enums";
import { assignException } from "../../server/exceptions/assign-exception";
import { statusesInto, transitionExceptionsWithPg } from "../../server/exceptions/transition";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { type ReplayJob, deliverReplays } from "../../server/replay/deliver-replay";
import { leaseReplays, reportReplayResult } from "../../server/replay/pull";
import { requestReplay } from "../../server/replay/request-replay";
import { type Workers, startQueueClient } from "../../server/workers";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
type Conn = { connectorId: string; connectorName: string; plantId: string; plantCode: string };
let operator: Actor;
let queue: Workers;
let push: { url: string; close: () => Promise<void> };
const secret = randomBytes(24).toString("hex");
/** The push target's answer, per message id (delivered unless said otherwise). */
const answers = new Map<string, ReplayOutcome>();
// PRODORD_RELEASE (SAP → Odoo, no second person for replays): pull to US-CLT's Odoo, push to PL-WRO's.
const PULL_PLANT = "US-CLT";
const PUSH_PLANT = "PL-WRO";

const connector = async (plantCode: string, kind: "SAP_ERP" | "ODOO"): Promise<Conn> => {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: plantCode }, system: { kind } } });
  return { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode };
};

/** One event of message `messageId` reported by the plant's SAP connector. */
async function report(plantCode: string, messageId: string, outcome: "failed" | "delivered", code = "HTTP-503") {
  const r = await ingestEvents(await connector(plantCode, "SAP_ERP"), [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: `corr-${messageId}`,
        messageId,
        interface: "PRODORD_RELEASE",
        hop: { source: "SAP_ERP", target: "ODOO" },
        occurredAt: new Date().toISOString(),
        outcome,
        latencyMs: 120,
        attempt: 1,
        payload: { order: messageId },
        ...(outcome === "failed" ? { error: { category: "technical" as const, code, message: "Odoo unavailable" } } : {}),
      },
    },
  ]);
  expect(r.rejected).toEqual([]);
}

const statusOf = async (id: string) => (await db().exception.findUniqueOrThrow({ where: { id } })).status;
const trail = (id: string) => db().auditEvent.findMany({ where: { subjectType: "exception", subjectId: id }, orderBy: { id: "asc" } });
const replayOf = (exceptionId: string) => db().replay.findFirstOrThrow({ where: { exceptionId }, orderBy: { createdAt: "desc" } });

async function jobOf(replayId: string): Promise<ReplayJob> {
  const { rows } = await pool().query<{ id: string; retry_count: number; retry_limit: number }>(
    "SELECT id, retry_count, retry_limit FROM pgboss.job WHERE name = 'replay.deliver' AND data->>'replayId' = $1 ORDER BY created_on DESC LIMIT 1",
    [replayId],
  );
  const j = rows[0]!;
  return { id: j.id, data: { replayId }, retryCount: j.retry_count, retryLimit: j.retry_limit };
}

type Step = { label: string; from: ExceptionStatus | null; to: ExceptionStatus; events: { type: string; actorType: string; data: Record<string, unknown> }[] };

/**
 * Runs the steps one after another on one exception, collecting after each the status and the audit
 * events it added; then checks that a step that moved the status added one event per move, chained
 * from the status before to the status after (statusFrom/statusTo where the event type carries them),
 * and that a step that did not move it recorded no move.
 */
async function follow(messageId: string, steps: [label: string, run: (id: string) => Promise<unknown>][]): Promise<Step[]> {
  let id = "";
  let from: ExceptionStatus | null = null;
  let seen = 0;
  const out: Step[] = [];
  for (const [label, run] of steps) {
    await run(id);
    if (!id) id = (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
    const to = await statusOf(id);
    const all = await trail(id);
    out.push({ label, from, to, events: all.slice(seen).map((e) => ({ type: e.type, actorType: e.actorType, data: e.data as Record<string, unknown> })) });
    seen = all.length;
    from = to;
  }
  for (const s of out) {
    const moves = s.events.filter((e) => "statusTo" in e.data && e.data.statusTo !== e.data.statusFrom);
    if (s.from === s.to) expect(moves, `${s.label}: no status move recorded`).toEqual([]);
    else if (moves.length === 0)
      expect(s.events, `${s.label}: one event for ${s.from} → ${s.to}`).toHaveLength(1); // a type that implies its move (replay.requested)
    else {
      // One event per move, chained: from the status before the step to the status after it.
      expect(moves, `${s.label}: every event is a move`).toHaveLength(s.events.length);
      let at: string | null = s.from;
      for (const m of moves) {
        if ("statusFrom" in m.data) expect(m.data.statusFrom, s.label).toBe(at);
        at = m.data.statusTo as string;
      }
      expect(at, s.label).toBe(s.to);
    }
  }
  return out;
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  operator = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "operator@andon.local" } })).id))!;
  queue = await startQueueClient(inject("databaseUrl"));
  push = await startReplayPushServer({
    secret,
    handler: { deliver: async (job) => answers.get(job.messageId) ?? { status: "delivered", durationMs: 1 } },
  });
  const odoo = async (plantCode: string) => (await connector(plantCode, "ODOO")).connectorId;
  await db().connector.update({ where: { id: await odoo(PULL_PLANT) }, data: { replayUrl: null, replaySecret: null } });
  await db().connector.update({
    where: { id: await odoo(PUSH_PLANT) },
    data: { replayUrl: push.url, replaySecret: secret, replayAllowPrivate: true, replayRatePerSec: 1000 },
  });
});

afterAll(async () => {
  const odoo = await connector(PUSH_PLANT, "ODOO");
  await db().connector.update({
    where: { id: odoo.connectorId },
    data: { replayUrl: null, replaySecret: null, replayRatePerSec: 20, replayFailures: 0, replayPausedUntil: null },
  });
  await queue?.stop();
  await push?.close();
});

describe("every status change of an exception is audited", () => {
  it("pull: opened by ingest → failed again (another error, then the same) → assigned → replay requested → leased (replaying) → resolved, one event per move, chain intact", async () => {
    const messageId = `AUD-PULL-${randomUUID()}`;
    const steps = await follow(messageId, [
      ["opened by ingest", () => report(PULL_PLANT, messageId, "failed")],
      ["another failure, another error", () => report(PULL_PLANT, messageId, "failed", "HTTP-502")],
      ["the same failure again", () => report(PULL_PLANT, messageId, "failed", "HTTP-502")],
      ["assigned", (id) => assignException(operator, id, { assigneeId: operator.id })],
      ["replay requested", (id) => requestReplay(operator, id, {})],
      ["leased by the connector", async () => expect(await leaseReplays(await connector(PULL_PLANT, "ODOO"), { wait: 0 })).toHaveLength(1)],
      ["delivered", async (id) => reportReplayResult(await connector(PULL_PLANT, "ODOO"), (await replayOf(id)).id, { status: "delivered", durationMs: 40 })],
    ]);
    expect(steps.map((s) => [s.label, s.to, s.events.map((e) => e.type)])).toEqual([
      ["opened by ingest", "NEW", ["exception.opened"]],
      ["another failure, another error", "NEW", ["exception.reoccurred"]],
      ["the same failure again", "NEW", []], // on record in telemetry and the message's hops; no change to audit
      ["assigned", "TRIAGED", ["exception.assigned"]],
      ["replay requested", "REPLAY_QUEUED", ["replay.requested"]],
      ["leased by the connector", "REPLAYING", ["replay.delivering"]],
      ["delivered", "RESOLVED", ["replay.succeeded"]],
    ]);
    const [opened, again, , , , leased, succeeded] = steps.map((s) => s.events[0]!);
    expect(opened).toMatchObject({
      actorType: "connector",
      data: { statusTo: "NEW", messageId, interfaceCode: "PRODORD_RELEASE", errorCode: "HTTP-503", occurrences: 1 },
    });
    expect(again).toMatchObject({
      actorType: "connector",
      data: { status: "NEW", occurrences: 2, added: 1, before: { errorCode: "HTTP-503" }, after: { errorCode: "HTTP-502" } },
    });
    expect((await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).occurrences).toBe(3);
    expect(leased).toMatchObject({ actorType: "connector", data: { mode: "pull", statusFrom: "REPLAY_QUEUED", statusTo: "REPLAYING" } });
    expect(succeeded).toMatchObject({ actorType: "system", data: { statusFrom: "REPLAYING", statusTo: "RESOLVED" } });
    expect((await verifyChain()).ok).toBe(true);
  });

  it("push: claimed by the worker (replaying), refused by the target (replay failed), then recovered at source (resolved)", async () => {
    const messageId = `AUD-PUSH-${randomUUID()}`;
    answers.set(messageId, { status: "failed", category: "business", code: "ORDER_LOCKED", message: "Order is being edited", durationMs: 1 });
    const steps = await follow(messageId, [
      ["opened by ingest", () => report(PUSH_PLANT, messageId, "failed")],
      ["replay requested", (id) => requestReplay(operator, id, {})],
      ["delivered by the worker, refused", async (id) => deliverReplays([await jobOf((await replayOf(id)).id)])],
      ["the source delivered it", () => report(PUSH_PLANT, messageId, "delivered")],
    ]);
    // The worker's claim (→ replaying) and its settle (→ replay failed) are one step here: two moves, two events.
    expect(steps.map((s) => [s.label, s.to, s.events.map((e) => e.type)])).toEqual([
      ["opened by ingest", "NEW", ["exception.opened"]],
      ["replay requested", "REPLAY_QUEUED", ["replay.requested"]],
      ["delivered by the worker, refused", "REPLAY_FAILED", ["replay.delivering", "replay.failed"]],
      ["the source delivered it", "RESOLVED", ["exception.resolved"]],
    ]);
    const [claimed, failed] = steps[2]!.events;
    expect(claimed).toMatchObject({ actorType: "system", data: { mode: "push", statusFrom: "REPLAY_QUEUED", statusTo: "REPLAYING" } });
    expect(failed).toMatchObject({ actorType: "system", data: { code: "ORDER_LOCKED", statusFrom: "REPLAYING", statusTo: "REPLAY_FAILED" } });
    expect(steps[3]!.events[0]).toMatchObject({
      actorType: "connector",
      data: { resolution: "recovered_at_source", statusFrom: "REPLAY_FAILED", statusTo: "RESOLVED" },
    });
    expect((await verifyChain()).ok).toBe(true);
  });
});

describe("the lifecycle's set-based writer", () => {
  it("reads the allowed moves from the lifecycle", () => {
    expect(statusesInto("REPLAYING")).toEqual(["REPLAY_QUEUED"]);
    expect(statusesInto("NEW")).not.toContain("RESOLVED");
  });

  it("writes no illegal transition, whatever the caller asks, and audits each move it makes", async () => {
    const messageId = `AUD-GUARD-${randomUUID()}`;
    await report(PULL_PLANT, messageId, "failed");
    const id = (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
    const client = await pool().connect();
    try {
      await client.query("BEGIN");
      const audit = () => ({
        type: "plant.updated" as const,
        actor: { type: "system" as const, label: "test" },
        data: { before: { name: "", timezone: "" }, after: { name: "", timezone: "" } },
      });
      // NEW → REPLAYING skips the queue, NEW → NEW is no move: nothing is written even when the caller lists NEW as expected.
      expect((await transitionExceptionsWithPg(client, { moves: [{ id, to: "REPLAYING" }], from: ["NEW"], audit })).moved).toEqual([]);
      // Expected in another status: nothing either.
      expect((await transitionExceptionsWithPg(client, { moves: [{ id, to: "TRIAGED" }], from: ["REPLAY_QUEUED"], audit })).moved).toEqual([]);
      // A legal move from an expected status is made, with the status it left and one event.
      const ok = await transitionExceptionsWithPg(client, {
        moves: [
          { id, to: "DISCARDED", resolution: "discarded" },
          { id, to: "DISCARDED", resolution: "discarded" },
        ],
        from: ["NEW"],
        audit,
      });
      expect(ok.moved).toMatchObject([{ id, statusFrom: "NEW", status: "DISCARDED" }]);
      expect(ok.events).toHaveLength(1);
      // And nothing leaves DISCARDED.
      expect((await transitionExceptionsWithPg(client, { moves: [{ id, to: "REPLAY_QUEUED" }], from: ["DISCARDED"], audit })).moved).toEqual([]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
    expect(await statusOf(id)).toBe("NEW");
  });
});
