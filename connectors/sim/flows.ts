import { cmmsSource } from "../cmms/source";
import type { OutboundEvent as CmmsOutboundEvent } from "../cmms/state";
import { acknowledgeAsn, asnJsonFromEdi, retransmitSupplierAsn, shipSupplierAsn, type SupplierAsnPayload } from "../edi";
import { emitConfirmation, pollConfirmations, type ProdordConfirm, type ProdordRelease } from "../mes";
import { postedVendorBills, postVendorBill, type VendorBillPayload } from "../odoo/source";
import { createForecastVersion, releaseForecastVersion } from "../planning/source";
import { createPlmClient, releaseBomRevision } from "../plm";
import type { InspectionResultPayload as QmsInspectionResult, QualityHoldPayload as QmsQualityHold } from "../qms/schema";
import { qmsSource } from "../qms/source";
import type { OutboundEvent as QmsOutboundEvent } from "../qms/state";
import { type InspectionResultPayload, prodordConfirmPayloadSchema, type QualityHoldPayload, type SapInboundResponse } from "../sap";
import type { IngestRefs } from "../../server/ingest/schema";
import { ensureOdooLot, type Landscape, MTY_PURCHASE_ORDERS, ODOO_UOM_NAME } from "./landscape";
import { int, pick, type Rng, type System } from "./traffic";
import {
  addDays,
  dats,
  FORECAST_MATERIALS,
  FOREIGN_MATERIAL,
  HOLD_BATCHES,
  HOLD_REASONS,
  isoOfDats,
  type PlantContext,
  PLANT_OF_ERP,
  PRODUCTS,
  purchaseOrderItems,
  QM_MATERIAL,
  type SimOrder,
  STOCK_MATERIALS,
  shortOrder,
  today,
  type World,
} from "./world";

/**
 * Where the messages come from. Each flow does what a person or a process does in the SOURCE system
 * (SAP creates and releases an order, an operator confirms at the MES terminal, quality holds a
 * batch in the QMS, engineering releases a BOM revision in the PLM, a supplier ships an ASN through
 * the portal, a planner releases a forecast version, Odoo posts a vendor bill …), takes the message
 * that system published, and gives it per target hop in the JSON form of the target's schema. What
 * happens to it is up to the targets' rules (deliver.ts delivers through their replay handlers).
 */

export type Failure = { category: "technical" | "business"; code: string; message: string; details?: Record<string, unknown> };

export type HopSpec = {
  payload: Record<string, unknown>;
  /** Runs before each delivery attempt (e.g. the receiving connector's 997 to the supplier). */
  before?: (idempotencyKey: string) => Promise<void>;
  /** The corrected message a plant user resends after fixing the cause at source (undefined: not fixable there). */
  fix?: (payload: Record<string, unknown>, failure: Failure) => Record<string, unknown> | undefined;
  /** Chance that somebody fixes it at source (default 0.3). */
  fixChance?: number;
  onDelivered?: (response: unknown) => Promise<void> | void;
};

export type PlannedMessage = {
  interface: string;
  /** The plant the message belongs to when a shared system's feed brought it (default: the flow's plant). */
  plantCode?: string;
  businessKey: string;
  /**
   * Typed references of the business objects the message concerns (sent with every event of it): the same
   * numbers in every system of the plant (the order SAP releases is the one the MES confirms), so Andon can
   * trace a lot, an order or a PO across interfaces.
   */
  refs?: IngestRefs;
  /** Per target system; targets the catalog names but the plant does not run are skipped. */
  hops: Partial<Record<System, HopSpec>>;
};

export type FlowContext = {
  l: Landscape;
  world: World;
  r: Rng;
  plant: PlantContext;
  log: (line: string) => void;
  now: () => number;
  /** A source system refused or could not do the action: no message was produced. */
  refused: (what: string, error: unknown) => void;
  /** How long a quality hold lasts before the QMS releases it. */
  holdMs: number;
};

export type Flow = (ctx: FlowContext) => Promise<PlannedMessage[]>;

let docnum = 4_800_000 + Math.floor(Math.random() * 100_000);
const nextDocnum = () => String(++docnum).padStart(16, "0");
/** The references an IDoc goods-movement item names (E1BP2017_GM_ITEM_CREATE): material, batch, order, PO line. */
export function goodsMovementRefs(item: { MATERIAL?: unknown; BATCH?: unknown; ORDERID?: unknown; PO_NUMBER?: unknown; PO_ITEM?: unknown }): IngestRefs {
  const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
  const material = text(item.MATERIAL);
  const lot = text(item.BATCH);
  const order = text(item.ORDERID);
  const po = text(item.PO_NUMBER);
  const line = text(item.PO_ITEM);
  return {
    ...(material ? { material } : {}),
    ...(lot ? { lot } : {}),
    ...(order ? { productionOrder: { id: shortOrder(order) } } : {}),
    ...(po ? { purchaseOrder: { id: po, ...(line ? { line } : {}) } } : {}),
  };
}

const decimal3 = (n: number) => String(Math.round(n * 1000) / 1000);
/** The later of two ISO dates. */
const latest = (a: string, b: string) => [a, b].sort().at(-1) as string;

async function postIdoc(l: Landscape, idoc: Record<string, unknown>): Promise<SapInboundResponse> {
  const res = await fetch(`${l.sap.url}/sap/idoc/inbound`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(idoc),
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) throw new Error(`SAP IDoc inbound answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  const answer = (await res.json()) as SapInboundResponse;
  if (answer.status !== "53") throw new Error(`SAP did not save the IDoc: ${answer.statusRecords.map((s) => `${s.STATUS} ${s.STATXT}`).join("; ")}`);
  return answer;
}

// ---------------------------------------------------------------------------------------------
// Target forms
// ---------------------------------------------------------------------------------------------

/** QMS QUALITY_HOLD → the SAP connector's form (SAP moves all of the batch's stock between stock types). */
export function sapHoldForm(p: QmsQualityHold): QualityHoldPayload {
  return {
    material: p.material,
    plant: p.plant,
    batch: p.batch,
    ...(p.storageLocation ? { storageLocation: p.storageLocation } : {}),
    action: p.action,
    targetStockType: p.targetStockType,
    reason: p.reason.slice(0, 200),
    ...(p.inspectionLot ? { inspectionLot: p.inspectionLot } : {}),
  };
}

/** QMS INSPECTION_RESULT (DECIDED) → the SAP form (results + usage decision of the inspection lot). */
export function sapInspectionForm(p: QmsInspectionResult): InspectionResultPayload | undefined {
  if (p.status !== "DECIDED" || !p.usageDecision) return undefined;
  return {
    inspectionLot: p.inspectionLot,
    material: p.material,
    plant: p.plant,
    batch: p.batch,
    usageDecisionCode: p.usageDecision,
    ...(p.usageDecisionText ? { usageDecisionText: p.usageDecisionText.slice(0, 200) } : {}),
    results: p.results.map((r) => ({
      characteristic: r.characteristic,
      value: r.measuredValue,
      ...(r.unit ? { unit: r.unit.slice(0, 6) } : {}),
      ...(r.lowerLimit !== undefined ? { lowerLimit: r.lowerLimit } : {}),
      ...(r.upperLimit !== undefined ? { upperLimit: r.upperLimit } : {}),
      inSpec: r.inSpec,
    })),
  };
}

/** MES PRODORD_CONFIRM → ProdnOrdConf2 as the SAP connector takes it (the properties its schema knows). */
export function sapConfirmationForm(p: ProdordConfirm): Record<string, unknown> {
  const known = new Set(Object.keys(prodordConfirmPayloadSchema.shape));
  return Object.fromEntries(Object.entries(p).filter(([key, value]) => known.has(key) && value !== undefined));
}

/** Odoo vendor bill → A_SupplierInvoice with PO references (SAP's PO items by material). */
export function sapInvoiceForm(bill: VendorBillPayload, companyCode: string, currency: string, items: { material: string; item: string; unit: string }[]) {
  return {
    CompanyCode: companyCode,
    DocumentDate: bill.invoiceDate,
    PostingDate: bill.postingDate,
    InvoicingParty: bill.vendor,
    DocumentCurrency: currency,
    InvoiceGrossAmount: bill.total.toFixed(2),
    SupplierInvoiceIDByInvcgParty: (bill.vendorInvoice ?? bill.invoiceNumber).slice(0, 16),
    DocumentHeaderText: bill.invoiceNumber.slice(0, 25),
    to_SuplrInvcItemPurOrdRef: bill.lines.map((line, index) => {
      const item = items.find((i) => i.material === line.material);
      return {
        SupplierInvoiceItem: String(index + 1),
        PurchaseOrder: bill.purchaseOrder ?? "",
        PurchaseOrderItem: item ? String(Number(item.item)) : "0",
        SupplierInvoiceItemAmount: line.amount.toFixed(2),
        QuantityInPurchaseOrderUnit: decimal3(line.quantity),
        ...(item ? { PurchaseOrderQuantityUnit: item.unit } : {}),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Production: PRODORD_RELEASE, PRODORD_CONFIRM
// ---------------------------------------------------------------------------------------------

/** SAP creates a production order (planned order converted, released): saved through its IDoc inbound. */
async function createSapOrder(ctx: FlowContext): Promise<string | undefined> {
  const { l, r, world, plant } = ctx;
  const sapPlant = plant.sapPlant!;
  const spec = PRODUCTS[sapPlant]!;
  const number = world.nextOrder.get(sapPlant)!;
  world.nextOrder.set(sapPlant, number + 1);
  const aufnr = String(number).padStart(12, "0");
  const quantity = int(r, spec.quantity[0], spec.quantity[1]);
  const start = addDays(today(), int(r, 0, 3));
  const idoc = {
    idocType: "LOIPRO01",
    control: { DOCNUM: nextDocnum(), MESTYP: "LOIPRO", SNDPRN: "ERPCLNT100", RCVPRN: "ERPCLNT100" },
    E1AFKOL: {
      AUFNR: aufnr,
      AUART: spec.orderType,
      WERKS: sapPlant,
      MATNR: spec.material,
      GAMNG: decimal3(quantity),
      GMEIN: spec.unit,
      GSTRP: dats(start),
      GLTRP: dats(addDays(start, 2)),
      E1AFFLL: [{ APLFL: "0", E1AFVOL: spec.operations.map((op) => ({ VORNR: op.vornr, ARBPL: op.workCenter, LTXA1: op.text })) }],
      E1RESBL: spec.components.map((c) => ({ MATNR: c.material, BDMNG: decimal3(c.perUnit * quantity), MEINS: c.unit, LGORT: "0001" })),
    },
  };
  try {
    await postIdoc(l, idoc);
  } catch (error) {
    ctx.refused(`SAP order ${shortOrder(aufnr)}`, error);
    return undefined;
  }
  // LOIPRO01 carries no BOM revision: the order's revision and its effectivity are set in SAP's
  // order directly (reported gap). Now and then an order is exploded with the next revision before
  // it is effective — scenario 2 (confirmations of it are refused, ZSAPEMU 023).
  const order = l.sap.erp.orders.get(aufnr);
  if (order && sapPlant === "1000") {
    const early = r() < 0.03;
    order.bomRevision = early ? "B" : "A";
    order.bomValidFrom = dats(early ? addDays(today(), int(r, 5, 14)) : "2026-01-01");
  }
  return aufnr;
}

export const prodordRelease: Flow = async (ctx) => {
  const { l, world, plant } = ctx;
  const sapPlant = plant.sapPlant;
  if (!sapPlant || !PRODUCTS[sapPlant]) return [];
  const aufnr = world.releaseQueue.get(sapPlant)?.shift() ?? (await createSapOrder(ctx));
  if (!aufnr) return [];
  const order = l.sap.order(aufnr);
  if (!order) return [];
  const quantity = order.quantity / 1000;
  const start = isoOfDats(order.basicStart);
  const finish = isoOfDats(order.basicFinish || order.basicStart);
  const sim: SimOrder = { aufnr, sapPlant, material: order.material, quantity, unit: order.unit, inMes: false, done: false, received: false, yield: 0 };
  const orders = world.ordersOf(sapPlant);
  if (!orders.some((o) => o.aufnr === aufnr)) orders.push(sim);
  if (orders.length > 300) orders.splice(0, orders.length - 300); // the oldest orders are long finished
  const productId = l.odooIds.products.get(order.material);
  const hops: PlannedMessage["hops"] = {};
  if (productId !== undefined) {
    hops.ODOO = {
      payload: {
        product_id: productId,
        product_qty: quantity,
        product_uom_id: l.odooIds.uoms.get(ODOO_UOM_NAME[order.unit] ?? "Units") ?? 1,
        origin: `SAP ${shortOrder(aufnr)}`,
        date_start: `${start} 06:00:00`,
      },
    };
  }
  // Scenario 7: the ERP's outbound unit mapping changed (PC goes out as SAP's internal ST).
  const wave = ctx.now() < world.uomWaveUntil;
  const unit = (u: string) => (wave && u === "PC" ? "ST" : u);
  const spec = PRODUCTS[sapPlant]!;
  const release: ProdordRelease = {
    orderNumber: shortOrder(aufnr),
    plant: sapPlant,
    material: order.material,
    quantity,
    unit: unit(order.unit),
    ...(order.bomRevision ? { bomRevision: order.bomRevision } : {}),
    plannedStart: start,
    plannedEnd: latest(start, finish),
    operations: order.operations.map((op) => ({ operation: op.vornr, workCentre: op.workCenter, description: op.text.slice(0, 40) })),
    components: (order.components.length > 0
      ? order.components.map((c) => ({ material: c.material, quantity: c.quantity / 1000, unit: c.unit }))
      : spec.components.map((c) => ({ material: c.material, quantity: Math.round(c.perUnit * quantity * 1000) / 1000, unit: c.unit }))
    ).map((c) => ({ ...c, unit: unit(c.unit) })),
  };
  hops.MES = {
    payload: release as unknown as Record<string, unknown>,
    onDelivered: () => {
      sim.inMes = true;
    },
  };
  const refs: IngestRefs = {
    productionOrder: { id: shortOrder(aufnr) },
    material: order.material,
    ...(order.bomRevision ? { bom: { id: order.material, revision: order.bomRevision } } : {}),
  };
  return [{ interface: "PRODORD_RELEASE", businessKey: shortOrder(aufnr), refs, hops }];
};

export const prodordConfirm: Flow = async (ctx) => {
  const { r, world, plant } = ctx;
  const sapPlant = plant.sapPlant;
  if (!sapPlant || !plant.mesSite) return [];
  const candidates = world.ordersOf(sapPlant).filter((o) => o.inMes && !o.done && !world.busyOrders.has(o.aufnr));
  // Nothing to confirm yet: the order has to be released first (the chain's prerequisite).
  if (candidates.length === 0) return prodordRelease(ctx);
  const sim = pick(r, candidates);
  world.busyOrders.add(sim.aufnr);
  try {
    return await confirmOperation(ctx, sim);
  } finally {
    world.busyOrders.delete(sim.aufnr);
  }
};

async function confirmOperation(ctx: FlowContext, sim: SimOrder): Promise<PlannedMessage[]> {
  const { l, r } = ctx;
  const mesOrder = l.mes.order(sim.aufnr);
  const operation = mesOrder?.operations.find((op) => op.status !== "DONE");
  if (!mesOrder || !operation) {
    sim.done = true;
    return [];
  }
  const open = Math.max(0, mesOrder.quantity - operation.confirmedYield - operation.confirmedScrap);
  const over = r() < 0.03; // over-delivery within the MES's tolerance: the ERP may refuse it
  const scrap = r() < 0.3 ? Math.min(int(r, 1, 3), Math.max(0, open - 1)) : 0;
  const good = over ? open + int(r, 1, Math.max(1, Math.ceil(mesOrder.quantity * 0.08))) : Math.min(open - scrap, Math.ceil(mesOrder.quantity / int(r, 2, 3)));
  if (good <= 0) return [];
  // The operator confirms at the terminal…
  try {
    await emitConfirmation(l.mes.url, { order: shortOrder(sim.aufnr), operation: operation.operation, yield: good, scrap });
  } catch (error) {
    ctx.refused(`MES confirmation of ${shortOrder(sim.aufnr)}/${operation.operation}`, error);
    // A refusal recorded nothing; after a lost answer the confirmation may well be in the feed.
    if ((error as { category?: string }).category !== "technical") return [];
  }
  // …and the MES connector reads what the MES published (B2MML ProductionPerformance feed).
  return readConfirmationFeed(ctx);
}

/** New ProductionPerformance records of the MES feed, as PRODORD_CONFIRM messages (each once). */
export async function readConfirmationFeed(ctx: FlowContext): Promise<PlannedMessage[]> {
  const { l, world } = ctx;
  let feed: Awaited<ReturnType<typeof pollConfirmations>>;
  try {
    feed = await pollConfirmations(l.mes.url, world.mesCursor);
  } catch (error) {
    ctx.refused("MES performance feed", error);
    return [];
  }
  const fresh = feed.items.filter((item) => item.sequence > world.mesCursor);
  world.mesCursor = Math.max(world.mesCursor, ...fresh.map((item) => item.sequence));
  return fresh.map((item) => {
    const order = [...world.orders.values()].flat().find((o) => shortOrder(o.aufnr) === item.payload.OrderID);
    if (order) {
      const mesOrder = l.mes.order(order.aufnr);
      if (item.payload.OrderOperation === mesOrder?.operations.at(-1)?.operation) order.yield += Number(item.payload.ConfirmationYieldQuantity);
      if (mesOrder?.status === "DONE") order.done = true;
    }
    const refs: IngestRefs = {
      productionOrder: { id: item.payload.OrderID, operation: item.payload.OrderOperation },
      ...(order ? { material: order.material } : {}),
    };
    return { interface: "PRODORD_CONFIRM", businessKey: item.payload.OrderID, refs, hops: { SAP_ERP: { payload: sapConfirmationForm(item.payload) } } };
  });
}

// ---------------------------------------------------------------------------------------------
// Stock: GOODS_MOVEMENT (Odoo → SAP), with the inspection-lot chain behind INSPECTION_RESULT
// ---------------------------------------------------------------------------------------------

type GmItem = Record<string, string>;

function idoc(plant: PlantContext, code: string, items: GmItem[], reference: string): Record<string, unknown> {
  const day = dats(today());
  return {
    idocType: "MBGMCR03",
    control: { DOCNUM: nextDocnum(), MESTYP: "MBGMCR", SNDPRN: plant.odooPartner, RCVPRN: "ERPCLNT100" },
    E1BP2017_GM_HEAD_01: { PSTNG_DATE: day, DOC_DATE: day, REF_DOC_NO: reference.slice(0, 16), HEADER_TXT: "Odoo stock move" },
    E1BP2017_GM_CODE: { GM_CODE: code },
    E1BP2017_GM_ITEM_CREATE: items,
  };
}

/** The planner books the quantity really there and resends (new IDoc number). */
function fixDeficit(payload: Record<string, unknown>, failure: Failure): Record<string, unknown> | undefined {
  if (!/^M7[-/]021$/.test(failure.code) || /Blocked|Quality inspection/.test(failure.message)) return undefined; // a held batch waits for quality
  const item = (payload.E1BP2017_GM_ITEM_CREATE as GmItem[])[0]!;
  const corrected = { ...item, ENTRY_QNT: String(Math.max(1, Math.floor(Number(item.ENTRY_QNT) / 20))) };
  return { ...payload, control: { ...(payload.control as object), DOCNUM: nextDocnum() }, E1BP2017_GM_ITEM_CREATE: [corrected] };
}

export type GoodsMovementChoice =
  | { kind: "issue"; material?: string; batch?: string; quantity?: number }
  | { kind: "replenish" }
  | { kind: "po-receipt" }
  | { kind: "fg-receipt" };

export async function goodsMovement(ctx: FlowContext, choice?: GoodsMovementChoice): Promise<PlannedMessage[]> {
  const { r, world, plant } = ctx;
  const sapPlant = plant.sapPlant;
  if (!sapPlant || !STOCK_MATERIALS[sapPlant]) return [];
  const stock = STOCK_MATERIALS[sapPlant]!;
  const spec = PRODUCTS[sapPlant]!;
  const orders = world.ordersOf(sapPlant);
  const finished = orders.filter((o) => o.done && !o.received && o.yield > 0);
  const roll = r();
  const kind = choice?.kind ?? (finished.length > 0 && roll < 0.08 ? "fg-receipt" : roll < 0.32 ? "replenish" : roll < 0.4 ? "po-receipt" : "issue");
  const message = (code: string, item: GmItem, key: string, fix?: HopSpec["fix"], onDelivered?: HopSpec["onDelivered"]): PlannedMessage[] => [
    {
      interface: "GOODS_MOVEMENT",
      businessKey: key,
      refs: goodsMovementRefs(item),
      hops: { SAP_ERP: { payload: idoc(plant, code, [item], `WH/${code === "03" ? "OUT" : "IN"}/${int(r, 10000, 99999)}`), fix, onDelivered } },
    },
  ];

  if (kind === "fg-receipt" && finished.length > 0) {
    const order = finished[0]!;
    order.received = true;
    return message(
      "02",
      { MATERIAL: order.material, PLANT: sapPlant, STGE_LOC: "0003", MOVE_TYPE: "101", ENTRY_QNT: decimal3(order.yield), ORDERID: order.aufnr },
      shortOrder(order.aufnr),
    );
  }
  if (kind === "replenish") {
    const m = pick(r, stock);
    const batch = m.batches.length > 0 ? pick(r, m.batches) : undefined;
    return message(
      "05",
      { MATERIAL: m.material, PLANT: sapPlant, STGE_LOC: "0001", MOVE_TYPE: "501", ENTRY_QNT: String(int(r, 40, 300)), ...(batch ? { BATCH: batch } : {}) },
      batch ?? m.material,
    );
  }
  if (kind === "po-receipt") {
    const items = purchaseOrderItems(sapPlant).filter((i) => i.material !== QM_MATERIAL);
    const item = items.length > 0 ? pick(r, items) : undefined;
    if (item) {
      const batch = stock.find((m) => m.material === item.material)?.batches[0];
      return message(
        "01",
        {
          MATERIAL: item.material,
          PLANT: sapPlant,
          STGE_LOC: "0001",
          MOVE_TYPE: "101",
          ENTRY_QNT: String(int(r, 20, 200)),
          ENTRY_UOM: item.unit,
          PO_NUMBER: item.po,
          PO_ITEM: item.item,
          ...(batch ? { BATCH: batch } : {}),
        },
        item.po,
      );
    }
  }
  // Issue to a production order of the plant (a component of its BOM), or one of the occasional slips.
  const open = orders.filter((o) => !o.received);
  const order = open.length > 0 ? pick(r, open) : undefined;
  const aufnr = order?.aufnr ?? l_seedOrder(sapPlant);
  const component = choice?.kind === "issue" && choice.material ? { material: choice.material } : pick(r, [...spec.components, { material: "PK-0100" }]);
  const m = stock.find((s) => s.material === component.material) ?? stock[0]!;
  const slip = choice ? 1 : r();
  if (slip < 0.03 && m.batches.length > 0) {
    // Batch forgotten on a batch-managed material (SAP: M7 018); support decides which batch.
    return message(
      "03",
      { MATERIAL: m.material, PLANT: sapPlant, STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: String(int(r, 1, 20)), ORDERID: aufnr },
      shortOrder(aufnr),
    );
  }
  if (slip < 0.05) {
    // A material of another plant booked here (SAP: M7 002, not maintained in the plant).
    return message(
      "03",
      { MATERIAL: FOREIGN_MATERIAL[sapPlant]!, PLANT: sapPlant, STGE_LOC: "0001", MOVE_TYPE: "201", ENTRY_QNT: String(int(r, 1, 20)), COSTCENTER: "4100" },
      FOREIGN_MATERIAL[sapPlant]!,
    );
  }
  const batch = choice?.kind === "issue" && choice.batch ? choice.batch : m.batches.length > 0 ? pick(r, m.batches) : undefined;
  const big = !choice && r() < 0.1; // the occasional large issue runs into a stock deficit
  const quantity = choice?.kind === "issue" && choice.quantity ? choice.quantity : big ? int(r, 400, 1500) : int(r, 5, 60);
  return message(
    "03",
    {
      MATERIAL: m.material,
      PLANT: sapPlant,
      STGE_LOC: "0001",
      MOVE_TYPE: "261",
      ENTRY_QNT: String(quantity),
      ORDERID: aufnr,
      ...(batch ? { BATCH: batch } : {}),
    },
    batch ?? shortOrder(aufnr),
    fixDeficit,
  );
}

const l_seedOrder = (sapPlant: string) => ({ "1000": "000001004711", "2000": "000002001001", "4000": "000004000501" })[sapPlant] ?? "000001004711";

/**
 * The goods receipt of a QM-managed material (RM-2040) against its purchase order: SAP posts it to
 * quality inspection and opens an inspection lot; the QMS/LIMS gets that lot (same number), records
 * the results, and a later INSPECTION_RESULT carries its usage decision.
 */
async function qmReceipt(ctx: FlowContext): Promise<PlannedMessage[]> {
  const { l, r, world, plant } = ctx;
  const sapPlant = plant.sapPlant!;
  const item = purchaseOrderItems(sapPlant).find((i) => i.material === QM_MATERIAL);
  if (!item || !plant.qmsPlant) return [];
  const batch = `B2026-${++world.batchSeq}`;
  try {
    await ensureOdooLot(l, QM_MATERIAL, batch); // Odoo received the goods: its lot exists there
  } catch (error) {
    ctx.refused(`Odoo lot ${batch}`, error);
    return [];
  }
  const quantity = int(r, 40, 200);
  const onDelivered = async () => {
    const sapLot = [...l.sap.erp.inspectionLots.values()].find((lot) => lot.batch === batch && lot.plant === sapPlant);
    if (!sapLot) return;
    const qms = qmsSource(l.qms.url);
    try {
      const lot = await withLotNumber(l, sapLot.lot, () =>
        qms.createInspectionLot({ origin: "01", material: QM_MATERIAL, plant: plant.qmsPlant!, batch, storageLocation: "0001", quantity, unit: "KG" }),
      );
      const outOfSpec = r() < 0.12;
      await qms.recordResults(
        lot.inspectionLot,
        lot.characteristics.map((c, index) => {
          const mid = c.lowerLimit !== undefined && c.upperLimit !== undefined ? (c.lowerLimit + c.upperLimit) / 2 : (c.lowerLimit ?? c.upperLimit ?? 1);
          const value = outOfSpec && index === 0 && c.upperLimit !== undefined ? c.upperLimit * 1.1 : mid * (0.97 + r() * 0.06);
          return { characteristic: c.characteristic, measuredValue: Number(value.toFixed(2)) };
        }),
      );
      world.inspectionLots.push({ sapLot: sapLot.lot, plant: sapPlant, batch, qmsCreated: true });
    } catch (error) {
      ctx.refused(`QMS inspection lot ${sapLot.lot}`, error);
    }
  };
  return [
    {
      interface: "GOODS_MOVEMENT",
      businessKey: batch,
      refs: { material: QM_MATERIAL, lot: batch, purchaseOrder: { id: item.po, line: item.item } },
      hops: {
        SAP_ERP: {
          payload: idoc(
            plant,
            "01",
            [
              {
                MATERIAL: QM_MATERIAL,
                PLANT: sapPlant,
                STGE_LOC: "0001",
                BATCH: batch,
                MOVE_TYPE: "101",
                ENTRY_QNT: String(quantity),
                ENTRY_UOM: "KG",
                PO_NUMBER: item.po,
                PO_ITEM: item.item,
              },
            ],
            `WH/IN/${int(r, 10000, 99999)}`,
          ),
          onDelivered,
        },
      },
    },
  ];
}

/**
 * The QMS numbers its own lots, and its API takes no number from the ERP: for the lot SAP opened,
 * the simulator sets the QMS's next number (its state) right before creating it — the inspection
 * lot download of a real SAP-QM/LIMS link (reported as an emulator gap). Serialized.
 */
let lotQueue: Promise<unknown> = Promise.resolve();
function withLotNumber<T>(l: Landscape, sapLot: string, create: () => Promise<T>): Promise<T> {
  const run = lotQueue.then(() => {
    l.qms.state.nextLotNumber["01"] = Number(sapLot.slice(2));
    return create();
  });
  lotQueue = run.catch(() => undefined);
  return run;
}

// ---------------------------------------------------------------------------------------------
// Quality: QUALITY_HOLD, INSPECTION_RESULT (QMS/LIMS → SAP, Odoo)
// ---------------------------------------------------------------------------------------------

function holdMessage(p: QmsQualityHold): PlannedMessage {
  return {
    interface: "QUALITY_HOLD",
    businessKey: p.batch,
    refs: { lot: p.batch, material: p.material, ...(p.inspectionLot ? { inspectionLot: p.inspectionLot } : {}) },
    hops: { SAP_ERP: { payload: sapHoldForm(p) }, ODOO: { payload: p as unknown as Record<string, unknown> } },
  };
}

/** The QMS's outbound feed after the last position read: QUALITY_HOLD and decided INSPECTION_RESULTs, each once, for its plant. */
export async function readQmsFeed(ctx: FlowContext): Promise<PlannedMessage[]> {
  const { l, world } = ctx;
  let events: QmsOutboundEvent[];
  try {
    ({ events } = await qmsSource(l.qms.url).poll(world.qmsCursor, 200));
  } catch (error) {
    ctx.refused("QMS outbound feed", error);
    return [];
  }
  const fresh = events.filter((e) => e.seq > world.qmsCursor);
  world.qmsCursor = Math.max(world.qmsCursor, ...fresh.map((e) => e.seq));
  const out: PlannedMessage[] = [];
  for (const event of fresh) {
    const plantCode = PLANT_OF_ERP[event.payload.plant];
    if (!plantCode) continue;
    if (event.interface === "QUALITY_HOLD") {
      const hold = event.payload as QmsQualityHold;
      const holds = world.holdsOf(hold.plant);
      if (hold.action === "RELEASE") holds.delete(hold.batch);
      out.push({ ...holdMessage(hold), plantCode });
    } else {
      // Results alone (RESULTS_COMPLETE) have no SAP form: the ERP takes them with the usage decision.
      const form = sapInspectionForm(event.payload as QmsInspectionResult);
      if (form)
        out.push({
          interface: "INSPECTION_RESULT",
          businessKey: form.inspectionLot,
          refs: { inspectionLot: form.inspectionLot, lot: form.batch, material: form.material },
          plantCode,
          hops: { SAP_ERP: { payload: form as unknown as Record<string, unknown> } },
        });
    }
  }
  return out;
}

const isTechnical = (error: unknown) => (error as { category?: string }).category === "technical";

export async function qualityHold(ctx: FlowContext, choice?: { action: "HOLD" | "RELEASE"; material: string; batch: string }): Promise<PlannedMessage[]> {
  const { l, r, world, plant } = ctx;
  const qmsPlant = plant.qmsPlant;
  if (!qmsPlant || !HOLD_BATCHES[qmsPlant]) return [];
  const holds = world.holdsOf(qmsPlant);
  const qms = qmsSource(l.qms.url);
  const now = ctx.now();
  const due = [...holds].filter(([, since]) => now - since >= ctx.holdMs).map(([batch]) => batch);
  const free = HOLD_BATCHES[qmsPlant]!.filter((b) => !holds.has(b.batch));
  // At most one batch of the plant on hold: released once its time is up; a new hold now and then.
  if (!choice && due.length === 0 && (holds.size > 0 || free.length === 0 || r() >= 0.3)) return [];
  const action = choice?.action ?? (due.length > 0 ? "RELEASE" : "HOLD");
  if (action === "RELEASE") {
    const batch = choice?.batch ?? due[0]!;
    const held = HOLD_BATCHES[qmsPlant]!.find((b) => b.batch === batch) ?? (choice ? { material: choice.material, batch } : undefined);
    if (!held) return [];
    holds.delete(batch);
    try {
      await qms.releaseHold({ material: held.material, plant: qmsPlant, batch, reason: "Re-test passed, released by quality" });
    } catch (error) {
      ctx.refused(`QMS release of ${batch}`, error);
      if (!isTechnical(error)) return [];
    }
  } else {
    const target = choice ? { material: choice.material, batch: choice.batch } : pick(r, free);
    const [reasonCode, reason] = pick(r, HOLD_REASONS);
    holds.set(target.batch, now);
    try {
      await qms.placeHold({ material: target.material, plant: qmsPlant, batch: target.batch, reason, reasonCode });
    } catch (error) {
      ctx.refused(`QMS hold of ${target.batch}`, error);
      if (!isTechnical(error)) {
        holds.delete(target.batch);
        return [];
      }
    }
  }
  return readQmsFeed(ctx);
}

export const inspectionResult: Flow = async (ctx) => {
  const { l, r, world, plant } = ctx;
  const sapPlant = plant.sapPlant;
  if (!sapPlant || !plant.qmsPlant) return [];
  const index = world.inspectionLots.findIndex((lot) => lot.plant === sapPlant && lot.qmsCreated);
  // No lot waits for a decision: a goods receipt of the QM-managed material opens the next one.
  if (index < 0) return qmReceipt(ctx);
  const [waiting] = world.inspectionLots.splice(index, 1);
  const qmsLot = l.qms.lot(waiting!.sapLot);
  if (!qmsLot) return [];
  const outOfSpec = qmsLot.characteristics.some((c) => c.result && !c.result.inSpec);
  const code = outOfSpec ? (r() < 0.5 ? "A02" : "R01") : "A01";
  try {
    await qmsSource(l.qms.url).makeUsageDecision(waiting!.sapLot, code, { decidedBy: `QM-${plant.code.slice(0, 3)}` });
  } catch (error) {
    ctx.refused(`QMS usage decision of ${waiting!.sapLot}`, error);
    if (!isTechnical(error)) return [];
  }
  return readQmsFeed(ctx);
};

// ---------------------------------------------------------------------------------------------
// Master data: MATERIAL_MASTER (SAP → Odoo)
// ---------------------------------------------------------------------------------------------

const NEW_MATERIALS: readonly [string, string, string][] = [
  ["Hex bolt M8x30 8.8", "PC", "RM-FAST"],
  ["Washer DIN 125 M8", "PC", "RM-FAST"],
  ["Cable tie 200x4.8", "PC", "PK-MISC"],
  ["Cutting oil emulsion 5 %", "L", "RM-CHEM"],
  ["Powder coating RAL 7016", "KG", "RM-CHEM"],
  ["Steel tube 30x2 mm", "M", "RM-STEEL"],
];

export const materialMaster: Flow = async (ctx) => {
  const { l, r, world, plant } = ctx;
  const sapPlant = plant.sapPlant;
  if (!sapPlant) return [];
  const [description, unit, group] = pick(r, NEW_MATERIALS);
  const code = `RM-${60000 + ++world.materialSeq}`;
  // The material is created in SAP (MM01; here its MATMAS inbound), then distributed to Odoo.
  try {
    await postIdoc(l, {
      idocType: "MATMAS05",
      control: { DOCNUM: nextDocnum(), MESTYP: "MATMAS", SNDPRN: "ERPCLNT100", RCVPRN: "ERPCLNT100" },
      E1MARAM: {
        MATNR: code,
        MTART: "ROH",
        MATKL: group,
        MEINS: unit,
        E1MAKTM: [{ SPRAS_ISO: "EN", MAKTX: description }],
        E1MARCM: [{ WERKS: sapPlant, BESKZ: "F", DISMM: "PD" }],
      },
    });
  } catch (error) {
    ctx.refused(`SAP material ${code}`, error);
    return [];
  }
  return [
    {
      interface: "MATERIAL_MASTER",
      businessKey: code,
      refs: { material: code },
      hops: {
        ODOO: {
          payload: { name: description, default_code: code, uom_id: l.odooIds.uoms.get(ODOO_UOM_NAME[unit] ?? "Units") ?? 1, type: "product" },
          onDelivered: (response) => {
            const id = (response as { id?: unknown } | undefined)?.id;
            if (typeof id === "number") l.odooIds.products.set(code, id);
          },
        },
      },
    },
  ];
};

// ---------------------------------------------------------------------------------------------
// Maintenance: MAINT_WORK_ORDER (CMMS → Odoo), SPARE_PARTS_USAGE (CMMS consumption → SAP)
// ---------------------------------------------------------------------------------------------

const NEXT_STATUS: Readonly<Record<string, "RELEASED" | "IN_PROGRESS" | "COMPLETED" | "CLOSED">> = {
  CREATED: "RELEASED",
  RELEASED: "IN_PROGRESS",
  IN_PROGRESS: "COMPLETED",
  COMPLETED: "CLOSED",
};
const EQUIPMENT: Readonly<Record<string, string[]>> = { "1000": ["EQ-1013", "EQ-1014"], "2000": ["EQ-1012"] };
const WORK: readonly string[] = [
  "Spindle vibration above limit",
  "Coolant leak at the tool changer",
  "Hydraulic pressure drop",
  "Door interlock fault",
  "Quarterly lubrication",
];

/** CMMS work orders are SAP PM orders too (000004200004…): the order is mirrored in SAP's state (no PM order API in the emulator). */
function mirrorPmOrder(l: Landscape, workOrder: string, plant: string): void {
  const aufnr = workOrder.padStart(12, "0");
  if (l.sap.erp.orders.has(aufnr)) return;
  const day = dats(today());
  l.sap.erp.orders.set(aufnr, {
    aufnr,
    orderType: "PM01",
    category: "PM",
    plant,
    material: "",
    quantity: 0,
    unit: "",
    basicStart: day,
    basicFinish: day,
    systemStatus: ["REL"],
    operations: [],
    components: [],
  });
}

export async function seedWorkOrders(l: Landscape, world: World): Promise<void> {
  for (const wo of ["4100017", "4200003"]) {
    const found = l.cmms.workOrder(wo);
    if (!found) continue;
    mirrorPmOrder(l, wo, found.plant);
    world.workOrders.push({ workOrder: wo, plant: found.plant, status: found.status, reserved: found.reservations.map((res) => res.material) });
  }
}

/** The CMMS's outbound feed: MAINT_WORK_ORDER and SPARE_PARTS_USAGE, each once, for its plant. */
export async function readCmmsFeed(ctx: FlowContext): Promise<PlannedMessage[]> {
  const { l, world } = ctx;
  let events: CmmsOutboundEvent[];
  try {
    ({ events } = await cmmsSource(l.cmms.url).poll(world.cmmsCursor, 200));
  } catch (error) {
    ctx.refused("CMMS outbound feed", error);
    return [];
  }
  const fresh = events.filter((e) => e.seq > world.cmmsCursor);
  world.cmmsCursor = Math.max(world.cmmsCursor, ...fresh.map((e) => e.seq));
  const out: PlannedMessage[] = [];
  for (const event of fresh) {
    if (event.interface === "MAINT_WORK_ORDER") {
      const wo = event.payload;
      const plantCode = PLANT_OF_ERP[wo.plant];
      let known = world.workOrders.find((w) => w.workOrder === wo.workOrder);
      if (!known) {
        mirrorPmOrder(l, wo.workOrder, wo.plant);
        known = { workOrder: wo.workOrder, plant: wo.plant, status: wo.status, reserved: [] };
        world.workOrders.push(known);
      }
      known.status = wo.status;
      known.reserved = [...new Set(wo.reservations.map((res) => res.material))];
      if (world.workOrders.length > 100) {
        const closed = world.workOrders.findIndex((w) => w.status === "CLOSED");
        if (closed >= 0) world.workOrders.splice(closed, 1);
      }
      if (plantCode)
        out.push({
          interface: "MAINT_WORK_ORDER",
          businessKey: wo.workOrder,
          refs: { workOrder: wo.workOrder },
          plantCode,
          hops: { ODOO: { payload: wo as unknown as Record<string, unknown> } },
        });
    } else {
      const usage = event.payload;
      const plantCode = PLANT_OF_ERP[usage.E1BP2017_GM_ITEM_CREATE[0]?.PLANT ?? ""];
      if (plantCode) {
        out.push({
          interface: "SPARE_PARTS_USAGE",
          businessKey: event.businessKey,
          refs: { workOrder: event.businessKey, ...goodsMovementRefs(usage.E1BP2017_GM_ITEM_CREATE[0] ?? {}) },
          plantCode,
          hops: { SAP_ERP: { payload: usage as unknown as Record<string, unknown> } },
        });
      }
    }
  }
  return out;
}

export const maintWorkOrder: Flow = async (ctx) => {
  const { r, world, plant } = ctx;
  const cmmsPlant = plant.cmmsPlant;
  if (!cmmsPlant || !EQUIPMENT[cmmsPlant]) return [];
  const cmms = cmmsSource(ctx.l.cmms.url);
  const open = world.workOrders.filter((wo) => wo.plant === cmmsPlant && wo.status !== "CLOSED");
  try {
    if (open.length < 3 || r() < 0.15) {
      await cmms.createWorkOrder({
        equipment: pick(r, EQUIPMENT[cmmsPlant]!),
        description: pick(r, WORK),
        maintenanceType: r() < 0.3 ? "PREVENTIVE" : "CORRECTIVE",
        priority: pick(r, ["1", "2", "3", "4"] as const),
        plannedStart: new Date(ctx.now() + 3_600_000).toISOString(),
      });
    } else {
      const wo = pick(r, open);
      const next = NEXT_STATUS[wo.status];
      if (wo.reserved.length === 0 && (wo.status === "CREATED" || wo.status === "RELEASED")) {
        await cmms.reserve(wo.workOrder, { material: r() < 0.05 ? "SP-0315" : "SP-0042", quantity: int(r, 2, 6) });
      } else if (next) {
        await cmms.advance(wo.workOrder, next);
      }
    }
  } catch (error) {
    ctx.refused("CMMS work order", error);
    if (!isTechnical(error)) return [];
  }
  return readCmmsFeed(ctx);
};

export const sparePartsUsage: Flow = async (ctx) => {
  const { l, r, world, plant } = ctx;
  const cmmsPlant = plant.cmmsPlant;
  if (!cmmsPlant) return [];
  const usable = world.workOrders.filter(
    (wo) => wo.plant === cmmsPlant && ["RELEASED", "IN_PROGRESS", "COMPLETED"].includes(wo.status) && wo.reserved.length > 0,
  );
  if (usable.length === 0) return plant.interfaces.includes("MAINT_WORK_ORDER") ? maintWorkOrder(ctx) : [];
  const wo = pick(r, usable);
  try {
    await cmmsSource(l.cmms.url).consume(wo.workOrder, { material: pick(r, wo.reserved), quantity: int(r, 1, 4) });
  } catch (error) {
    ctx.refused(`CMMS consumption on ${wo.workOrder}`, error);
    if (!isTechnical(error)) return [];
  }
  return readCmmsFeed(ctx);
};

// ---------------------------------------------------------------------------------------------
// Engineering: BOM_RELEASE (PLM → Odoo)
// ---------------------------------------------------------------------------------------------

/** A new variant of the BOM product: a PLM part and an Odoo product with the same number. */
async function newBomProduct(ctx: FlowContext): Promise<void> {
  const { l, world } = ctx;
  const number = `DS-40-V${++world.bom.variant}`;
  try {
    await createPlmClient(l.plm.url).createPart({ number, description: `Drive Shaft DS-40 variant ${world.bom.variant}`, unit: "PC", type: "assembly" });
    const id = await l.odooClient.create("product.product", {
      name: `Drive Shaft DS-40 variant ${world.bom.variant}`,
      default_code: number,
      uom_id: l.odooIds.uoms.get("Units") ?? 1,
      type: "product",
    });
    l.odooIds.products.set(number, id);
    Object.assign(world.bom, { product: number, revision: "", effectiveFrom: "" });
  } catch (error) {
    world.bom.variant--;
    ctx.refused(`new product ${number}`, error);
  }
}

/** A, B … Z, AA, AB … ZZ; undefined after ZZ. */
export function nextRevision(revision: string): string | undefined {
  if (revision === "") return "A";
  const letters = revision.split("").map((c) => c.charCodeAt(0) - 64);
  let i = letters.length - 1;
  while (i >= 0 && letters[i] === 26) {
    letters[i] = 1;
    i--;
  }
  if (i < 0) return letters.length >= 2 ? undefined : "AA";
  letters[i] = letters[i]! + 1;
  return String.fromCharCode(...letters.map((n) => n + 64));
}

export const bomRelease: Flow = async (ctx) => {
  const { l, world } = ctx;
  const bom = world.bom;
  const productId = l.odooIds.products.get(bom.product);
  if (productId === undefined || bom.busy) return [];
  bom.busy = true; // one ECO at a time
  try {
    return await releaseNextRevision(ctx, productId);
  } finally {
    bom.busy = false;
  }
};

async function releaseNextRevision(ctx: FlowContext, productId: number): Promise<PlannedMessage[]> {
  const { l, r, world } = ctx;
  const bom = world.bom;
  // Engineering releases the next revision once the previous one reached the ERP.
  if (bom.revision !== "") {
    const inOdoo = await l.odooClient.searchRead(
      "mrp.bom",
      [
        ["product_id", "=", productId],
        ["code", "=", bom.revision],
      ],
      { fields: ["code"], limit: 1 },
    );
    if (inOdoo.length === 0) return [];
  }
  const revision = nextRevision(bom.revision);
  if (!revision) {
    // ZZ reached: engineering continues with a new variant of the product (a new part and product).
    await newBomProduct(ctx);
    return [];
  }
  const effectiveFrom = bom.effectiveFrom === "" ? today() : addDays(latest(bom.effectiveFrom, today()), int(r, 1, 3));
  const wrongPart = r() < 0.05; // a component PLM has and the ERP's material master does not (yet)
  const components = [
    { material: wrongPart ? "RM-6205" : "RM-6204", quantity: 2, unit: "PC", position: "10" },
    { material: "SP-SEAL-35", quantity: 1, unit: "PC", position: "20" },
    { material: "PK-0100", quantity: 0.1, unit: "PC", position: "30" },
  ];
  const ecoNumber = `ECO-${String(++world.ecoSeq).padStart(6, "0")}`;
  let payload: Record<string, unknown>;
  try {
    payload = (await releaseBomRevision(l.plm.url, {
      material: bom.product,
      revision,
      effectiveFrom,
      baseQuantity: 1,
      components,
      ecoNumber,
      title: `${bom.product} revision ${revision}`,
      approver: "ENG-MTY",
    })) as unknown as Record<string, unknown>;
  } catch (error) {
    ctx.refused(`PLM ${ecoNumber}`, error);
    return [];
  }
  bom.revision = revision;
  bom.effectiveFrom = effectiveFrom;
  return [
    {
      interface: "BOM_RELEASE",
      businessKey: `${bom.product}/${revision}`,
      refs: { bom: { id: bom.product, revision }, material: bom.product },
      hops: {
        ODOO: {
          payload,
          // Engineering notices and releases the corrected component list.
          fix: (p) =>
            (p.components as { material: string }[]).some((c) => c.material === "RM-6205")
              ? { ...p, components: (p.components as { material: string }[]).map((c) => (c.material === "RM-6205" ? { ...c, material: "RM-6204" } : c)) }
              : undefined,
          fixChance: 1,
        },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Suppliers: SUPPLIER_ASN (supplier portal → Odoo, WMS)
// ---------------------------------------------------------------------------------------------

export async function supplierAsn(ctx: FlowContext, choice?: { scenario: "normal" | "unknown-po-line" }): Promise<PlannedMessage[]> {
  const { l, r, world } = ctx;
  const po = pick(r, MTY_PURCHASE_ORDERS);
  const roll = r();
  // Scenario 3 now and then: the supplier's EDI system sends a line the order does not have.
  const scenario = choice?.scenario ?? (roll < 0.04 ? "unknown-po-line" : "normal");
  let shipped: Awaited<ReturnType<typeof shipSupplierAsn>>;
  try {
    if (!choice && roll > 0.99 && world.lastAsn) {
      shipped = await retransmitSupplierAsn(l.edi.url, world.lastAsn); // the supplier's system sends it again: a duplicate ASN
    } else {
      const lines = po.lines
        .filter(() => r() < 0.7)
        .map((line) => ({ poLine: line.line, quantity: int(r, 20, 400), ...(line.unit === "KG" ? { lot: `L${int(r, 260000, 269999)}` } : {}) }));
      const chosen = lines.length > 0 ? lines : [{ poLine: po.lines[0]!.line, quantity: int(r, 20, 400) }];
      shipped = await shipSupplierAsn(l.edi.url, { purchaseOrder: po.po, shipDate: today(), lines: chosen, scenario });
      world.lastAsn = shipped.asn.asnNumber;
    }
  } catch (error) {
    ctx.refused(`supplier portal ASN for ${po.po}`, error);
    return [];
  }
  // The receiving connector reads the ASN from the interchange itself (X12 856 or EDIFACT DESADV).
  const asn: SupplierAsnPayload = asnJsonFromEdi(shipped.edi);
  const edi = shipped.edi;
  return [
    {
      interface: "SUPPLIER_ASN",
      businessKey: asn.asnNumber,
      refs: {
        asn: asn.asnNumber,
        purchaseOrder: { id: asn.purchaseOrder },
        ...(asn.lines.find((x) => x.lot)?.lot ? { lot: asn.lines.find((x) => x.lot)!.lot! } : {}),
      },
      hops: {
        ODOO: { payload: asn as unknown as Record<string, unknown> },
        WMS: {
          payload: asn as unknown as Record<string, unknown>,
          // The receiving connector acknowledges the interchange's syntax first (997 / CONTRL).
          before: async (key) => {
            await acknowledgeAsn(l.edi.url, edi, undefined, { idempotencyKey: key }).catch(() => undefined);
          },
        },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Planning: FORECAST_IMPORT (planning → Odoo)
// ---------------------------------------------------------------------------------------------

export const forecastImport: Flow = async (ctx) => {
  const { l, r, plant } = ctx;
  const pp = plant.planningPlant;
  if (!pp || !FORECAST_MATERIALS[pp]) return [];
  // One version at a time, at most one per two seconds (Odoo keeps release times to the second).
  if (ctx.now() - (ctx.world.lastForecastAt.get(pp) ?? 0) < 2000) return [];
  ctx.world.lastForecastAt.set(pp, ctx.now());
  const monday = (() => {
    const d = new Date(`${today()}T00:00:00Z`);
    const offset = (8 - d.getUTCDay()) % 7 || 7;
    return addDays(today(), offset);
  })();
  // Now and then a planner keys a weight-based product in litres: Odoo cannot convert it.
  const wrongUnit = pp === "4000" && r() < 0.03;
  const buckets = FORECAST_MATERIALS[pp]!.flatMap((m) =>
    Array.from({ length: 6 }, (_, week) => ({
      material: m.material,
      periodStart: addDays(monday, week * 7),
      quantity: int(r, m.range[0], m.range[1]),
      unit: wrongUnit && m.material === "CH-5500" ? "LTR" : m.unit,
    })),
  );
  let payload: Record<string, unknown>;
  try {
    const version = await createForecastVersion(l.planning.url, { plant: pp, description: `Demand plan ${plant.code}`, buckets });
    payload = (await releaseForecastVersion(l.planning.url, version.versionId)) as unknown as Record<string, unknown>;
  } catch (error) {
    ctx.refused(`planning forecast version of ${pp}`, error);
    return [];
  }
  return [
    {
      interface: "FORECAST_IMPORT",
      businessKey: String(payload.forecastVersion),
      refs: { forecastVersion: String(payload.forecastVersion) },
      hops: { ODOO: { payload } },
    },
  ];
};

// ---------------------------------------------------------------------------------------------
// Finance: INVOICE_POSTING (Odoo vendor bill → SAP supplier invoice)
// ---------------------------------------------------------------------------------------------

export const invoicePosting: Flow = async (ctx) => {
  const { l, r, world, plant } = ctx;
  const sapPlant = plant.sapPlant;
  if (!sapPlant || !plant.companyCode) return [];
  const items = purchaseOrderItems(sapPlant);
  if (items.length === 0) return [];
  const po = pick(r, items).po;
  const poItems = items.filter((i) => i.po === po);
  const chosen = poItems.filter(() => r() < 0.6);
  const lines = (chosen.length > 0 ? chosen : [poItems[0]!]).map((i) => ({ item: i, quantity: int(r, 5, 80) }));
  const partnerId = l.odooIds.partners.get(poItems[0]!.supplier);
  if (partnerId === undefined) return [];
  // Month-end: late invoices of last month arrive in a burst; SAP has already closed that period.
  const monthEnd = ctx.now() < world.monthEndUntil;
  const firstOfMonth = `${today().slice(0, 8)}01`;
  const invoiceDate = monthEnd && r() < 0.5 ? addDays(firstOfMonth, -1) : today();
  const ref = `INV-${poItems[0]!.supplier}-${String(++world.invoiceSeq).padStart(5, "0")}`;
  let bill: VendorBillPayload | undefined;
  try {
    const posted = await postVendorBill(l.odooClient, {
      partnerId,
      invoiceDate,
      ref,
      purchaseOrder: po,
      lines: lines.map(({ item, quantity }) => ({ productId: l.odooIds.products.get(item.material)!, quantity, price: item.price })),
    });
    [bill] = (await postedVendorBills(l.odooClient, { afterId: posted.id - 1, limit: 1 })).map((b) => b.payload);
  } catch (error) {
    ctx.refused(`Odoo vendor bill ${ref}`, error);
    return [];
  }
  if (!bill) return [];
  const payload = sapInvoiceForm(bill, plant.companyCode, poItems[0]!.currency, poItems);
  return [
    {
      interface: "INVOICE_POSTING",
      businessKey: bill.invoiceNumber,
      refs: { invoice: bill.invoiceNumber, purchaseOrder: { id: po } },
      hops: {
        SAP_ERP: {
          payload,
          // Accounts payable re-dates the posting into the open period and resends.
          fix: (p, failure) => (/^F5[-/]201$/.test(failure.code) ? { ...p, PostingDate: today() } : undefined),
          fixChance: 0.5,
        },
      },
    },
  ];
};

/** The flow that originates each interface's messages. */
export const FLOWS: Readonly<Record<string, Flow>> = {
  PRODORD_RELEASE: prodordRelease,
  PRODORD_CONFIRM: prodordConfirm,
  GOODS_MOVEMENT: (ctx) => goodsMovement(ctx),
  QUALITY_HOLD: (ctx) => qualityHold(ctx),
  INSPECTION_RESULT: inspectionResult,
  MATERIAL_MASTER: materialMaster,
  BOM_RELEASE: bomRelease,
  MAINT_WORK_ORDER: maintWorkOrder,
  SPARE_PARTS_USAGE: sparePartsUsage,
  SUPPLIER_ASN: (ctx) => supplierAsn(ctx),
  FORECAST_IMPORT: forecastImport,
  INVOICE_POSTING: invoicePosting,
};
