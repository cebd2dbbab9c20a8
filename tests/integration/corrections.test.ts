import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { approvalHolds } from "../../server/corrections/rules";
import { approveCorrection, rejectCorrection } from "../../server/corrections/decide-correction";
import { pendingApprovals } from "../../server/corrections/pending-approvals";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db, pool } from "../../server/db";
import { ingestEvents } from "../../server/ingest/ingest-events";

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
});
