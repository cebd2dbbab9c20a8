import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import type { FindingKind, FindingStatus } from "../../server/db/generated/enums";
import { acknowledgeFinding } from "../../server/findings/acknowledge-finding";
import { assignFinding } from "../../server/findings/assign-finding";
import { findingDetail } from "../../server/findings/finding-detail";
import { findingsPage, listFindings, parseFindingFilter } from "../../server/findings/list-findings";
import { plantFindings } from "../../server/findings/plant-findings";
import { processView } from "../../server/findings/process-view";
import { findingsSummary } from "../../server/findings/summary";
import { AppError } from "../../server/http/errors";
import { errorResponse } from "../../server/http/handler";
import { ingestEvents } from "../../server/ingest/ingest-events";

/**
 * What people see of the flow monitor's findings, on the real database: the queue and the detail are
 * scoped to the user's plants (a manager of another plant gets 404 and never a row, not even in counts),
 * filters compose, pages do not overlap, hostile query strings are a 400, acknowledging is conditional
 * (two at once: one wins, the other is a 409) and audited, and the dashboard summary and the process view
 * count the same open findings. Findings are written here as the monitor writes them (server/monitor).
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let admin: Actor, manager: Actor, managerMty: Actor, operator: Actor, auditor: Actor;
const plants: Record<string, string> = {};
const ifaces: Record<string, string> = {};
const tag = randomUUID().slice(0, 8);

async function finding(plant: string, iface: string, kind: FindingKind, opts: { status?: FindingStatus; transactionId?: string; openedAt?: Date } = {}) {
  const openedAt = opts.openedAt ?? new Date();
  const subjectKey =
    kind === "LATE"
      ? (opts.transactionId ?? randomUUID())
      : kind === "MISSED_RUN"
        ? `${plants[plant]}:${ifaces[iface]}:${openedAt.toISOString()}`
        : `${plants[plant]}:${ifaces[iface]}:${tag}:${randomUUID()}`;
  return db().finding.create({
    data: {
      plantId: plants[plant]!,
      interfaceId: ifaces[iface]!,
      kind,
      status: opts.status ?? "OPEN",
      subjectKey,
      severity: "HIGH",
      summary: `${kind} ${iface} at ${plant} (${tag})`,
      detail: kind === "STOPPED" ? { expectedMin: 10, actual: 0, windowMinutes: 60 } : {},
      transactionId: opts.transactionId ?? null,
      openedAt,
      lastEvaluatedAt: openedAt,
      ...(opts.status === "RESOLVED" ? { resolvedAt: new Date(), resolution: "traffic_resumed" } : {}),
    },
  });
}

/** A message received at DE-HAM and not delivered (what a LATE finding is about). */
async function receivedMessage(): Promise<{ id: string; correlationId: string }> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "MES" } } });
  const correlationId = `late-${tag}`;
  await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, [
    {
      ok: true as const,
      value: {
        eventId: randomUUID(),
        correlationId,
        messageId: `CONF-${tag}`,
        interface: "PRODORD_CONFIRM",
        hop: { source: "MES", target: "SAP_ERP" },
        businessKey: `1004712/0010-${tag}`,
        occurredAt: new Date(Date.now() - 30 * 60_000).toISOString(),
        outcome: "received" as const,
        latencyMs: 0,
        attempt: 1,
        payload: { quantity: 5 },
      },
    },
  ]);
  const t = await db().transaction.findFirstOrThrow({ where: { messageId: `CONF-${tag}` } });
  return { id: t.id, correlationId };
}

/** The status a route handler would answer for what a domain function threw. */
async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    return errorResponse(err).status;
  }
}

let stoppedHam: string, lateHam: string, lateMty: string, missedWro: string, resolvedHam: string;
let lateTx: { id: string; correlationId: string };

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [admin, manager, managerMty, operator, auditor] = (await Promise.all(
    ["admin@andon.local", "manager@andon.local", "manager.mty@andon.local", "operator@andon.local", "auditor@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor, Actor];
  for (const p of await db().plant.findMany()) plants[p.code] = p.id;
  for (const i of await db().interface.findMany()) ifaces[i.code] = i.id;
  // Exact counts below: this file's findings only (files run one after another on one database).
  await db().finding.deleteMany({});
  lateTx = await receivedMessage();
  const base = Date.now() - 3_600_000;
  stoppedHam = (await finding("DE-HAM", "PRODORD_CONFIRM", "STOPPED", { openedAt: new Date(base) })).id;
  lateHam = (await finding("DE-HAM", "PRODORD_CONFIRM", "LATE", { transactionId: lateTx.id, openedAt: new Date(base + 1000) })).id;
  lateMty = (await finding("MX-MTY", "SUPPLIER_ASN", "LATE", { openedAt: new Date(base + 2000) })).id;
  missedWro = (await finding("PL-WRO", "FORECAST_IMPORT", "MISSED_RUN", { openedAt: new Date(base + 3000) })).id;
  resolvedHam = (await finding("DE-HAM", "GOODS_MOVEMENT", "STOPPED", { status: "RESOLVED", openedAt: new Date(base + 4000) })).id;
});

describe("findings: scope", () => {
  it("a manager lists only their plants' findings, in counts too; another plant's finding is 404 to read and to act on", async () => {
    const mine = await listFindings(manager, { status: "all" });
    expect(mine.items.map((f) => f.id).sort()).toEqual([stoppedHam, lateHam, missedWro, resolvedHam].sort());
    expect(mine.counts.byStatus).toEqual({ OPEN: 3, ACKNOWLEDGED: 0, RESOLVED: 1 });
    expect(mine.counts.openByKind).toEqual({ LATE: 1, STOPPED: 1, FLOOD: 0, MISSED_RUN: 1 });

    const theirs = await listFindings(managerMty, { status: "all" });
    expect(theirs.items.map((f) => f.id)).toEqual([lateMty]);
    expect(theirs.matching).toBe(1);
    // Asking for another plant by name does not widen the scope.
    expect((await listFindings(managerMty, { plant: "DE-HAM", status: "all" })).items).toEqual([]);

    expect(await statusOf(findingDetail(managerMty, stoppedHam))).toBe(404);
    expect(await statusOf(acknowledgeFinding(managerMty, stoppedHam))).toBe(404);
    expect(await statusOf(assignFinding(managerMty, stoppedHam, { assigneeId: managerMty.id }))).toBe(404);
    expect(await statusOf(findingDetail(manager, randomUUID()))).toBe(404);
    expect(await statusOf(findingDetail(manager, "not-a-uuid"))).toBe(404);
    // Every plant for those who see every plant; an auditor reads but does not handle.
    expect((await listFindings(auditor, { status: "all" })).items).toHaveLength(5);
    expect(await statusOf(findingDetail(auditor, lateMty))).toBe(200);
    expect(await statusOf(acknowledgeFinding(auditor, lateMty))).toBe(403);
    // Nothing changed by the refusals.
    expect((await db().finding.findUniqueOrThrow({ where: { id: stoppedHam } })).status).toBe("OPEN");
  });
});

describe("findings: filters and pages", () => {
  it("filters by plant, interface, kind, process and status compose; pages of one cover all without overlap", async () => {
    const ids = async (q: Record<string, string>) => (await listFindings(admin, q)).items.map((f) => f.id).sort();
    expect(await ids({})).toEqual([stoppedHam, lateHam, lateMty, missedWro].sort()); // open by default
    expect(await ids({ plant: "DE-HAM" })).toEqual([stoppedHam, lateHam].sort());
    expect(await ids({ plant: "DE-HAM,MX-MTY", kind: "LATE" })).toEqual([lateHam, lateMty].sort());
    expect(await ids({ interface: "PRODORD_CONFIRM", kind: "STOPPED" })).toEqual([stoppedHam]);
    expect(await ids({ process: "PLANNING" })).toEqual([missedWro]);
    expect(await ids({ process: "PROCURE_TO_RECEIPT,PLANNING" })).toEqual([lateMty, missedWro].sort());
    expect(await ids({ status: "RESOLVED" })).toEqual([resolvedHam]);
    expect(await ids({ plant: "DE-HAM", status: "all", kind: "STOPPED" })).toEqual([stoppedHam, resolvedHam].sort());
    expect(await ids({ plant: "NO-SUCH" })).toEqual([]);

    for (const sort of ["recent", "oldest"]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listFindings(admin, { status: "all", sort, limit: "2", ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((f) => f.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
      expect(seen[0]).toBe(sort === "recent" ? resolvedHam : stoppedHam);
    }
  });

  it("hostile query strings are a 400, never a 5xx", async () => {
    const hostile: Record<string, string>[] = [
      { limit: "-1" },
      { limit: "1e309" },
      { limit: "99999999999999999999999" },
      { kind: "BOGUS" },
      { kind: "LATE,,'; DROP TABLE finding;--" },
      { status: "open,all" },
      { status: "A".repeat(6000) },
      { process: "__proto__" },
      { plant: "DE-HAM\u0000" },
      { plant: "%27%20OR%201%3D1--" },
      { interface: "A".repeat(6000) },
      { assignee: "someone" },
      { sort: "severity" },
      { cursor: "A".repeat(6000) },
    ];
    for (const q of hostile) {
      const status = await statusOf(listFindings(manager, q));
      expect(status, JSON.stringify(q).slice(0, 80)).toBe(400);
    }
    // The page parses leniently: what it cannot parse falls back to the defaults, the rest still filters.
    const lenient = parseFindingFilter({ plant: "DE-HAM", kind: ["LATE", "BOGUS"], limit: "-1", process: "ORDER_TO_PRODUCTION" });
    expect(lenient).toMatchObject({ plant: ["DE-HAM"], kind: [], limit: 50, process: ["ORDER_TO_PRODUCTION"], status: "open" });
    expect((await findingsPage(manager, lenient)).items.map((f) => f.id).sort()).toEqual([stoppedHam, lateHam].sort());
    // A cursor that does not decode is the first page, not an error.
    expect((await listFindings(manager, { cursor: "%ff%00" })).items.length).toBeGreaterThan(0);
    await expect(listFindings(manager, { kind: "BOGUS" })).rejects.toBeInstanceOf(ZodError);
  });
});

describe("findings: detail", () => {
  it("a late finding shows its message and timeline; a stopped one its expectation and last message; a missed run its schedule", async () => {
    const late = await findingDetail(manager, lateHam);
    expect(late.kind).toBe("LATE");
    expect(late.businessKey).toBe(`1004712/0010-${tag}`);
    expect(late.late?.correlationId).toBe(lateTx.correlationId);
    expect(late.late?.status).toBe("IN_FLIGHT");
    expect(late.late?.lateAfterMs).toBe(3 * 120_000);
    expect(late.late?.timeline.map((e) => e.outcome)).toEqual(["received"]);

    await db().flowExpectation.upsert({
      where: { plantId_interfaceId: { plantId: plants["DE-HAM"]!, interfaceId: ifaces.PRODORD_CONFIRM! } },
      create: { plantId: plants["DE-HAM"]!, interfaceId: ifaces.PRODORD_CONFIRM!, windowMinutes: 30, minCount: 10, maxCount: 400 },
      update: { windowMinutes: 30, minCount: 10, maxCount: 400 },
    });
    const stopped = await findingDetail(manager, stoppedHam);
    expect(stopped.flow?.expectation).toMatchObject({ windowMinutes: 30, minCount: 10, maxCount: 400 });
    expect(stopped.flow?.lastMessageAt).not.toBeNull(); // the received confirmation above
    expect(stopped.figures).toEqual({ expectedMin: 10, actual: 0, windowMinutes: 60 });

    await db().batchSchedule.upsert({
      where: { plantId_interfaceId: { plantId: plants["PL-WRO"]!, interfaceId: ifaces.FORECAST_IMPORT! } },
      create: { plantId: plants["PL-WRO"]!, interfaceId: ifaces.FORECAST_IMPORT!, cron: "0 6 * * *", completeWithinMinutes: 45 },
      update: { cron: "0 6 * * *", completeWithinMinutes: 45 },
    });
    const missed = await findingDetail(manager, missedWro);
    expect(missed.run?.schedule).toMatchObject({ cron: "0 6 * * *", completeWithinMinutes: 45, minMessages: 1 });
    expect(new Date(missed.run!.deadline!).getTime() - new Date(missed.run!.scheduledAt!).getTime()).toBe(45 * 60_000);
    expect(missed.run?.delivered).toBe(0);
    expect(missed.run?.failed).toBe(0);
  });
});

describe("findings: acknowledge and assign", () => {
  it("two acknowledges at once: one succeeds, the other is a 409; one audit row, in the finding's plant", async () => {
    const other = await actor("operator@andon.local");
    const results = await Promise.allSettled([acknowledgeFinding(manager, stoppedHam), acknowledgeFinding(other, stoppedHam)]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(AppError);
    expect((refused[0]!.reason as AppError).status).toBe(409);
    const row = await db().finding.findUniqueOrThrow({ where: { id: stoppedHam } });
    expect(row.status).toBe("ACKNOWLEDGED");
    expect(row.acknowledgedAt).not.toBeNull();
    const audit = await db().auditEvent.findMany({ where: { type: "finding.acknowledged", subjectId: stoppedHam } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.plantId).toBe(plants["DE-HAM"]);
    expect(audit[0]!.actorId).toBe(row.acknowledgedById);
    expect(audit[0]!.data).toMatchObject({ findingId: stoppedHam, kind: "STOPPED", statusFrom: "OPEN", statusTo: "ACKNOWLEDGED" });
    // Acknowledged again later: still a 409, nothing more audited; a resolved finding cannot be acknowledged.
    expect(await statusOf(acknowledgeFinding(manager, stoppedHam))).toBe(409);
    expect(await statusOf(acknowledgeFinding(manager, resolvedHam))).toBe(409);
    expect(await db().auditEvent.count({ where: { type: "finding.acknowledged", subjectId: { in: [stoppedHam, resolvedHam] } } })).toBe(1);
    // Acknowledged findings are still open (listed, counted) until the monitor finds them cleared.
    expect((await listFindings(manager, {})).counts.byStatus).toMatchObject({ OPEN: 2, ACKNOWLEDGED: 1 });
  });

  it("assign and release are audited; the assignee must handle the plant's findings", async () => {
    const taken = await assignFinding(operator, lateHam, { assigneeId: operator.id });
    expect(taken.assignee?.id).toBe(operator.id);
    expect((await listFindings(operator, { assignee: "me" })).items.map((f) => f.id)).toEqual([lateHam]);
    await assignFinding(operator, lateHam, { assigneeId: null });
    const audit = await db().auditEvent.findMany({ where: { type: "finding.assigned", subjectId: lateHam }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.data)).toMatchObject([
      { from: null, to: "operator@andon.local" },
      { from: "operator@andon.local", to: null },
    ]);
    expect(await statusOf(assignFinding(manager, lateHam, { assigneeId: managerMty.id }))).toBe(422); // MX-MTY only
    expect(await statusOf(assignFinding(manager, lateHam, { assigneeId: auditor.id }))).toBe(422); // reads only
    expect(await statusOf(assignFinding(manager, lateHam, { assigneeId: "x" }))).toBe(400);
    expect(await statusOf(assignFinding(manager, lateHam, { assigneeId: null, extra: 1 }))).toBe(400);
    expect(await statusOf(assignFinding(manager, resolvedHam, { assigneeId: null }))).toBe(409);
  });
});

describe("findings: dashboard summary and process view", () => {
  it("the summary counts open findings per kind and interface of the plants asked for", async () => {
    const s = await findingsSummary([plants["DE-HAM"]!, plants["MX-MTY"]!, plants["US-CLT"]!]);
    expect(Object.keys(s).sort()).toEqual([plants["DE-HAM"], plants["MX-MTY"], plants["US-CLT"]].sort());
    const ham = s[plants["DE-HAM"]!]!;
    expect(ham.open).toBe(2);
    expect(ham.unacknowledged).toBe(1); // the stopped flow was acknowledged above
    expect(ham.byKind).toEqual({ LATE: 1, STOPPED: 1, FLOOD: 0, MISSED_RUN: 0 });
    expect(ham.byInterface.map((x) => [x.code, x.kind, x.count])).toEqual([
      ["PRODORD_CONFIRM", "STOPPED", 1],
      ["PRODORD_CONFIRM", "LATE", 1],
    ]);
    expect(s[plants["US-CLT"]!]!.open).toBe(0);
    // The summary as of an instant before the findings opened counts none of them.
    expect((await findingsSummary([plants["DE-HAM"]!], new Date(Date.now() - 2 * 3_600_000)))[plants["DE-HAM"]!]!.open).toBe(0);
  });

  it("the plant page's panel: open findings of the plant, the stopped flow among the three silences; another plant is 404", async () => {
    const panel = await plantFindings(manager, "DE-HAM");
    expect(panel.open.map((f) => f.id).sort()).toEqual([stoppedHam, lateHam].sort());
    expect(panel.summary.byKind.STOPPED).toBe(1);
    expect(panel.silences.flowStopped.map((f) => [f.findingId, f.interfaceCode])).toEqual([[stoppedHam, "PRODORD_CONFIRM"]]);
    expect(await statusOf(plantFindings(managerMty, "DE-HAM"))).toBe(404);
    expect(await statusOf(plantFindings(manager, "NO-SUCH"))).toBe(404);
  });

  it("the process view: processes × the user's plants, the worst state wins, links to the filtered findings", async () => {
    const view = await processView(manager);
    expect(view.plants.map((p) => p.code)).toEqual(["DE-HAM", "PL-WRO"]);
    expect(view.cells).toHaveLength(view.processes.length * 2);
    expect(view.cells.some((c) => c.plantCode === "MX-MTY")).toBe(false);
    const cell = (plant: string, process: string) => view.cells.find((c) => c.plantCode === plant && c.process === process)!;
    const o2p = cell("DE-HAM", "ORDER_TO_PRODUCTION");
    expect(o2p.state).toBe("stopped"); // stopped outranks the late confirmation and any open exception
    expect(o2p.counts).toMatchObject({ stopped: 1, late: 1, missedRun: 0, flood: 0 });
    expect(o2p.interfaces).toContain("PRODORD_CONFIRM");
    expect(o2p.findingsHref).toBe("/findings?plant=DE-HAM&process=ORDER_TO_PRODUCTION");
    expect(cell("PL-WRO", "PLANNING")).toMatchObject({ state: "stopped", counts: { missedRun: 1 } });
    // Open exceptions of the process's interfaces count as failing, exactly as the queue counts them.
    const failing = await db().exception.count({
      where: { plantId: plants["DE-HAM"]!, interface: { process: "QUALITY" }, status: { notIn: ["RESOLVED", "DISCARDED"] } },
    });
    expect(cell("DE-HAM", "QUALITY").counts.failing).toBe(failing);
    expect(cell("DE-HAM", "QUALITY").state).toBe(failing > 0 ? "failing" : "ok");
    // DE-HAM runs no finance interface.
    expect(cell("DE-HAM", "FINANCE").state).toBe("none");

    // Once the stopped flow clears (the monitor resolves it), the cell shows what is left: the late message.
    await db().finding.update({ where: { id: stoppedHam }, data: { status: "RESOLVED", resolvedAt: new Date(), resolution: "traffic_resumed" } });
    const after = (await processView(manager)).cells.find((c) => c.plantCode === "DE-HAM" && c.process === "ORDER_TO_PRODUCTION")!;
    expect(after.counts.stopped).toBe(0);
    expect(["late", "failing"]).toContain(after.state);
  });
});
