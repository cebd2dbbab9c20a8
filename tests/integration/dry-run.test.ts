import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OdooClient } from "../../connectors/odoo/client";
import { type OdooEmulator, startOdooEmulator } from "../../connectors/odoo/emulator";
import { odooInterfaceHandler } from "../../connectors/odoo/interface-handler";
import { SAP_SAMPLE_PAYLOADS, type SapEmulator, sapReplayHandler, startSapEmulator } from "../../connectors/sap";
import type { ReplayHandler, ReplayJob } from "../../connectors/sdk";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { approveCorrection } from "../../server/corrections/decide-correction";
import { dryRunCorrection } from "../../server/corrections/dry-run";
import { pendingApprovals } from "../../server/corrections/pending-approvals";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db } from "../../server/db";
import type { SystemKind } from "../../server/db/generated/enums";
import { type ConnectorReporter, connectorReporter } from "../support/in-process-portal";
import { type Actor, actor, exceptionOf, pushEndpoint } from "../support/replay-flow";

/**
 * Issue 20, dry runs: a correction is checked against the real emulators, along the replay path (the
 * signed POST to the connector's replay endpoint, `dryRun: true`, the handler's test mode): SAP's
 * TESTRUN on OData, Odoo's dry-run database. The emulators' state is compared before and after; a
 * refusal is recorded and gates the approval (override reason), a dry run of an older payload does not
 * count, and an edit during the check voids its answer.
 */
const RUN = randomUUID().slice(0, 8);
const ODOO_KEY = "andon-odoo-api-key";
const LOT = { material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" };
const QMS_HOLD = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../connectors/qms/fixtures/quality-hold.json"), "utf8")) as Record<
  string,
  unknown
>;

let sap: SapEmulator;
let odoo: OdooEmulator;
let sapHandler: ReplayHandler;
let operator: Actor;
let approver: Actor;
let auditor: Actor;
let manager: Actor;
const reporters = new Map<string, ConnectorReporter>();
const cleanups: (() => Promise<void>)[] = [];
/** While set, the SAP connector's check waits for it (a payload edit lands during the dry run). */
let gate: { entered: () => void; release: Promise<void> } | null = null;

/** A goods movement in SAP's OData form (A_MaterialDocumentHeader), one item. */
const goodsMovement = (item: Record<string, string>, header = `Issue ${RUN}`) => ({
  GoodsMovementCode: "03",
  MaterialDocumentHeaderText: header,
  ReferenceDocument: `WH/MO/${RUN}`.slice(0, 16),
  to_MaterialDocumentItem: [{ GoodsMovementType: "261", StorageLocation: "0001", Plant: "1000", ManufacturingOrder: "1004711", ...item }],
});
const lotIssue = (kg: string) => goodsMovement({ Material: LOT.material, Batch: LOT.batch, QuantityInEntryUnit: kg, EntryUnit: "KG" });
const rm4711 = (pc: string) => goodsMovement({ Material: "RM-4711", QuantityInEntryUnit: pc, EntryUnit: "PC" });

/** Everything a posting would change in SAP: stock rows, documents, invoices, confirmations, IDoc counters. */
const sapState = () =>
  JSON.stringify({
    stock: sap.stockRows(),
    docs: sap.materialDocuments(),
    invoices: sap.erp.supplierInvoices,
    confirmations: sap.erp.confirmations,
    next: sap.erp.clone(),
    counters: sap.counters(),
  });
const ODOO_MODELS = ["quality.alert", "stock.lot", "stock.picking", "stock.move", "mrp.production", "product.product"];
const odooState = () => JSON.stringify(ODOO_MODELS.map((m) => odoo.state.records(m)));

async function reporter(plant: string, system: SystemKind) {
  const id = `${plant}|${system}`;
  if (!reporters.has(id)) reporters.set(id, await connectorReporter(plant, system));
  return reporters.get(id)!;
}

/** A failed delivery reported by the source connector (through the SDK and the ingest route); the exception it opened. */
async function failure(input: { iface: string; source: SystemKind; target: SystemKind; payload: unknown; code: string; message: string; key: string }) {
  const messageId = `${input.iface}-${input.target}-${RUN}-${randomUUID().slice(0, 6)}`;
  await (await reporter("DE-HAM", input.source)).report({
    correlationId: randomUUID(),
    messageId,
    interface: input.iface,
    hop: { source: input.source, target: input.target },
    businessKey: input.key,
    outcome: "failed",
    latencyMs: 120,
    attempt: 1,
    payload: input.payload as Record<string, unknown>,
    error: { category: "business", code: input.code, message: input.message },
  });
  return exceptionOf(messageId, "DE-HAM");
}

async function submitted(exceptionId: string, payload: unknown) {
  const { correction, issues } = await saveCorrection(operator, exceptionId, { payload });
  expect(issues).toEqual([]);
  await submitCorrection(operator, correction.id, { reason: "Corrected against what the target holds now." });
  return db().correction.findUniqueOrThrow({ where: { id: correction.id } });
}

const auditOf = (type: string, correctionId: string) =>
  db().auditEvent.findMany({ where: { type, data: { path: ["correctionId"], equals: correctionId } }, orderBy: { id: "asc" } });

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [operator, approver, auditor, manager] = [
    await actor("operator@andon.local"),
    await actor("approver@andon.local"),
    await actor("auditor@andon.local"),
    await actor("manager@andon.local"),
  ];
  sap = await startSapEmulator({ port: 0 });
  odoo = await startOdooEmulator({ port: 0, db: "plant_ham", apiKey: ODOO_KEY, onInternalError: (e) => console.error(e) });
  cleanups.push(
    () => sap.close(),
    () => odoo.close(),
  );
  sapHandler = sapReplayHandler(sap.url, { timeoutMs: 10_000 });
  const gated: ReplayHandler = {
    deliver: (job) => sapHandler.deliver(job),
    check: async (job) => {
      if (gate) {
        gate.entered();
        await gate.release;
      }
      return sapHandler.check!(job);
    },
  };
  const odooHandler = odooInterfaceHandler(new OdooClient({ url: odoo.url, db: odoo.db, apiKey: ODOO_KEY, version: "19", timeoutMs: 10_000 }));
  // The MES connector here delivers but has no test mode: it must say so, not pretend.
  const noCheck: ReplayHandler = { deliver: async () => ({ status: "delivered", durationMs: 0 }) };
  const endpoints = await Promise.all([
    pushEndpoint("SAP_ERP", ["DE-HAM"], gated),
    pushEndpoint("ODOO", ["DE-HAM"], odooHandler),
    pushEndpoint("MES", ["DE-HAM"], noCheck),
  ]);
  cleanups.push(...endpoints.map((e) => () => e.restore()));
  // Lot L is on hold: SAP moves the batch to blocked stock (the QMS's delivery through the SAP connector).
  const job: ReplayJob = {
    replayId: randomUUID(),
    idempotencyKey: `qms-hold-${RUN}`,
    plantCode: "DE-HAM",
    interface: "QUALITY_HOLD",
    messageId: `QH-${RUN}`,
    correlationId: randomUUID(),
    payload: {
      ...SAP_SAMPLE_PAYLOADS.QUALITY_HOLD,
      ...LOT,
      action: "HOLD",
      targetStockType: "BLOCKED",
      reason: "Viscosity out of specification (measured 412 cP, limit 350 cP)",
      inspectionLot: "010000004455",
    },
    attempt: 1,
  };
  expect(await sapHandler.deliver(job)).toMatchObject({ status: "delivered" });
  expect([sap.stockOf(LOT, "01"), sap.stockOf(LOT, "07")]).toEqual([0, 400]);
}, 60_000);

afterAll(async () => {
  for (const r of reporters.values()) await r.close();
  for (const c of cleanups.reverse()) await c();
});

describe("dry run of a correction against the target", () => {
  it("SAP refuses the goods issue of a blocked lot in its test run: recorded, audited, nothing posted; approval needs an override reason", async () => {
    const e = await failure({
      iface: "GOODS_MOVEMENT",
      source: "ODOO",
      target: "SAP_ERP",
      payload: lotIssue("25"),
      code: "M7/021",
      message: "Deficit of BA Unrestricted-use 25.000 KG : RM-0815 1000 0001 B2026-118",
      key: "1004711",
    });
    const c = await submitted(e.id, lotIssue("20"));
    const before = sapState();
    const run = await dryRunCorrection(operator, c.id);
    expect(sapState()).toBe(before);
    expect(run).toMatchObject({ outcome: "REFUSED", payloadHash: c.payloadHash, result: { code: "M7/021" } });
    expect(run.result.message).toMatch(/^Deficit of BA Unrestricted-use 20\.000 KG : RM-0815 1000 0001 B2026-118/);
    const stored = await db().correction.findUniqueOrThrow({ where: { id: c.id } });
    expect(stored).toMatchObject({ dryRunOutcome: "REFUSED", dryRunPayloadHash: c.payloadHash, dryRunById: operator.id });
    expect((await auditOf("correction.dry_run", c.id)).map((a) => a.data)).toEqual([
      expect.objectContaining({ outcome: "REFUSED", target: "SAP_ERP", code: "M7/021", payloadHash: c.payloadHash }),
    ]);

    // The approver sees it beside the diff.
    const card = (await pendingApprovals(approver)).find((p) => p.id === c.id);
    expect(card?.dryRun).toMatchObject({ outcome: "REFUSED", current: true, code: "M7/021", by: "Oskar Operator" });

    // Approving without a reason is refused; a reason too short too; nothing changed meanwhile.
    await expect(approveCorrection(approver, c.id, { payloadHash: c.payloadHash })).rejects.toMatchObject({ status: 409, code: "dry_run_refused" });
    await expect(approveCorrection(approver, c.id, { payloadHash: c.payloadHash, overrideReason: "go" })).rejects.toMatchObject({
      status: 422,
      code: "override_reason_too_short",
    });
    expect((await db().correction.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("SUBMITTED");
    const reason = "The QMS releases lot B2026-118 within the hour; the issue is replayed after the release.";
    const approved = await approveCorrection(approver, c.id, { payloadHash: c.payloadHash, overrideReason: reason });
    expect(approved).toMatchObject({ status: "APPROVED", approvalOverrideReason: reason });
    expect((await auditOf("correction.approved", c.id)).map((a) => a.data)).toEqual([
      expect.objectContaining({ dryRunOutcome: "REFUSED", overrideReason: reason, payloadHash: c.payloadHash }),
    ]);
  }, 30_000);

  it("quantity above stock is refused, the corrected quantity would post; a dry run of an older payload does not count", async () => {
    const e = await failure({
      iface: "GOODS_MOVEMENT",
      source: "ODOO",
      target: "SAP_ERP",
      payload: rm4711("600"),
      code: "M7/021",
      message: "Deficit of SL Unrestricted-use 100 PC : RM-4711 1000 0001",
      key: "1004711",
    });
    const first = await submitted(e.id, rm4711("550"));
    const before = sapState();
    expect(await dryRunCorrection(operator, first.id)).toMatchObject({ outcome: "REFUSED", result: { code: "M7/021" } });
    expect(sapState()).toBe(before);

    // The author changes the payload: the refusal was about the older one.
    const second = await submitted(e.id, rm4711("100"));
    expect(second.id).toBe(first.id);
    expect(second.payloadHash).not.toBe(first.payloadHash);
    const card = (await pendingApprovals(approver)).find((p) => p.id === second.id);
    expect(card?.dryRun).toMatchObject({ outcome: "REFUSED", current: false });

    const wouldPost = await dryRunCorrection(approver, second.id);
    expect(wouldPost).toMatchObject({ outcome: "WOULD_POST", payloadHash: second.payloadHash, result: { code: null } });
    expect(sapState()).toBe(before);
    expect(sap.stock({ material: "RM-4711", plant: "1000", storageLocation: "0001" })).toBe(500);
    // Would post: no reason asked.
    expect(await approveCorrection(approver, second.id, { payloadHash: second.payloadHash })).toMatchObject({
      status: "APPROVED",
      approvalOverrideReason: null,
    });
    expect((await auditOf("correction.approved", second.id)).at(-1)?.data).toMatchObject({ dryRunOutcome: "WOULD_POST" });
  }, 30_000);

  it("a payload edited while the target checks it: the answer is not recorded for the new payload (409)", async () => {
    const e = await failure({
      iface: "GOODS_MOVEMENT",
      source: "ODOO",
      target: "SAP_ERP",
      payload: rm4711("700"),
      code: "M7/021",
      message: "Deficit of SL Unrestricted-use 200 PC : RM-4711 1000 0001",
      key: "1004711",
    });
    const c = await submitted(e.id, rm4711("600"));
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    let release!: () => void;
    gate = { entered, release: new Promise<void>((r) => (release = r)) };
    const running = dryRunCorrection(operator, c.id);
    const settled = running.then(
      () => null,
      (err: unknown) => err,
    );
    await inside;
    const edited = await submitted(e.id, rm4711("50"));
    release();
    gate = null;
    expect(await settled).toMatchObject({ status: 409, code: "payload_changed" });
    const stored = await db().correction.findUniqueOrThrow({ where: { id: c.id } });
    expect(stored).toMatchObject({ payloadHash: edited.payloadHash, dryRunOutcome: null, dryRunPayloadHash: null });
    expect(await auditOf("correction.dry_run", c.id)).toHaveLength(0);
    // No dry run counts for the current payload: approval needs no override.
    expect(await approveCorrection(approver, c.id, { payloadHash: edited.payloadHash })).toMatchObject({ status: "APPROVED" });
  }, 30_000);

  it("Odoo validates the quality hold on its dry-run database: unknown lot refused, the right lot would post, nothing written", async () => {
    const e = await failure({
      iface: "QUALITY_HOLD",
      source: "QMS",
      target: "ODOO",
      payload: { ...QMS_HOLD, batch: "B2026-181" },
      code: "ODOO_LOT_NOT_FOUND",
      message: "Lot B2026-181 of RM-0815 does not exist in Odoo (stock.lot)",
      key: "B2026-118",
    });
    const wrong = await submitted(e.id, { ...QMS_HOLD, batch: "B2026-188" });
    const before = odooState();
    expect(await dryRunCorrection(operator, wrong.id)).toMatchObject({ outcome: "REFUSED", result: { code: "ODOO_LOT_NOT_FOUND" } });
    const right = await submitted(e.id, QMS_HOLD);
    const run = await dryRunCorrection(operator, right.id);
    expect(run, JSON.stringify(run.result)).toMatchObject({ outcome: "WOULD_POST" });
    expect(odooState()).toBe(before);
    expect(
      odoo.state
        .records("stock.lot")
        .filter((l) => l.name === "B2026-118")
        .map((l) => l.locked),
    ).toEqual([false]);
    expect(odoo.state.records("quality.alert").filter((a) => a.x_hold_number === "QH00000001")).toHaveLength(0);
  }, 30_000);

  it("a connector without a test mode answers so: ERROR, not a simulated success; viewers and auditors may not ask", async () => {
    const e = await failure({
      iface: "PRODORD_RELEASE",
      source: "SAP_ERP",
      target: "MES",
      payload: { orderNumber: "1004711", material: "FG-2200-A", quantity: 250, unit: "ST", plant: "1000" },
      code: "MES-UOM-001",
      message: "Unit of measure ST (order 1004711) is not defined in the MES",
      key: "1004711",
    });
    const { correction } = await saveCorrection(operator, e.id, {
      payload: { orderNumber: "1004711", material: "FG-2200-A", quantity: 250, unit: "PC", plant: "1000" },
    });
    const run = await dryRunCorrection(operator, correction.id);
    expect(run).toMatchObject({ outcome: "ERROR", result: { code: "DRY_RUN_UNSUPPORTED" } });
    expect(run.result.message).toMatch(/cannot dry-run PRODORD_RELEASE/);
    await expect(dryRunCorrection(auditor, correction.id)).rejects.toMatchObject({ status: 403 });
    await expect(dryRunCorrection(manager, correction.id)).rejects.toMatchObject({ status: 403 });
    await expect(dryRunCorrection(operator, randomUUID())).rejects.toMatchObject({ status: 404 });
  }, 30_000);
});
