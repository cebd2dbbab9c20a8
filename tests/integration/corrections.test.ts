import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { approvalHolds } from "../../server/corrections/rules";
import { approveCorrection, rejectCorrection } from "../../server/corrections/decide-correction";
import { pendingApprovals } from "../../server/corrections/pending-approvals";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db, pool } from "../../server/db";
import { exceptionPage } from "../../server/exceptions/exception-page";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { setIo } from "../../server/realtime/publish";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let operator: Actor;
let approver: Actor;
let otherApprover: Actor;
let manager: Actor;

const original = {
  idocType: "MBGMCR03",
  control: { DOCNUM: "0000000004712001", MESTYP: "MBGMCR" },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_HEAD_01: {
    PSTNG_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
    DOC_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
  },
  E1BP2017_GM_ITEM_CREATE: [
    { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "512", ENTRY_UOM: "PC", ORDERID: "000001004711" },
  ],
};
const corrected = (qty: string) => ({ ...original, E1BP2017_GM_ITEM_CREATE: [{ ...original.E1BP2017_GM_ITEM_CREATE[0]!, ENTRY_QNT: qty }] });

async function deficit(): Promise<string> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
  const messageId = `CORR-${randomUUID()}`;
  await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        occurredAt: new Date().toISOString(),
        outcome: "failed",
        latencyMs: 800,
        attempt: 1,
        error: { category: "business", code: "M7-021", message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" },
        payload: original,
      },
    },
  ]);
  return (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  const extra = await db().user.upsert({
    where: { email: "approver2@test.local" },
    create: {
      email: "approver2@test.local",
      name: "Second Approver",
      role: "APPROVER",
      passwordHash: "x",
      plants: { create: [{ plantId: (await db().plant.findUniqueOrThrow({ where: { code: "DE-HAM" } })).id }] },
    },
    update: {},
  });
  const load = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [operator, approver, manager] = [await load("operator@andon.local"), await load("approver@andon.local"), await load("manager@andon.local")];
  otherApprover = (await loadPrincipal(extra.id))!;
});

const status = async (id: string) => (await db().exception.findUniqueOrThrow({ where: { id } })).status;

describe("corrections and four-eyes approval", () => {
  it("draft → submit → approve by a second person, with a JSON Patch and every step audited", async () => {
    const id = await deficit();
    const { correction, issues } = await saveCorrection(operator, id, { payload: corrected("500") });
    expect(issues).toEqual([]);
    expect(correction.patch).toEqual([{ op: "replace", path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", value: "500" }]);
    expect(await status(id)).toBe("CORRECTING");
    await submitCorrection(operator, correction.id, { reason: "Only 500 PC in stock; planner confirmed the order needs 500." });
    expect(await status(id)).toBe("AWAITING_APPROVAL");
    expect((await pendingApprovals(approver)).some((p) => p.id === correction.id)).toBe(true);
    const approved = await approveCorrection(approver, correction.id, { comment: "ok", payloadHash: correction.payloadHash });
    expect(approvalHolds(approved)).toBe(true);
    expect(await status(id)).toBe("APPROVED");
    const types = (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { id: "asc" } })).map((a) => a.type);
    expect(types).toEqual(["exception.opened", "correction.saved", "correction.submitted", "correction.approved"]);
  });

  it("refuses (403) and audits self-approval, by role and by the four-eyes rule, also at the database level", async () => {
    const id = await deficit();
    const { correction } = await saveCorrection(approver, id, { payload: corrected("480") });
    await submitCorrection(approver, correction.id, { reason: "Reduce to what is available in 0001." });
    await expect(approveCorrection(approver, correction.id, {})).rejects.toMatchObject({ status: 403, message: /own correction/ });
    await expect(rejectCorrection(approver, correction.id, { comment: "never mind" })).rejects.toMatchObject({ status: 403 });
    await expect(approveCorrection(manager, correction.id, {})).rejects.toMatchObject({ status: 403 });
    const refused = await db().auditEvent.findMany({ where: { subjectId: id, type: "correction.approval_refused" }, orderBy: { id: "asc" } });
    expect(refused.map((r) => (r.data as { reason: string }).reason)).toEqual(["self_approval", "self_approval", "role"]);
    expect(await status(id)).toBe("AWAITING_APPROVAL");
    await expect(pool().query("UPDATE correction SET approver_id = author_id WHERE id = $1", [correction.id])).rejects.toThrow(/correction_four_eyes/);
    await approveCorrection(otherApprover, correction.id, { payloadHash: correction.payloadHash });
    expect(await status(id)).toBe("APPROVED");
  });

  it("an edit after approval voids the approval", async () => {
    const id = await deficit();
    const { correction } = await saveCorrection(operator, id, { payload: corrected("500") });
    await submitCorrection(operator, correction.id, { reason: "Quantity corrected to the stock on hand." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash });
    const { correction: next } = await saveCorrection(operator, id, { payload: corrected("499") });
    expect((await db().correction.findUniqueOrThrow({ where: { id: correction.id } })).status).toBe("VOID");
    expect(next.status).toBe("DRAFT");
    expect(await status(id)).toBe("CORRECTING");
    expect(await db().auditEvent.count({ where: { subjectId: id, type: "correction.voided" } })).toBe(1);
  });

  it("invalid payloads are saved as drafts but cannot be submitted; rejection sends it back", async () => {
    const id = await deficit();
    const bad = { ...original, E1BP2017_GM_ITEM_CREATE: [{ ...original.E1BP2017_GM_ITEM_CREATE[0]!, ENTRY_QNT: "-5", PLANT: "HAMBURG" }] };
    const { correction, issues } = await saveCorrection(operator, id, { payload: bad });
    expect(issues.map((i) => i.path).sort()).toEqual(["/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", "/E1BP2017_GM_ITEM_CREATE/0/PLANT"]);
    await expect(submitCorrection(operator, correction.id, { reason: "Trying to submit an invalid one" })).rejects.toMatchObject({ status: 422 });
    await expect(saveCorrection(operator, id, { payload: original })).rejects.toMatchObject({ status: 422 }); // no change
    const { correction: fixed } = await saveCorrection(operator, id, { payload: corrected("100") });
    await expect(submitCorrection(operator, fixed.id, { reason: "short" })).rejects.toThrow(/10 characters/);
    await submitCorrection(operator, fixed.id, { reason: "Partial issue of 100 PC agreed with the line." });
    await expect(rejectCorrection(approver, fixed.id, { comment: "" })).rejects.toThrow();
    await rejectCorrection(approver, fixed.id, { comment: "The order needs 512; receive stock first." });
    expect(await status(id)).toBe("REJECTED");
    await expect(approveCorrection(otherApprover, fixed.id, { payloadHash: fixed.payloadHash })).rejects.toMatchObject({ status: 409 });
    await saveCorrection(operator, id, { payload: corrected("200") });
    expect(await status(id)).toBe("CORRECTING");
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it("a corrected payload is never larger than a reported one may be (413, nothing stored)", async () => {
    const id = await deficit();
    const big = { ...corrected("500"), NOTE: "x".repeat(300 * 1024) };
    await expect(saveCorrection(operator, id, { payload: big })).rejects.toMatchObject({ status: 413, code: "payload_too_large" });
    expect(await db().correction.count({ where: { exceptionId: id } })).toBe(0);
    expect(await status(id)).toBe("NEW");
  });

  it("pressing Submit again on an unchanged, submitted correction re-saves and re-submits nothing: no new version, no audit event", async () => {
    const id = await deficit();
    const reason = "Only 500 PC on hand; the planner agreed to issue 500.";
    // What the page sends on Submit: save the payload (with the reason), then submit.
    const press = async () => {
      const { correction } = await saveCorrection(operator, id, { payload: corrected("500"), reason });
      return submitCorrection(operator, correction.id, { reason });
    };
    const first = await press();
    const events = async () => (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { id: "asc" } })).map((a) => a.type);
    const before = await events();
    expect(before).toEqual(["exception.opened", "correction.saved", "correction.submitted"]);
    const second = await press();
    expect(await events()).toEqual(before);
    expect(second).toMatchObject({ id: first.id, status: "SUBMITTED", payloadHash: first.payloadHash, reason });
    expect((await db().correction.findUniqueOrThrow({ where: { id: first.id } })).submittedAt).toEqual(first.submittedAt);
    expect(await status(id)).toBe("AWAITING_APPROVAL");
    // It stays with its approvers, who approve what they reviewed.
    await approveCorrection(approver, first.id, { payloadHash: first.payloadHash });
    expect(await status(id)).toBe("APPROVED");
    // A real change still goes back to a draft and must be submitted again (audited).
    const id2 = await deficit();
    const { correction } = await saveCorrection(operator, id2, { payload: corrected("500"), reason });
    await submitCorrection(operator, correction.id, { reason });
    const { correction: changed } = await saveCorrection(operator, id2, { payload: corrected("450"), reason });
    expect(changed.status).toBe("DRAFT");
    await expect(submitCorrection(operator, changed.id, { reason: "A different reason for the approver." })).resolves.toMatchObject({ status: "SUBMITTED" });
    const types = (await db().auditEvent.findMany({ where: { subjectId: id2 }, orderBy: { id: "asc" } })).map((a) => a.type);
    expect(types).toEqual(["exception.opened", "correction.saved", "correction.submitted", "correction.saved", "correction.submitted"]);
  });

  it("an approver is not offered a decision on their own correction (queue and exception page), another approver is; each sees the key fields and the error it fixes", async () => {
    const id = await deficit();
    const { correction } = await saveCorrection(approver, id, { payload: corrected("480") });
    await submitCorrection(approver, correction.id, { reason: "Reduce to what is available in 0001." });

    const own = (await pendingApprovals(approver)).find((p) => p.id === correction.id)!;
    expect(own).toMatchObject({ ownCorrection: true, allowed: { decide: false } });
    const other = (await pendingApprovals(otherApprover)).find((p) => p.id === correction.id)!;
    expect(other).toMatchObject({ ownCorrection: false, allowed: { decide: true } });
    expect((await exceptionPage(approver, id))!.allowed.approveCorrection).toBe(false);
    expect((await exceptionPage(otherApprover, id))!.allowed.approveCorrection).toBe(true);
    expect((await exceptionPage(operator, id))!.allowed.approveCorrection).toBe(false);

    // Beside the diff: what is posted (material, plant, batch, quantity…) and the error the change is meant to fix.
    const byLabel = Object.fromEntries(other.keyFields.map((f) => [f.label, f]));
    expect(byLabel.Material).toMatchObject({ before: "RM-4711", after: "RM-4711", changed: false });
    expect(byLabel.Plant).toMatchObject({ after: "1000", changed: false });
    expect(byLabel.Batch).toMatchObject({ before: null, after: null });
    expect(byLabel.Quantity).toMatchObject({ before: "512 PC", after: "480 PC", changed: true });
    expect(byLabel.Order).toMatchObject({ after: "000001004711" });
    expect(other.error).toMatchObject({ source: "reported", code: "M7-021", text: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" });
  });

  it("the author is told of the decision in their own room; the exception's plant room hears of each step", async () => {
    const emitted: { room: string; event: string; payload: unknown }[] = [];
    setIo({ to: (room: string) => ({ emit: (event: string, payload: unknown) => emitted.push({ room, event, payload }) }) } as never);
    const id = await deficit();
    const { correction } = await saveCorrection(operator, id, { payload: corrected("500") });
    await submitCorrection(operator, correction.id, { reason: "Only 500 PC in stock; the line agreed." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash, comment: "Agreed." });
    expect(emitted.filter((e) => e.room === `user:${operator.id}`)).toEqual([
      {
        room: `user:${operator.id}`,
        event: "correction.decided",
        payload: expect.objectContaining({
          kind: "correction",
          id: correction.id,
          exceptionId: id,
          decision: "APPROVED",
          decidedBy: approver.name,
          comment: "Agreed.",
          interfaceCode: "GOODS_MOVEMENT",
        }),
      },
    ]);
    // Plant rooms get coalesced batches (a quarter second): the exception's moves reach its pages.
    await expect
      .poll(() =>
        emitted
          .filter((e) => e.event === "exception.updated")
          .flatMap((e) => (e.payload as { items: { id: string; status: string }[] }).items)
          .filter((i) => i.id === id)
          .map((i) => i.status),
      )
      .toContain("APPROVED");
  });
});

afterEach(() => setIo(undefined));
