import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import type { Severity } from "../../server/db/generated/enums";
import { acknowledgeHandover } from "../../server/handover/acknowledge-handover";
import { getHandover } from "../../server/handover/get-handover";
import { listHandovers } from "../../server/handover/list-handovers";
import { prepareHandovers } from "../../server/handover/prepare-handovers";
import { updateHandoverNotes } from "../../server/handover/update-handover-notes";
import { AppError } from "../../server/http/errors";

/**
 * Shift handovers on the real database, with the job's clock driven by the test: one week of DE-HAM
 * (Europe/Berlin, UTC+1 in December; Early 06:00–14:00 and Late 14:00–22:00 Monday to Friday, Wednesday
 * 2 December a holiday). A shift that ends gets exactly one handover whose figures count only its own
 * window; a holiday shift gets none; concurrent runs create one; notes are conditional on the version
 * read; a handover is acknowledged once; every change is audited; the plant scope and the policy decide who
 * reads, writes and acknowledges.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let manager: Actor, operator: Actor, auditor: Actor, managerMty: Actor, admin: Actor;
let ham: { id: string }, clt: { id: string };
const iface: Record<string, string> = {};
const T = (iso: string) => new Date(iso);
const run = (now: string) => prepareHandovers(T(now), [ham.id]);

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof AppError) return err.status;
    if (err instanceof ZodError) return 400;
    throw err;
  }
}

async function exception(
  plantId: string,
  o: { iface: string; code: string; severity: Severity; firstSeen: string; closed?: { at: string; as: "RESOLVED" | "DISCARDED" } },
) {
  const at = T(o.firstSeen);
  const t = await db().transaction.create({
    data: {
      plantId,
      interfaceId: iface[o.iface]!,
      messageId: `HO-${randomUUID()}`,
      correlationId: randomUUID(),
      status: o.closed ? "DELIVERED" : "FAILED",
      firstSeenAt: at,
      lastEventAt: at,
    },
  });
  return db().exception.create({
    data: {
      plantId,
      interfaceId: iface[o.iface]!,
      transactionId: t.id,
      fingerprint: randomUUID().replaceAll("-", "").slice(0, 20),
      category: "BUSINESS",
      severity: o.severity,
      status: o.closed?.as ?? "NEW",
      errorCode: o.code,
      errorMessage: `${o.code} at ${o.firstSeen}`,
      firstSeenAt: at,
      lastSeenAt: at,
      slaDueAt: new Date(at.getTime() + 3_600_000),
      resolvedAt: o.closed ? T(o.closed.at) : null,
      resolution: o.closed ? (o.closed.as === "RESOLVED" ? "replayed" : "discarded") : null,
    },
  });
}

async function finding(o: { kind: "LATE" | "STOPPED" | "FLOOD" | "MISSED_RUN"; opened: string; resolved?: string; severity?: Severity }) {
  return db().finding.create({
    data: {
      plantId: ham.id,
      interfaceId: iface.PRODORD_CONFIRM!,
      kind: o.kind,
      status: o.resolved ? "RESOLVED" : "OPEN",
      subjectKey: `test:${randomUUID()}`,
      severity: o.severity ?? "HIGH",
      summary: `${o.kind} opened ${o.opened}`,
      openedAt: T(o.opened),
      lastEvaluatedAt: T(o.opened),
      resolvedAt: o.resolved ? T(o.resolved) : null,
    },
  });
}

const handoverOf = (start: string) => db().handover.findUnique({ where: { plantId_shiftStart: { plantId: ham.id, shiftStart: T(start) } } });
const audits = (type: string, id: string) => db().auditEvent.findMany({ where: { type, subjectType: "handover", subjectId: id }, orderBy: { id: "asc" } });

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [manager, operator, auditor, managerMty, admin] = (await Promise.all(
    ["manager@andon.local", "operator@andon.local", "auditor@andon.local", "manager.mty@andon.local", "admin@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor, Actor];
  ham = await db().plant.findUniqueOrThrow({ where: { code: "DE-HAM" } });
  clt = await db().plant.findUniqueOrThrow({ where: { code: "US-CLT" } });
  for (const i of await db().interface.findMany({ select: { id: true, code: true } })) iface[i.code] = i.id;
  // This file's calendar for DE-HAM (whatever a seed put there).
  await db().plantShift.deleteMany({ where: { plantId: ham.id } });
  await db().plantCalendarEntry.deleteMany({ where: { plantId: ham.id } });
  await db().handover.deleteMany({ where: { plantId: ham.id } });
  await db().plantShift.createMany({
    data: [
      { plantId: ham.id, name: "Early", weekdays: [1, 2, 3, 4, 5], startMinute: 360, endMinute: 840 },
      { plantId: ham.id, name: "Late", weekdays: [1, 2, 3, 4, 5], startMinute: 840, endMinute: 1320 },
    ],
  });
  await db().plantCalendarEntry.create({
    data: { plantId: ham.id, kind: "HOLIDAY", startsAt: T("2026-12-01T23:00:00Z"), endsAt: T("2026-12-02T23:00:00Z"), reason: "Plant holiday" },
  });
});

describe("shift handovers", () => {
  it("a shift that ends gets exactly one handover, counting only what happened in its window", async () => {
    // Monday before the first shift: Friday's last shift ended more than 24 h ago, nothing is due.
    expect(await run("2026-11-30T04:00:00Z")).toEqual({ due: 0, prepared: 0 });

    // Tuesday's Early shift is [05:00Z, 13:00Z).
    await exception(ham.id, { iface: "GOODS_MOVEMENT", code: "M7-021", severity: "HIGH", firstSeen: "2026-12-01T06:00:00Z" }); // failed, open at end
    await exception(ham.id, {
      iface: "GOODS_MOVEMENT",
      code: "M7-021",
      severity: "LOW",
      firstSeen: "2026-12-01T07:00:00Z",
      closed: { at: "2026-12-01T08:00:00Z", as: "RESOLVED" },
    }); // failed and resolved
    await exception(ham.id, {
      iface: "PRODORD_CONFIRM",
      code: "RU-1",
      severity: "LOW",
      firstSeen: "2026-11-30T10:00:00Z",
      closed: { at: "2026-12-01T09:00:00Z", as: "RESOLVED" },
    }); // resolved (failed before)
    const oldest = await exception(ham.id, { iface: "PRODORD_CONFIRM", code: "RU-2", severity: "CRITICAL", firstSeen: "2026-11-30T10:30:00Z" }); // open at end
    await exception(ham.id, { iface: "GOODS_MOVEMENT", code: "M7-099", severity: "LOW", firstSeen: "2026-12-01T14:00:00Z" }); // after the shift
    await exception(ham.id, {
      iface: "SUPPLIER_ASN",
      code: "ASN-1",
      severity: "LOW",
      firstSeen: "2026-12-01T06:30:00Z",
      closed: { at: "2026-12-01T12:00:00Z", as: "DISCARDED" },
    }); // failed and discarded
    await exception(ham.id, {
      iface: "GOODS_MOVEMENT",
      code: "M7-021",
      severity: "MEDIUM",
      firstSeen: "2026-12-01T10:00:00Z",
      closed: { at: "2026-12-01T13:30:00Z", as: "RESOLVED" },
    }); // failed, resolved only after the end: open at end
    await exception(clt.id, { iface: "GOODS_MOVEMENT", code: "M7-021", severity: "HIGH", firstSeen: "2026-12-01T06:00:00Z" }); // another plant

    await finding({ kind: "STOPPED", opened: "2026-12-01T08:00:00Z", severity: "CRITICAL" }); // opened, open at end
    await finding({ kind: "LATE", opened: "2026-12-01T06:00:00Z", resolved: "2026-12-01T06:30:00Z" }); // opened, cleared in the shift
    await finding({ kind: "MISSED_RUN", opened: "2026-11-30T20:00:00Z" }); // opened before, still open
    await finding({ kind: "FLOOD", opened: "2026-11-30T10:00:00Z", resolved: "2026-11-30T11:00:00Z" }); // over before the shift
    await finding({ kind: "LATE", opened: "2026-12-01T13:10:00Z" }); // after the shift

    const rule = await db().alertRule.create({ data: { name: "Handover test rule", kind: "BACKLOG_ABOVE", threshold: 1, plantId: ham.id, enabled: false } });
    const alert = (firedAt: string, resolvedAt: string | null) =>
      db().alert.create({
        data: {
          ruleId: rule.id,
          plantId: ham.id,
          subjectKey: `plant:${ham.id}:${firedAt}`,
          subjectLabel: "DE-HAM",
          severity: "HIGH",
          message: "backlog",
          value: 2,
          firedAt: T(firedAt),
          resolvedAt: resolvedAt ? T(resolvedAt) : null,
          status: resolvedAt ? "RESOLVED" : "FIRING",
        },
      });
    await alert("2026-12-01T09:00:00Z", null); // fired in the shift, open at end
    await alert("2026-11-30T08:00:00Z", "2026-12-01T07:00:00Z"); // fired before, resolved in the shift: not listed
    await alert("2026-12-01T13:30:00Z", null); // after the shift

    // Tuesday 13:00:30Z: Monday's Late shift (ended 21:00Z) and Tuesday's Early shift are due.
    expect(await run("2026-12-01T13:00:30Z")).toEqual({ due: 2, prepared: 2 });
    expect(await run("2026-12-01T13:01:30Z")).toEqual({ due: 2, prepared: 0 }); // the next minute: nothing new
    const early = (await handoverOf("2026-12-01T05:00:00Z"))!;
    expect(early).toMatchObject({ shiftName: "Early", shiftEnd: T("2026-12-01T13:00:00Z"), status: "PREPARED", preparedAt: T("2026-12-01T13:00:30Z") });
    expect((await handoverOf("2026-11-30T13:00:00Z"))?.shiftName).toBe("Late");

    const view = await getHandover(manager, "DE-HAM", early.id);
    const s = view.summary;
    expect(s.exceptions).toMatchObject({ failed: 4, resolved: 2, discarded: 1 });
    expect(s.exceptions.topFailed[0]).toEqual({ interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", count: 3 });
    expect(s.exceptions.openAtEnd).toMatchObject({ total: 3, bySeverity: { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 0 } });
    expect(s.exceptions.openAtEnd.oldest?.id).toBe(oldest.id);
    expect(s.findings.openedByKind).toEqual({ LATE: 1, STOPPED: 1, FLOOD: 0, MISSED_RUN: 0 });
    expect(s.findings.openAtEndByKind).toEqual({ LATE: 0, STOPPED: 1, FLOOD: 0, MISSED_RUN: 1 });
    expect(s.findings.items.map((f) => [f.kind, f.openAtEnd])).toEqual([
      ["STOPPED", true],
      ["MISSED_RUN", true],
      ["LATE", false],
    ]);
    expect(s.alerts).toMatchObject({ fired: 1, openAtEnd: 1 });
    expect(s.alerts.items.map((a) => a.firedAt)).toEqual(["2026-12-01T09:00:00.000Z"]); // fired before and resolved in it: neither fired nor open
    expect(view).toMatchObject({ timezone: "Europe/Berlin", notes: null, notesVersion: 0, allowed: { writeNotes: true, acknowledge: true } });

    const prepared = await audits("handover.prepared", early.id);
    expect(prepared).toHaveLength(1);
    expect(prepared[0]).toMatchObject({ actorType: "system", plantId: ham.id });
    expect(prepared[0]!.data).toMatchObject({ plantCode: "DE-HAM", shiftName: "Early", shiftStart: "2026-12-01T05:00:00.000Z" });
  });

  it("a shift wholly inside a holiday gets no handover", async () => {
    // Wednesday 13:05Z: Tuesday's Late shift is due; Wednesday's Early shift was a holiday.
    expect(await run("2026-12-02T13:05:00Z")).toEqual({ due: 1, prepared: 1 });
    expect(await handoverOf("2026-12-02T05:00:00Z")).toBeNull();
    // Wednesday night: the holiday's Late shift too is skipped (Tuesday's Late is now more than 24 h old).
    expect(await run("2026-12-02T21:05:00Z")).toEqual({ due: 0, prepared: 0 });
    expect(await db().handover.count({ where: { plantId: ham.id, shiftStart: { gte: T("2026-12-01T23:00:00Z"), lt: T("2026-12-02T23:00:00Z") } } })).toBe(0);
  });

  it("two runs at once prepare one handover, audited once", async () => {
    const results = await Promise.all([run("2026-12-03T13:00:10Z"), run("2026-12-03T13:00:10Z"), run("2026-12-03T13:00:10Z")]);
    expect(results.reduce((n, r) => n + r.prepared, 0)).toBe(1);
    const h = (await handoverOf("2026-12-03T05:00:00Z"))!;
    expect(await db().handover.count({ where: { plantId: ham.id, shiftStart: T("2026-12-03T05:00:00Z") } })).toBe(1);
    expect(await audits("handover.prepared", h.id)).toHaveLength(1);
  });

  it("notes are written conditionally on the version read, audited with an excerpt", async () => {
    const h = (await handoverOf("2026-12-03T05:00:00Z"))!;
    const first = await updateHandoverNotes(manager, "DE-HAM", h.id, { notes: "  Line 3 stopped at 09:10; SAP confirmations replayed.  ", version: 0 });
    expect(first).toMatchObject({ notes: "Line 3 stopped at 09:10; SAP confirmations replayed.", notesVersion: 1, notesUpdatedBy: "Maren Manager" });
    // Written over an edit the writer had not seen: refused.
    expect(await status(updateHandoverNotes(operator, "DE-HAM", h.id, { notes: "stale", version: 0 }))).toBe(409);
    // Two writers on the same version at once: one wins.
    const both = await Promise.all([
      status(updateHandoverNotes(operator, "DE-HAM", h.id, { notes: "from the operator", version: 1 })),
      status(updateHandoverNotes(manager, "DE-HAM", h.id, { notes: "from the manager", version: 1 })),
    ]);
    expect(both.sort()).toEqual([200, 409]);
    const now = await getHandover(auditor, "DE-HAM", h.id);
    expect(now.notesVersion).toBe(2);
    expect(["from the operator", "from the manager"]).toContain(now.notes);
    const rows = await audits("handover.notes_updated", h.id);
    expect(rows.map((r) => (r.data as { excerpt: string }).excerpt)).toEqual(["Line 3 stopped at 09:10; SAP confirmations replayed.", now.notes]);
    // Long notes are kept whole; the audit keeps an excerpt.
    await updateHandoverNotes(operator, "DE-HAM", h.id, { notes: "x".repeat(4000), version: 2 });
    expect(((await audits("handover.notes_updated", h.id))[2]!.data as { excerpt: string }).excerpt).toHaveLength(200);
  });

  it("is acknowledged once: a second acknowledgement, concurrent or later, is a 409; then the notes are final", async () => {
    const h = (await handoverOf("2026-12-01T05:00:00Z"))!;
    const results = await Promise.all([status(acknowledgeHandover(operator, "DE-HAM", h.id)), status(acknowledgeHandover(manager, "DE-HAM", h.id))]);
    expect(results.sort()).toEqual([200, 409]);
    expect(await status(acknowledgeHandover(operator, "DE-HAM", h.id))).toBe(409);
    const row = (await db().handover.findUniqueOrThrow({ where: { id: h.id } }))!;
    expect(row.status).toBe("ACKNOWLEDGED");
    expect([operator.id, manager.id]).toContain(row.acknowledgedById);
    const acks = await audits("handover.acknowledged", h.id);
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ actorType: "user", actorId: row.acknowledgedById });
    expect(acks[0]!.data).toMatchObject({ statusFrom: "PREPARED", statusTo: "ACKNOWLEDGED", shiftName: "Early" });
    expect(await status(updateHandoverNotes(manager, "DE-HAM", h.id, { notes: "too late", version: 0 }))).toBe(409);
    expect((await getHandover(manager, "DE-HAM", h.id)).allowed).toEqual({ writeNotes: false, acknowledge: false });
  });

  it("scope and policy: the plant's viewers and operators act, the auditor reads, other plants' users and admins are refused", async () => {
    const h = (await handoverOf("2026-11-30T13:00:00Z"))!;
    // Reads.
    const list = await listHandovers(auditor, "DE-HAM", {});
    expect(list.handovers.map((x) => x.shiftStart)).toEqual(
      [...list.handovers.map((x) => x.shiftStart)].sort().reverse(), // newest first
    );
    expect(list.handovers.map((x) => x.id)).toContain(h.id);
    expect(list.handovers[0]!.allowed).toEqual({ writeNotes: false, acknowledge: false });
    const paged = await listHandovers(manager, "DE-HAM", { limit: "1" });
    expect(paged.handovers).toHaveLength(1);
    expect((await listHandovers(manager, "DE-HAM", { limit: "1", before: paged.nextBefore })).handovers[0]!.shiftStart < paged.handovers[0]!.shiftStart).toBe(
      true,
    );
    // Another plant's user: the plant and its handovers do not exist for them.
    expect(await status(listHandovers(managerMty, "DE-HAM", {}))).toBe(404);
    expect(await status(getHandover(managerMty, "DE-HAM", h.id))).toBe(404);
    expect(await status(updateHandoverNotes(managerMty, "DE-HAM", h.id, { notes: "x", version: 0 }))).toBe(404);
    expect(await status(acknowledgeHandover(managerMty, "DE-HAM", h.id))).toBe(404);
    // A handover asked for under another plant's code (one the user sees) is not found either.
    expect(await status(getHandover(operator, "US-CLT", h.id))).toBe(404);
    // The auditor and the admin read but neither write nor acknowledge.
    expect(await status(acknowledgeHandover(auditor, "DE-HAM", h.id))).toBe(403);
    expect(await status(updateHandoverNotes(auditor, "DE-HAM", h.id, { notes: "x", version: 0 }))).toBe(403);
    expect(await status(acknowledgeHandover(admin, "DE-HAM", h.id))).toBe(403);
    expect((await db().handover.findUniqueOrThrow({ where: { id: h.id } })).status).toBe("PREPARED");
    // The plant's viewer acknowledges.
    expect((await acknowledgeHandover(manager, "DE-HAM", h.id)).status).toBe("ACKNOWLEDGED");
  });

  it("hostile input is a 4xx, never a crash", async () => {
    const h = (await handoverOf("2026-12-03T05:00:00Z"))!;
    for (const body of [
      null,
      [],
      "notes",
      { notes: 1, version: 0 },
      { notes: "x" },
      { notes: "x", version: -1 },
      { notes: "x".repeat(4001), version: 3 },
      { notes: "x", version: 3, extra: 1 },
    ])
      expect(await status(updateHandoverNotes(manager, "DE-HAM", h.id, body))).toBe(400);
    for (const q of [{ limit: "0" }, { limit: "abc" }, { before: "yesterday" }, { sort: "x" }])
      expect(await status(listHandovers(manager, "DE-HAM", q))).toBe(400);
    for (const id of ["not-a-uuid", randomUUID(), "' OR 1=1 --"]) expect(await status(getHandover(manager, "DE-HAM", id))).toBe(404);
    for (const code of ["NOPE", "x".repeat(500), "DE-HAM'--"]) expect(await status(listHandovers(manager, code, {}))).toBe(404);
  });
});
