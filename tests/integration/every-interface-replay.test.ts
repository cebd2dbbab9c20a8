import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, type ExpectStatic, inject, it } from "vitest";
import { PRODORD_RELEASE_SAMPLE, type MesEmulator, mesReplayHandler, startMesEmulator } from "../../connectors/mes";
import { OdooClient } from "../../connectors/odoo/client";
import { type OdooEmulator, startOdooEmulator } from "../../connectors/odoo/emulator";
import { odooInterfaceHandler } from "../../connectors/odoo/interface-handler";
import { ODOO_SAMPLE_PAYLOADS } from "../../connectors/odoo/schemas";
import { BOM_RELEASE_SAMPLE } from "../../connectors/plm/samples";
import { SAP_SAMPLE_PAYLOADS, type SapEmulator, sapReplayHandler, startSapEmulator } from "../../connectors/sap";
import { replayReference } from "../../connectors/sap/replay-handler";
import { readSample } from "../../connectors/sap/test-support";
import type { ReplayHandler, ReplayJob } from "../../connectors/sdk";
import { startWmsEmulator, type WmsEmulator } from "../../connectors/wms/emulator";
import { wmsReplayHandler } from "../../connectors/wms/replay-handler";
import { INTERFACES, seedDemoUsers, seedReference } from "../../prisma/seed";
import { db } from "../../server/db";
import type { SystemKind } from "../../server/db/generated/enums";
import { type Workers, startWorkers } from "../../server/workers";
import { type ConnectorReporter, connectorReporter } from "../support/in-process-portal";
import { setReplayApproval } from "../support/replay-approval";
import { type Actor, actor, approvedCorrection, attemptsOf, exceptionOf, pushEndpoint, replayApproved, settled } from "../support/replay-flow";

/**
 * Issue 18, "an integration test per interface": for each of the 12 interfaces, at a plant that runs
 * it, a delivery the target system's emulator really refused is reported by the source connector's
 * SDK client through the real ingest route; where the refusal is a business one an operator corrects
 * the payload (valid against the seeded contract of that hop) and an approver approves it; the replay
 * (approved by a second person where the interface requires it) goes through the pg-boss workers to
 * the connector of the hop that failed, whose handler delivers it to the emulator; the exception is
 * resolved and the emulator shows the effect exactly once — also when the first attempt's answer is
 * lost after the target applied it and the workers retry with the same idempotency key.
 */
process.env.ANDON_REPLAY_RETRY_DELAY_S = "1";

const RUN = randomUUID().slice(0, 8);
const ODOO_KEY = "andon-odoo-api-key";

type Target = {
  handler: ReplayHandler;
  /** The next request to the API loses its answer after the system applied it (the "close" fault, phase "after"). */
  loseNextAnswer: () => void;
};
type TargetName = "sapHam" | "sapClt" | "sapWro" | "odooHam" | "odooClt" | "odooMty" | "mes" | "wms";

type Case = {
  title: string;
  iface: string;
  plant: string;
  hop: { source: SystemKind; target: "SAP_ERP" | "ODOO" | "MES" | "WMS" };
  /** The emulator of the hop's target system at that plant (the cases of one emulator run one after another: they share its fault queue). */
  on: TargetName;
  businessKey: string;
  /** The payload as the source sent it: the target refuses it. */
  sent: Record<string, unknown>;
  /** Before the source's delivery: what makes the target fail (technical cases). */
  arrange?: () => void;
  refusal: { category: "business" | "technical"; code: string; message: RegExp };
  /** The operator's correction (business refusals), checked against the seeded contract of the hop. */
  correction?: { payload: Record<string, unknown>; reason: string };
  /** The interface requires a second person: a correction's approval is it; as is, a replay request approved by another. */
  approval: "none" | "correction" | "replay_request";
  lostAnswer: boolean;
  /** Counts read before the replay, given to `effect`. */
  before?: () => Record<string, number>;
  /** The target's state after the replay: the effect, exactly once. */
  effect: (expect: ExpectStatic, key: string, before: Record<string, number>) => void;
};

// ---- emulators, one per plant system (MX-MTY's, DE-HAM's and US-CLT's Odoo are three installations) ----

let sapHam: SapEmulator;
let sapClt: SapEmulator;
let sapWro: SapEmulator;
let odooHam: OdooEmulator;
let odooClt: OdooEmulator;
let odooMty: OdooEmulator;
let mes: MesEmulator;
let wms: WmsEmulator;
const targets = new Map<TargetName, Target>();
const cleanups: (() => Promise<void>)[] = [];
const reporters = new Map<string, ConnectorReporter>();
let workers: Workers;
let operator: Actor;
let approver: Actor;

const sapTarget = (sap: SapEmulator): Target => ({
  handler: sapReplayHandler(sap.url, { timeoutMs: 10_000 }),
  loseNextAnswer: () => sap.faults.dropConnection({ count: 1, phase: "after" }),
});
const odooTarget = (odoo: OdooEmulator): Target => ({
  handler: odooInterfaceHandler(new OdooClient({ url: odoo.url, db: odoo.db, apiKey: ODOO_KEY, version: "19", timeoutMs: 10_000 })),
  loseNextAnswer: () => odoo.faults.add({ kind: "close", phase: "after" }),
});

// ---- payloads: the emulators' samples, and what the sources got wrong ----

const fixture = (relative: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../connectors", relative), "utf8")) as Record<string, unknown>;
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, "");
type Item = Record<string, unknown>;
const items = (payload: Record<string, unknown>, key: string) => payload[key] as Item[];
const withItem = (payload: Record<string, unknown>, key: string, index: number, fields: Item) => ({
  ...payload,
  [key]: items(payload, key).map((item, i) => (i === index ? { ...item, ...fields } : item)),
});

/** The shared MBGMCR03 sample (512 PC of RM-4711 from 1000/0001, which holds 500), posted today, its own DOCNUM. */
const GM_DOCNUM = `47${String(Date.now()).slice(-10)}`;
const gmIdoc = (() => {
  const { status_error: _annotation, ...idoc } = readSample("sap-mbgmcr-goods-movement.json");
  return {
    ...idoc,
    control: { ...(idoc.control as Item), DOCNUM: GM_DOCNUM },
    E1BP2017_GM_HEAD_01: { ...(idoc.E1BP2017_GM_HEAD_01 as Item), PSTNG_DATE: today(), DOC_DATE: today() },
  };
})();

const SAP = SAP_SAMPLE_PAYLOADS;
/** SAP's GOODS_MOVEMENT sample, as Charlotte's Odoo issues aluminium bar to order 2001001 (plant 2000). */
const gmClt = withItem(
  { ...SAP.GOODS_MOVEMENT, MaterialDocumentHeaderText: "Issue to order 2001001", ReferenceDocument: "WH/OUT/00977" },
  "to_MaterialDocumentItem",
  0,
  {
    Material: "RM-1001",
    Plant: "2000",
    QuantityInEntryUnit: "36",
    EntryUnit: "M",
    ManufacturingOrder: "2001001",
  },
);
/** A vendor bill of Wroclaw's Odoo for the primer received against 4500012346/00010 (150 KG at 75.00 PLN). */
const invoiceWro = {
  ...SAP.INVOICE_POSTING,
  CompanyCode: "4000",
  DocumentDate: "2026-11-27",
  InvoicingParty: "300150",
  DocumentCurrency: "PLN",
  InvoiceGrossAmount: "11250.00",
  SupplierInvoiceIDByInvcgParty: `FV/${RUN}`,
  DocumentHeaderText: "Primer P-40 November",
  to_SuplrInvcItemPurOrdRef: [
    {
      SupplierInvoiceItem: "1",
      PurchaseOrder: "4500012346",
      PurchaseOrderItem: "10",
      SupplierInvoiceItemAmount: "11250.00",
      QuantityInPurchaseOrderUnit: "150",
      PurchaseOrderQuantityUnit: "KG",
    },
  ],
};
const QMS_HOLD = fixture("qms/fixtures/quality-hold.json");
const ASN = fixture("wms/fixtures/supplier-asn.json");
const WORK_ORDER = fixture("cmms/fixtures/maint-work-order.json");
const ODOO = ODOO_SAMPLE_PAYLOADS;
const { supersedes: _supersedes, ...bomWithoutSupersedes } = BOM_RELEASE_SAMPLE;

const sapStock = { material: "RM-4711", plant: "1000", storageLocation: "0001" };
const held = { material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" };
const primer = { material: "RM-2040", plant: "1000", storageLocation: "0001", batch: "B2026-301" };
const records = (odoo: OdooEmulator, model: string, field: string, value: unknown) => odoo.state.records(model).filter((r) => r[field] === value);

const CASES: Case[] = [
  {
    title: "GOODS_MOVEMENT at DE-HAM, Odoo → SAP (IDoc MBGMCR03): 51 M7 021 deficit; corrected to the 100 PC on stock; lost answer",
    iface: "GOODS_MOVEMENT",
    plant: "DE-HAM",
    hop: { source: "ODOO", target: "SAP_ERP" },
    on: "sapHam",
    businessKey: "1004711",
    sent: gmIdoc,
    refusal: { category: "business", code: "M7-021", message: /^Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001/ },
    correction: {
      payload: withItem(gmIdoc, "E1BP2017_GM_ITEM_CREATE", 0, { ENTRY_QNT: "100" }),
      reason: "Issue the 100 PC the order needs now; the rest after the receipt.",
    },
    approval: "correction",
    lostAnswer: true,
    before: () => ({ stock: sapHam.stock(sapStock) }),
    effect: (expect, key, before) => {
      expect(sapHam.applications(key)).toBe(1);
      expect(sapHam.stock(sapStock)).toBe(before.stock! - 100);
      expect(sapHam.materialDocuments().filter((d) => Number(d.idocDocnum) === Number(GM_DOCNUM))).toHaveLength(1);
    },
  },
  {
    title: "GOODS_MOVEMENT at US-CLT, Odoo → SAP (OData): SAP unavailable (technical); replayed as is on a second person's approval; lost answer",
    iface: "GOODS_MOVEMENT",
    plant: "US-CLT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    on: "sapClt",
    businessKey: "2001001",
    sent: gmClt,
    arrange: () => sapClt.faults.unavailable(1, 30),
    refusal: { category: "technical", code: "SERVICE_UNAVAILABLE", message: /^SAP system is not available/ },
    approval: "replay_request",
    lostAnswer: true,
    before: () => ({ stock: sapClt.stock({ material: "RM-1001", plant: "2000", storageLocation: "0001" }) }),
    effect: (expect, key, before) => {
      expect(sapClt.applications(key)).toBe(1);
      expect(sapClt.stock({ material: "RM-1001", plant: "2000", storageLocation: "0001" })).toBe(before.stock! - 36);
      expect(sapClt.materialDocuments().filter((d) => d.headerText === "Issue to order 2001001")).toHaveLength(1);
    },
  },
  {
    title: "SPARE_PARTS_USAGE at DE-HAM, Odoo → SAP (OData): KO 001 unknown maintenance order; corrected order number",
    iface: "SPARE_PARTS_USAGE",
    plant: "DE-HAM",
    hop: { source: "ODOO", target: "SAP_ERP" },
    on: "sapHam",
    businessKey: "4100017",
    sent: withItem(SAP.SPARE_PARTS_USAGE, "to_MaterialDocumentItem", 0, { ManufacturingOrder: "4100071" }),
    refusal: { category: "business", code: "KO/001", message: /^Order 4100071 does not exist$/ },
    correction: { payload: SAP.SPARE_PARTS_USAGE, reason: "Digits swapped: the bearings went to maintenance order 4100017." },
    approval: "correction",
    lostAnswer: false,
    before: () => ({ stock: sapHam.stock({ material: "SP-0042", plant: "1000", storageLocation: "0001" }) }),
    effect: (expect, key, before) => {
      expect(sapHam.applications(key)).toBe(1);
      expect(sapHam.stock({ material: "SP-0042", plant: "1000", storageLocation: "0001" })).toBe(before.stock! - 2);
      expect(sapHam.materialDocuments().filter((d) => d.headerText === "Spare parts for 4100017")).toHaveLength(1);
    },
  },
  {
    title: "PRODORD_CONFIRM at DE-HAM, MES → SAP: ZSAPEMU 025 unit ST not convertible; corrected to PC; lost answer",
    iface: "PRODORD_CONFIRM",
    plant: "DE-HAM",
    hop: { source: "MES", target: "SAP_ERP" },
    on: "sapHam",
    businessKey: "1004711",
    sent: { ...SAP.PRODORD_CONFIRM, ConfirmationUnit: "ST" },
    refusal: { category: "business", code: "ZSAPEMU/025", message: /^Unit ST cannot be converted to the order unit PC of order 1004711$/ },
    correction: { payload: SAP.PRODORD_CONFIRM, reason: "The MES sent SAP's German unit ST; the order is in PC." },
    approval: "none",
    lostAnswer: true,
    effect: (expect, key) => {
      expect(sapHam.applications(key)).toBe(1);
      const confirmed = sapHam.confirmations().filter((c) => Number(c.order) === 1004711 && c.operation === "0010");
      expect(confirmed.map((c) => [c.yieldQuantity, c.scrapQuantity, c.unit])).toEqual([[48_000, 2_000, "PC"]]);
    },
  },
  {
    title: "INSPECTION_RESULT at DE-HAM, QMS → SAP: ZSAPEMU 043 unknown characteristic; corrected characteristic",
    iface: "INSPECTION_RESULT",
    plant: "DE-HAM",
    hop: { source: "QMS", target: "SAP_ERP" },
    on: "sapHam",
    businessKey: "010000004701",
    sent: withItem(SAP.INSPECTION_RESULT, "results", 0, { characteristic: "DENSITY" }),
    refusal: { category: "business", code: "ZSAPEMU/043", message: /^Characteristic DENSITY does not exist in inspection lot 010000004701$/ },
    correction: { payload: SAP.INSPECTION_RESULT, reason: "The viscosity result was sent under the LIMS's name DENSITY." },
    approval: "none",
    lostAnswer: false,
    effect: (expect, key) => {
      expect([sapHam.applications(`${key}/result/0`), sapHam.applications(`${key}/result/1`), sapHam.applications(`${key}/ud`)]).toEqual([1, 1, 1]);
      const lot = sapHam.inspectionLot("010000004701");
      expect(lot?.usageDecision?.code).toBe("A");
      expect(lot?.results.map((r) => r.valuation)).toEqual(["A", "A"]);
      expect([sapHam.stockOf(primer, "01"), sapHam.stockOf(primer, "02")]).toEqual([200, 0]);
    },
  },
  {
    title: "INVOICE_POSTING at PL-WRO, Odoo → SAP (A_SupplierInvoice): F5 702 balance; corrected gross amount; lost answer",
    iface: "INVOICE_POSTING",
    plant: "PL-WRO",
    hop: { source: "ODOO", target: "SAP_ERP" },
    on: "sapWro",
    businessKey: `FV/${RUN}`,
    sent: { ...invoiceWro, InvoiceGrossAmount: "11520.00" },
    refusal: { category: "business", code: "F5/702", message: /^Balance in transaction currency/ },
    correction: { payload: invoiceWro, reason: "Gross amount typed with two digits swapped: 11250.00 PLN." },
    approval: "correction",
    lostAnswer: true,
    effect: (expect, key) => {
      expect(sapWro.applications(key)).toBe(1);
      const posted = sapWro.supplierInvoices().filter((i) => i.reference === `FV/${RUN}`);
      expect(posted.map((i) => [i.companyCode, i.invoicingParty, i.grossAmount])).toEqual([["4000", "300150", 1_125_000]]);
    },
  },
  {
    title: "QUALITY_HOLD at DE-HAM, QMS → SAP: M7 021 (more than the batch holds); corrected to the whole batch; lost answer",
    iface: "QUALITY_HOLD",
    plant: "DE-HAM",
    hop: { source: "QMS", target: "SAP_ERP" },
    on: "sapHam",
    businessKey: "B2026-118",
    sent: { ...SAP.QUALITY_HOLD, quantity: 500 },
    refusal: { category: "business", code: "M7/021", message: /^Deficit of BA Unrestricted-use 100\.000 KG : RM-0815 1000 0001 B2026-118$/ },
    correction: { payload: SAP.QUALITY_HOLD, reason: "Hold the whole batch: SAP has 400 KG of it, not 500." },
    approval: "none",
    lostAnswer: true,
    effect: (expect, key) => {
      expect(sapHam.applications(key)).toBe(1);
      expect([sapHam.stockOf(held, "01"), sapHam.stockOf(held, "07")]).toEqual([0, 400]);
      expect(sapHam.materialDocuments().filter((d) => d.headerText === replayReference(key))).toHaveLength(1);
    },
  },
  {
    title: "QUALITY_HOLD at DE-HAM, QMS → Odoo (the Odoo hop): ODOO_LOT_NOT_FOUND; corrected lot",
    iface: "QUALITY_HOLD",
    plant: "DE-HAM",
    hop: { source: "QMS", target: "ODOO" },
    on: "odooHam",
    businessKey: "B2026-118",
    sent: { ...QMS_HOLD, batch: "B2026-181" },
    refusal: { category: "business", code: "ODOO_LOT_NOT_FOUND", message: /^Lot B2026-181 of RM-0815 does not exist in Odoo \(stock\.lot\)$/ },
    correction: { payload: QMS_HOLD, reason: "Lot number mistyped: the hold is for B2026-118." },
    approval: "none",
    lostAnswer: false,
    effect: (expect, key) => {
      expect(odooHam.idempotency.applied(key)).toBe(1);
      expect(records(odooHam, "quality.alert", "x_hold_number", "QH00000001")).toHaveLength(1);
      expect(records(odooHam, "stock.lot", "name", "B2026-118").map((l) => l.locked)).toEqual([true]);
    },
  },
  {
    title: "PRODORD_RELEASE at DE-HAM, SAP → MES (B2MML): MES-UOM-001 unit ST; corrected to PC; lost answer",
    iface: "PRODORD_RELEASE",
    plant: "DE-HAM",
    hop: { source: "SAP_ERP", target: "MES" },
    on: "mes",
    businessKey: "1004711",
    sent: { ...PRODORD_RELEASE_SAMPLE, unit: "ST" },
    refusal: { category: "business", code: "MES-UOM-001", message: /^Unit of measure ST \(order 1004711\) is not defined in the MES/ },
    correction: { payload: { ...PRODORD_RELEASE_SAMPLE }, reason: "SAP's unit ST is PC in the MES." },
    approval: "none",
    lostAnswer: true,
    effect: (expect, key) => {
      expect(mes.applications(key)).toBe(1);
      expect(mes.orders().map((o) => [o.orderNumber, o.quantity, o.unit, o.status, o.revision])).toEqual([["1004711", 250, "PC", "RELEASED", 1]]);
    },
  },
  {
    title: "PRODORD_RELEASE at US-CLT, SAP → Odoo (the Odoo hop): ValidationError quantity 0; corrected quantity; lost answer",
    iface: "PRODORD_RELEASE",
    plant: "US-CLT",
    hop: { source: "SAP_ERP", target: "ODOO" },
    on: "odooClt",
    businessKey: "1004711",
    sent: { ...ODOO.PRODORD_RELEASE, product_qty: 0 },
    refusal: { category: "business", code: "odoo.exceptions.ValidationError", message: /^The quantity to produce must be positive!$/ },
    correction: { payload: { ...ODOO.PRODORD_RELEASE }, reason: "The order quantity got lost in the mapping: 250." },
    approval: "none",
    lostAnswer: true,
    effect: (expect, key) => {
      expect(odooClt.idempotency.applied(key)).toBe(1);
      expect(records(odooClt, "mrp.production", "origin", "SAP 1004711").map((p) => p.product_qty)).toEqual([250]);
    },
  },
  {
    title: "MATERIAL_MASTER at US-CLT, SAP → Odoo: MissingError unit 987; corrected unit; lost answer",
    iface: "MATERIAL_MASTER",
    plant: "US-CLT",
    hop: { source: "SAP_ERP", target: "ODOO" },
    on: "odooClt",
    businessKey: "RM-5530",
    sent: { ...ODOO.MATERIAL_MASTER, uom_id: 987 },
    refusal: { category: "business", code: "odoo.exceptions.MissingError", message: /^Record does not exist or has been deleted/ },
    correction: { payload: { ...ODOO.MATERIAL_MASTER }, reason: "Unit id 987 does not exist here; Units is 1." },
    approval: "none",
    lostAnswer: true,
    effect: (expect, key) => {
      expect(odooClt.idempotency.applied(key)).toBe(1);
      expect(records(odooClt, "product.product", "default_code", "RM-5530")).toHaveLength(1);
    },
  },
  {
    title: "MAINT_WORK_ORDER at US-CLT, CMMS → Odoo: ODOO_EQUIPMENT_NOT_FOUND; corrected serial number",
    iface: "MAINT_WORK_ORDER",
    plant: "US-CLT",
    hop: { source: "CMMS", target: "ODOO" },
    on: "odooClt",
    businessKey: "4100017",
    sent: { ...WORK_ORDER, equipmentSerialNumber: "HP400-0713" },
    refusal: { category: "business", code: "ODOO_EQUIPMENT_NOT_FOUND", message: /^Equipment EQ-1013 \(serial HP400-0713\) does not exist in Odoo/ },
    correction: { payload: WORK_ORDER, reason: "Serial number digits swapped: the press is HP400-0173." },
    approval: "none",
    lostAnswer: false,
    effect: (expect, key) => {
      expect(odooClt.idempotency.applied(key)).toBe(1);
      const requests = records(odooClt, "maintenance.request", "x_cmms_work_order", "4100017");
      expect(requests.map((r) => [r.equipment_id, r.stage_id])).toEqual([[13, 2]]);
    },
  },
  {
    title: "BOM_RELEASE at MX-MTY, PLM → Odoo: ValidationError revision B overlaps A; corrected with the superseded revision",
    iface: "BOM_RELEASE",
    plant: "MX-MTY",
    hop: { source: "PLM", target: "ODOO" },
    on: "odooMty",
    businessKey: "ECO-000103",
    sent: bomWithoutSupersedes,
    refusal: {
      category: "business",
      code: "odoo.exceptions.ValidationError",
      message: /^Revision B of \[FG-2200-A\] Frame assembly A \(2026-12-01 – open\) overlaps revision A/,
    },
    correction: { payload: { ...BOM_RELEASE_SAMPLE }, reason: "ECO-000103 ends revision A on 2026-11-30: the supersedes block was missing." },
    approval: "correction",
    lostAnswer: false,
    effect: (expect, key) => {
      expect([odooMty.idempotency.applied(key), odooMty.idempotency.applied(`${key}:supersede`)]).toEqual([1, 1]);
      expect(odooMty.state.records("mrp.bom").filter((b) => b.product_id === 4220 && b.code === "B")).toHaveLength(1);
      expect(odooMty.state.record("mrp.bom", 89)?.x_effective_to).toBe("2026-11-30");
    },
  },
  {
    title: "SUPPLIER_ASN at MX-MTY, supplier portal → Odoo: UserError unit of another category; corrected unit",
    iface: "SUPPLIER_ASN",
    plant: "MX-MTY",
    hop: { source: "SUPPLIER_PORTAL", target: "ODOO" },
    on: "odooMty",
    businessKey: "80045881",
    sent: withItem(ASN, "lines", 0, { unit: "KGM" }),
    refusal: {
      category: "business",
      code: "odoo.exceptions.UserError",
      message: /^You cannot perform the move because the unit of measure has a different category/,
    },
    correction: { payload: ASN, reason: "The steel blanks are counted in EA, not KGM." },
    approval: "none",
    lostAnswer: false,
    effect: (expect, key) => {
      expect(odooMty.idempotency.applied(key)).toBe(1);
      const pickings = records(odooMty, "stock.picking", "x_asn_number", "80045881");
      expect(pickings.map((p) => [p.origin, p.state])).toEqual([["4500017001", "assigned"]]);
      expect(odooMty.state.records("stock.move").filter((m) => m.picking_id === pickings[0]?.id)).toHaveLength(2);
    },
  },
  {
    title: "SUPPLIER_ASN at MX-MTY, supplier portal → WMS: ASN-UOM-UNMAPPED PCE; corrected unit; lost answer",
    iface: "SUPPLIER_ASN",
    plant: "MX-MTY",
    hop: { source: "SUPPLIER_PORTAL", target: "WMS" },
    on: "wms",
    businessKey: "80045881",
    sent: withItem(ASN, "lines", 0, { unit: "PCE" }),
    refusal: { category: "business", code: "ASN-UOM-UNMAPPED", message: /^Unit of measure "PCE" not mapped$/ },
    correction: { payload: ASN, reason: "The supplier's PCE is EA in the WMS." },
    approval: "none",
    lostAnswer: true,
    effect: (expect, key) => {
      expect(wms.applications(key)).toBe(1);
      const receipts = [...wms.state.expectedReceipts.values()].filter((r) => r.asnNumber === "80045881");
      expect(receipts.map((r) => [r.purchaseOrder, r.status])).toEqual([["4500017001", "EXPECTED"]]);
    },
  },
  {
    title: "FORECAST_IMPORT at MX-MTY, planning → Odoo: UserError superseded version; corrected to the current version",
    iface: "FORECAST_IMPORT",
    plant: "MX-MTY",
    hop: { source: "PLANNING", target: "ODOO" },
    on: "odooMty",
    businessKey: "FC-2026-W48",
    sent: { ...ODOO.FORECAST_IMPORT, forecastVersion: "FC-2026-W45", releasedAt: "2026-11-02T06:00:00Z" },
    refusal: {
      category: "business",
      code: "odoo.exceptions.UserError",
      message: /^Forecast version FC-2026-W45 \(released 2026-11-02 06:00:00\) is superseded by version FC-2026-W46/,
    },
    correction: { payload: { ...ODOO.FORECAST_IMPORT }, reason: "An old version was exported again: send the released FC-2026-W48." },
    approval: "none",
    lostAnswer: false,
    effect: (expect, key) => {
      expect([odooMty.idempotency.applied(`${key}:FG-2200-A`), odooMty.idempotency.applied(`${key}:RM-0815`)]).toEqual([1, 1]);
      expect(odooMty.state.record("mrp.production.schedule", 71)?.x_forecast_version).toBe("FC-2026-W48");
      const forecasts = odooMty.state.records("mrp.product.forecast").filter((f) => f.production_schedule_id === 71);
      expect(forecasts.map((f) => [f.date, f.forecast_qty])).toEqual([
        ["2026-11-30", 240],
        ["2026-12-07", 240],
      ]);
    },
  },
];

function reporter(plant: string, system: SystemKind): ConnectorReporter {
  const found = reporters.get(`${plant}|${system}`);
  if (!found) throw new Error(`no reporter for ${plant} ${system}`);
  return found;
}

const probeJob = (c: Case): ReplayJob => ({
  replayId: randomUUID(),
  idempotencyKey: `source-${randomUUID()}`,
  plantCode: c.plant,
  interface: c.iface,
  messageId: `probe-${RUN}`,
  correlationId: randomUUID(),
  payload: c.sent,
  attempt: 1,
});

async function run(c: Case, expect: ExpectStatic): Promise<void> {
  const t = targets.get(c.on);
  if (!t) throw new Error(`no emulator ${c.on}`);
  // 1. The source's delivery, and what the target really answered.
  c.arrange?.();
  const sentAt = Date.now();
  const refusal = await t.handler.deliver(probeJob(c));
  const latencyMs = Date.now() - sentAt;
  if (refusal.status !== "failed") throw new Error(`the target accepted what should be refused: ${JSON.stringify(refusal)}`);
  expect(refusal).toMatchObject({ category: c.refusal.category, code: c.refusal.code });
  expect(refusal.message).toMatch(c.refusal.message);

  // 2. The source connector reports the failed delivery through the SDK and the ingest route.
  const messageId = `${c.iface}-${c.hop.target}-${RUN}`;
  await reporter(c.plant, c.hop.source).report({
    correlationId: randomUUID(),
    messageId,
    interface: c.iface,
    hop: c.hop,
    businessKey: c.businessKey,
    outcome: "failed",
    latencyMs,
    attempt: 1,
    payload: c.sent,
    error: {
      category: refusal.category,
      code: refusal.code,
      message: refusal.message.slice(0, 4000),
      ...(refusal.details ? { details: refusal.details } : {}),
    },
  });
  const opened = await exceptionOf(messageId, c.plant);
  expect(opened).toMatchObject({
    status: "NEW",
    category: c.refusal.category.toUpperCase(),
    errorCode: c.refusal.code,
    hopSource: c.hop.source,
    hopTarget: c.hop.target,
  });

  // 3. A business refusal: corrected by the operator (valid against the hop's seeded contract), approved by another.
  if (c.correction) {
    const corrected = await approvedCorrection(operator, approver, opened.id, c.correction.payload, c.correction.reason);
    expect(corrected.issues).toEqual([]);
  }

  // 4. The replay (a second person's approval where the interface requires it), pushed by the workers.
  const before = c.before?.() ?? {};
  if (c.lostAnswer) t.loseNextAnswer();
  const { replay, via } = await replayApproved(operator, approver, opened.id);
  expect(via).toBe(c.approval === "replay_request" ? "replay_request" : "queued");
  const connector = await db().connector.findUniqueOrThrow({ where: { id: replay.connectorId }, include: { system: true, plant: true } });
  expect([connector.plant.code, connector.system.kind, replay.mode]).toEqual([c.plant, c.hop.target, "push"]);
  const done = await settled(opened.id);
  const attempts = await attemptsOf(replay.id);
  expect(
    { status: done.status, attempts: attempts.map((a) => a.outcome) },
    `attempts: ${JSON.stringify(attempts.map((a) => [a.outcome, a.errorCode, a.errorMessage]))}`,
  ).toEqual({ status: "RESOLVED", attempts: c.lostAnswer ? ["failed", "delivered"] : ["delivered"] });

  // 5. The target's state: the effect, exactly once (the retry of a lost answer applied nothing twice).
  c.effect(expect, replay.idempotencyKey, before);
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  // Who must approve a replay, as seeded (a file before this one may have switched it off): GOODS_MOVEMENT, BOM_RELEASE, SPARE_PARTS_USAGE, INVOICE_POSTING.
  await setReplayApproval(
    true,
    INTERFACES.filter((i) => i.requiresApproval).map((i) => i.code),
  );
  await setReplayApproval(
    false,
    INTERFACES.filter((i) => !i.requiresApproval).map((i) => i.code),
  );
  [operator, approver] = [await actor("operator@andon.local"), await actor("approver@andon.local")];

  [sapHam, sapClt, sapWro] = await Promise.all([startSapEmulator({ port: 0 }), startSapEmulator({ port: 0 }), startSapEmulator({ port: 0 })]);
  [odooHam, odooClt, odooMty] = (await Promise.all(
    ["plant_ham", "plant_clt", "plant_mty"].map((name) => startOdooEmulator({ port: 0, db: name, apiKey: ODOO_KEY, onInternalError: (e) => console.error(e) })),
  )) as [OdooEmulator, OdooEmulator, OdooEmulator];
  mes = await startMesEmulator({ port: 0 });
  wms = await startWmsEmulator({ port: 0 });
  cleanups.push(
    () => sapHam.close(),
    () => sapClt.close(),
    () => sapWro.close(),
    () => odooHam.close(),
    () => odooClt.close(),
    () => odooMty.close(),
  );
  cleanups.push(
    () => mes.close(),
    () => wms.close(),
  );

  targets.set("sapHam", sapTarget(sapHam));
  targets.set("sapClt", sapTarget(sapClt));
  targets.set("sapWro", sapTarget(sapWro));
  targets.set("odooHam", odooTarget(odooHam));
  targets.set("odooClt", odooTarget(odooClt));
  targets.set("odooMty", odooTarget(odooMty));
  targets.set("mes", {
    handler: mesReplayHandler(mes.url, { timeoutMs: 10_000 }),
    loseNextAnswer: () => mes.faults.dropConnection({ count: 1, phase: "after" }),
  });
  targets.set("wms", {
    handler: wmsReplayHandler(wms.url, { timeoutMs: 10_000 }),
    loseNextAnswer: () => wms.faults.dropConnection({ count: 1, phase: "after" }),
  });

  // Each plant's connector of the target system registers its push endpoint (its handler → its emulator).
  const endpoints = await Promise.all([
    pushEndpoint("SAP_ERP", ["DE-HAM"], targets.get("sapHam")!.handler),
    pushEndpoint("SAP_ERP", ["US-CLT"], targets.get("sapClt")!.handler),
    pushEndpoint("SAP_ERP", ["PL-WRO"], targets.get("sapWro")!.handler),
    pushEndpoint("ODOO", ["DE-HAM"], targets.get("odooHam")!.handler),
    pushEndpoint("ODOO", ["US-CLT"], targets.get("odooClt")!.handler),
    pushEndpoint("ODOO", ["MX-MTY"], targets.get("odooMty")!.handler),
    pushEndpoint("MES", ["DE-HAM"], targets.get("mes")!.handler),
    pushEndpoint("WMS", ["MX-MTY"], targets.get("wms")!.handler),
  ]);
  cleanups.push(...endpoints.map((e) => () => e.restore()));

  // The source connectors' SDK clients.
  for (const c of CASES) {
    const id = `${c.plant}|${c.hop.source}`;
    if (!reporters.has(id)) reporters.set(id, await connectorReporter(c.plant, c.hop.source));
  }
  workers = await startWorkers(inject("databaseUrl"));
});

afterAll(async () => {
  await workers?.stop();
  for (const r of reporters.values()) await r.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("every interface: a real refusal reported through the SDK, corrected, approved, replayed, applied once", () => {
  it("covers the 12 interfaces, both hops of QUALITY_HOLD, PRODORD_RELEASE and SUPPLIER_ASN", ({ expect }) => {
    expect(new Set(CASES.map((c) => c.iface)).size).toBe(12);
    const hops = (iface: string) => CASES.filter((c) => c.iface === iface).map((c) => c.hop.target);
    expect([hops("QUALITY_HOLD"), hops("PRODORD_RELEASE"), hops("SUPPLIER_ASN")]).toEqual([
      ["SAP_ERP", "ODOO"],
      ["MES", "ODOO"],
      ["ODOO", "WMS"],
    ]);
  });

  // One emulator's cases run one after another (they share its fault queue); the emulators run side by side, longest queue first.
  const queues = [...new Set(CASES.map((c) => c.on))].sort((a, b) => CASES.filter((c) => c.on === b).length - CASES.filter((c) => c.on === a).length);
  for (const on of queues) {
    describe.concurrent(`delivered by the ${on} emulator`, () => {
      for (const c of CASES.filter((c) => c.on === on)) it.sequential(c.title, ({ expect }) => run(c, expect), 60_000);
    });
  }
});
