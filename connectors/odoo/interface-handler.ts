/**
 * Delivery of each interface Odoo receives, from its JSON form (schemas.ts) to Odoo model calls:
 *
 * | interface        | Odoo                                                                              |
 * | ---------------- | --------------------------------------------------------------------------------- |
 * | PRODORD_RELEASE  | `mrp.production.create(values)`                                                   |
 * | MATERIAL_MASTER  | `product.product.create(values)`                                                  |
 * | MAINT_WORK_ORDER | `maintenance.request` by `x_cmms_work_order`: create, or write (status → stage)    |
 * | BOM_RELEASE      | superseded revision `write(x_effective_to)`, then `mrp.bom.create` with its lines  |
 * | QUALITY_HOLD     | HOLD: `quality.alert.create` on the lot (locks it); RELEASE: alert → done stage   |
 * | SUPPLIER_ASN     | `stock.picking.create` (incoming, origin = PO, one move per ASN line), `action_confirm` |
 * | FORECAST_IMPORT  | per product `mrp.production.schedule` create/write (forecast lines replaced)       |
 *
 * Reads (products by default_code, lots, PO lines, units) resolve the neutral numbers to Odoo ids;
 * each write carries the replay's idempotency key (`context.andon_idempotency_key`), derived per
 * write where a delivery needs several (`<key>`, `<key>:supersede`, `<key>:<material>` …), so a
 * replay after a lost answer applies every write once. Odoo runs one transaction per call: a
 * delivery of several writes can stop half way; its replay with the same key completes it.
 *
 * Outcomes: applied → delivered (with Odoo's ids); Odoo's business exceptions → business failure
 * with Odoo's name and message; a number that Odoo does not know (product, lot, PO, PO line, unit
 * mapping, equipment) → business failure with the connector's code (ODOO_*_NOT_FOUND,
 * ODOO_UOM_UNMAPPED …), nothing written; AccessDenied, transport trouble, 5xx → technical.
 */
import { randomUUID } from "node:crypto";
import type { ReplayHandler, ReplayJob, ReplayOutcome } from "../sdk/replay";
import { DRY_RUN_CONTEXT_KEY } from "./protocol";
import type { OdooClient } from "./client";
import { OdooError } from "./errors";
import type { OdooRecord, OdooValues } from "./protocol";
import type { ForecastImportPayload } from "./schemas";
import {
  bomReleaseSchema,
  forecastImportPayloadSchema,
  maintWorkOrderPayloadSchema,
  qmsHoldEventSchema,
  qualityHoldPayloadSchema,
  supplierAsnPayloadSchema,
} from "./schemas";
import { fromQmsHoldEvent } from "../qms/schema";
import type { z } from "zod";

/** Default models of the interfaces delivered as plain create values. */
export const DEFAULT_MODEL_BY_INTERFACE: Readonly<Record<string, string>> = {
  PRODORD_RELEASE: "mrp.production",
  MATERIAL_MASTER: "product.product",
  MAINT_WORK_ORDER: "maintenance.request",
};

/**
 * Unit codes of the neutral forms (SAP internal units, X12 355 / UN/ECE rec. 20) → Odoo `uom.uom`
 * names of this installation.
 */
export const ODOO_UOM_BY_CODE: Readonly<Record<string, string>> = {
  PC: "Units",
  EA: "Units",
  ST: "Units",
  PCE: "Units",
  C62: "Units",
  DZN: "Dozens",
  KG: "kg",
  KGM: "kg",
  G: "g",
  GRM: "g",
  M: "m",
  MTR: "m",
  L: "L",
  LTR: "L",
  DR: "Drum 25 kg",
};

/** A refusal of the connector before anything is written (a number Odoo does not know). */
export class OdooMappingError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "OdooMappingError";
    this.code = code;
    this.details = details;
  }
}

export interface OdooInterfaceHandlerOptions {
  /** Interfaces delivered as plain `create(values)` in a model (merged over DEFAULT_MODEL_BY_INTERFACE). */
  modelByInterface?: Record<string, string>;
  /** Unit code → uom.uom name (merged over ODOO_UOM_BY_CODE). */
  uomByCode?: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const many2oneId = (value: unknown): number | undefined =>
  Array.isArray(value) && typeof value[0] === "number" ? value[0] : typeof value === "number" ? value : undefined;
const odooDatetime = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace("T", " ");

function validationFailure(error: z.ZodError): ReplayOutcome {
  const issues = error.issues.map((issue) => ({ path: `/${issue.path.join("/")}`, message: issue.message }));
  return {
    status: "failed",
    category: "business",
    code: "VALIDATION_FAILED",
    message: issues.map((issue) => `${issue.path}: ${issue.message}`).join("; "),
    details: { errors: issues },
    durationMs: 0,
  };
}

type Delivered = Record<string, unknown>;

export function odooInterfaceHandler(client: OdooClient, options: OdooInterfaceHandlerOptions = {}): ReplayHandler {
  return {
    deliver: odooDelivery(client, options),
    // A dry run: the same calls, on a dry-run database of Odoo (DRY_RUN_CONTEXT_KEY, one token per check):
    // "delivered" means Odoo would accept every call; nothing is committed.
    check: (job) => odooDelivery(client.withContext({ [DRY_RUN_CONTEXT_KEY]: `andon-dry-run-${randomUUID()}` }), options)(job),
  };
}

function odooDelivery(client: OdooClient, options: OdooInterfaceHandlerOptions): (job: ReplayJob) => Promise<ReplayOutcome> {
  const modelByInterface = { ...DEFAULT_MODEL_BY_INTERFACE, ...options.modelByInterface };
  const uomByCode = { ...ODOO_UOM_BY_CODE, ...options.uomByCode };

  // ---- lookups (no idempotency key: reads change nothing) -----------------------------------

  async function productsByCode(codes: readonly string[]): Promise<Map<string, OdooRecord>> {
    const unique = [...new Set(codes)];
    const rows = await client.searchRead("product.product", [["default_code", "in", unique]], { fields: ["default_code", "uom_id", "display_name"] });
    const found = new Map(rows.map((row) => [String(row.default_code), row]));
    const missing = unique.filter((code) => !found.has(code));
    if (missing.length > 0) {
      throw new OdooMappingError(
        "ODOO_PRODUCT_NOT_FOUND",
        `${missing.length === 1 ? "Product" : "Products"} ${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist in Odoo (product.product, Internal Reference)`,
        { missing },
      );
    }
    return found;
  }

  async function uomsByCode(codes: readonly string[]): Promise<Map<string, OdooRecord>> {
    const unique = [...new Set(codes)];
    const unmapped = unique.filter((code) => !uomByCode[code]);
    if (unmapped.length > 0) {
      throw new OdooMappingError("ODOO_UOM_UNMAPPED", `Unit of measure ${unmapped.map((code) => `"${code}"`).join(", ")} not mapped to an Odoo unit`, {
        unmapped,
      });
    }
    const names = unique.map((code) => uomByCode[code] as string);
    const rows = await client.searchRead("uom.uom", [["name", "in", names]], { fields: ["name", "category_id", "factor"] });
    const byName = new Map(rows.map((row) => [String(row.name), row]));
    const out = new Map<string, OdooRecord>();
    for (const code of unique) {
      const row = byName.get(uomByCode[code] as string);
      if (!row)
        throw new OdooMappingError("ODOO_UOM_UNMAPPED", `Unit "${code}" maps to "${uomByCode[code]}", which does not exist in Odoo (uom.uom)`, { code });
      out.set(code, row);
    }
    return out;
  }

  // ---- interfaces ------------------------------------------------------------------------------

  async function createValues(job: ReplayJob, model: string): Promise<Delivered> {
    if (!isObject(job.payload)) throw new OdooMappingError("PAYLOAD_NOT_AN_OBJECT", `The ${job.interface} payload must be a JSON object of ${model} values`);
    const id = await client.create(model, job.payload as OdooValues, { idempotencyKey: job.idempotencyKey });
    return { model, id };
  }

  async function bomRelease(job: ReplayJob): Promise<Delivered | ReplayOutcome> {
    const parsed = bomReleaseSchema.safeParse(job.payload);
    if (!parsed.success) return validationFailure(parsed.error);
    const bom = parsed.data;
    const products = await productsByCode([bom.material, ...bom.components.map((component) => component.material)]);
    const uoms = await uomsByCode([bom.unit, ...bom.components.map((component) => component.unit)]);
    const product = products.get(bom.material) as OdooRecord;
    const revisions = await client.searchRead("mrp.bom", [["product_id", "=", product.id]], { fields: ["code", "version", "x_effective_to"] });
    let previous: OdooRecord | undefined;
    if (bom.supersedes) {
      const revision = bom.supersedes.revision;
      previous = revisions.find((row) => row.code === revision);
      if (!previous) {
        throw new OdooMappingError(
          "ODOO_BOM_REVISION_NOT_FOUND",
          `Revision ${revision} of ${bom.material} (superseded by ${bom.revision}) does not exist in Odoo (mrp.bom)`,
          {
            revision,
          },
        );
      }
      if (previous.x_effective_to !== bom.supersedes.effectiveTo) {
        await client.write("mrp.bom", [previous.id], { x_effective_to: bom.supersedes.effectiveTo }, { idempotencyKey: `${job.idempotencyKey}:supersede` });
      }
    }
    const version = bom.revision.split("").reduce((value, letter) => value * 26 + (letter.charCodeAt(0) - 64), 0);
    const id = await client.create(
      "mrp.bom",
      {
        product_id: product.id,
        code: bom.revision,
        version,
        type: "normal",
        product_qty: bom.baseQuantity,
        product_uom_id: (uoms.get(bom.unit) as OdooRecord).id,
        previous_bom_id: previous?.id ?? false,
        x_effective_from: bom.effectiveFrom,
        x_effective_to: bom.effectiveTo ?? false,
        x_eco_number: bom.ecoNumber,
        bom_line_ids: bom.components.map((component, index) => [
          0,
          0,
          {
            product_id: (products.get(component.material) as OdooRecord).id,
            product_qty: component.quantity,
            product_uom_id: (uoms.get(component.unit) as OdooRecord).id,
            sequence: component.position ? Number(component.position) : (index + 1) * 10,
          },
        ]),
      },
      { idempotencyKey: job.idempotencyKey },
    );
    return { model: "mrp.bom", id, revision: bom.revision, ...(previous ? { supersededId: previous.id } : {}) };
  }

  async function qualityHold(job: ReplayJob): Promise<Delivered | ReplayOutcome> {
    let parsed = qualityHoldPayloadSchema.safeParse(job.payload);
    if (!parsed.success && qmsHoldEventSchema.safeParse(job.payload).success) parsed = qualityHoldPayloadSchema.safeParse(fromQmsHoldEvent(job.payload));
    if (!parsed.success) return validationFailure(parsed.error);
    const hold = parsed.data;
    const product = (await productsByCode([hold.material])).get(hold.material) as OdooRecord;
    const [lot] = await client.searchRead(
      "stock.lot",
      [
        ["name", "=", hold.batch],
        ["product_id", "=", product.id],
      ],
      { fields: ["name", "locked"], limit: 1 },
    );
    if (!lot) throw new OdooMappingError("ODOO_LOT_NOT_FOUND", `Lot ${hold.batch} of ${hold.material} does not exist in Odoo (stock.lot)`, { lot: hold.batch });
    const openAlerts = await client.searchRead(
      "quality.alert",
      [
        ["lot_id", "=", lot.id],
        ["stage_id.done", "=", false],
      ],
      { fields: ["name", "x_hold_number"] },
    );
    if (hold.action === "HOLD") {
      const existing = openAlerts.find((alert) => hold.holdNumber !== undefined && alert.x_hold_number === hold.holdNumber);
      if (existing) return { model: "quality.alert", id: existing.id, lot: hold.batch, locked: true, changed: false };
      const id = await client.create(
        "quality.alert",
        {
          title: hold.reason.slice(0, 100),
          description: `<p>${hold.reason}${hold.reasonCode ? ` (${hold.reasonCode})` : ""}${hold.inspectionLot ? `, inspection lot ${hold.inspectionLot}` : ""}</p>`,
          product_id: product.id,
          lot_id: lot.id,
          priority: "2",
          x_hold_number: hold.holdNumber ?? false,
        },
        { idempotencyKey: job.idempotencyKey },
      );
      return { model: "quality.alert", id, lot: hold.batch, locked: true, changed: true };
    }
    const releasing = hold.holdNumber === undefined ? openAlerts : openAlerts.filter((alert) => alert.x_hold_number === hold.holdNumber);
    if (releasing.length === 0)
      return { model: "quality.alert", ids: [], lot: hold.batch, locked: lot.locked === true && openAlerts.length > 0, changed: false };
    const [done] = await client.searchRead("quality.alert.stage", [["done", "=", true]], { fields: ["name"], order: "sequence", limit: 1 });
    if (!done) throw new OdooMappingError("ODOO_STAGE_NOT_FOUND", "Odoo has no quality alert stage marked as done (quality.alert.stage)");
    await client.write(
      "quality.alert",
      releasing.map((alert) => alert.id),
      { stage_id: done.id },
      { idempotencyKey: job.idempotencyKey },
    );
    return { model: "quality.alert", ids: releasing.map((alert) => alert.id), lot: hold.batch, locked: releasing.length < openAlerts.length, changed: true };
  }

  async function supplierAsn(job: ReplayJob): Promise<Delivered | ReplayOutcome> {
    const parsed = supplierAsnPayloadSchema.safeParse(job.payload);
    if (!parsed.success) return validationFailure(parsed.error);
    const asn = parsed.data;
    const [order] = await client.searchRead("purchase.order", [["name", "=", asn.purchaseOrder]], { fields: ["name", "partner_id", "state"], limit: 1 });
    if (!order)
      throw new OdooMappingError("ODOO_PO_NOT_FOUND", `Purchase order ${asn.purchaseOrder} does not exist in Odoo (purchase.order)`, {
        purchaseOrder: asn.purchaseOrder,
      });
    if (order.state !== "purchase" && order.state !== "done") {
      throw new OdooMappingError("ODOO_PO_NOT_OPEN", `Purchase order ${asn.purchaseOrder} is not confirmed in Odoo (state ${String(order.state)})`, {
        state: order.state,
      });
    }
    const partnerId = many2oneId(order.partner_id) as number;
    const [partner] = await client.read("res.partner", [partnerId], ["ref", "name"]);
    if (partner && partner.ref !== asn.supplier) {
      throw new OdooMappingError(
        "ODOO_PO_SUPPLIER_MISMATCH",
        `Purchase order ${asn.purchaseOrder} is with ${String(partner.name)} (${String(partner.ref)}), not supplier ${asn.supplier}`,
      );
    }
    const lines = await client.searchRead("purchase.order.line", [["order_id", "=", order.id]], {
      fields: ["sequence", "product_id", "product_uom", "product_qty"],
    });
    const products = await productsByCode(asn.lines.map((line) => line.material));
    const uoms = await uomsByCode(asn.lines.map((line) => line.unit));
    const moves: unknown[] = [];
    for (const asnLine of asn.lines) {
      const poLine = lines.find((line) => Number(line.sequence) === Number(asnLine.poLine));
      if (!poLine) {
        throw new OdooMappingError(
          "ODOO_PO_LINE_NOT_FOUND",
          `Purchase order ${asn.purchaseOrder} has no line ${asnLine.poLine} in Odoo (purchase.order.line)`,
          {
            poLine: asnLine.poLine,
          },
        );
      }
      const product = products.get(asnLine.material) as OdooRecord;
      if (many2oneId(poLine.product_id) !== product.id) {
        throw new OdooMappingError("ODOO_PO_LINE_MISMATCH", `Line ${asnLine.poLine} of purchase order ${asn.purchaseOrder} is not for ${asnLine.material}`, {
          poLine: asnLine.poLine,
        });
      }
      let lotId: number | false = false;
      if (asnLine.lot) {
        const [lot] = await client.searchRead(
          "stock.lot",
          [
            ["name", "=", asnLine.lot],
            ["product_id", "=", product.id],
          ],
          { fields: ["name"], limit: 1 },
        );
        lotId =
          lot?.id ??
          (await client.create(
            "stock.lot",
            { name: asnLine.lot, product_id: product.id, ...(asnLine.expiryDate ? { expiration_date: `${asnLine.expiryDate} 00:00:00` } : {}) },
            { idempotencyKey: `${job.idempotencyKey}:lot:${asnLine.material}:${asnLine.lot}` },
          ));
      }
      moves.push([
        0,
        0,
        {
          product_id: product.id,
          product_uom_qty: asnLine.quantity,
          product_uom: (uoms.get(asnLine.unit) as OdooRecord).id,
          purchase_line_id: poLine.id,
          restrict_lot_id: lotId,
        },
      ]);
    }
    const [receipts] = await client.searchRead("stock.picking.type", [["code", "=", "incoming"]], { fields: ["name"], limit: 1 });
    if (!receipts) throw new OdooMappingError("ODOO_PICKING_TYPE_NOT_FOUND", "Odoo has no receipt operation type (stock.picking.type, code incoming)");
    const id = await client.create(
      "stock.picking",
      {
        picking_type_id: receipts.id,
        partner_id: partnerId,
        origin: asn.purchaseOrder,
        purchase_id: order.id,
        scheduled_date: `${asn.deliveryDate ?? asn.shipDate} 00:00:00`,
        x_asn_number: asn.asnNumber,
        move_ids: moves,
      },
      { idempotencyKey: job.idempotencyKey },
    );
    await client.call("stock.picking", "action_confirm", { ids: [id] }, { idempotencyKey: `${job.idempotencyKey}:confirm` });
    const [picking] = await client.read("stock.picking", [id], ["name", "state"]);
    return { model: "stock.picking", id, name: picking?.name, state: picking?.state };
  }

  async function forecastImport(job: ReplayJob): Promise<Delivered | ReplayOutcome> {
    const parsed = forecastImportPayloadSchema.safeParse(job.payload);
    if (!parsed.success) return validationFailure(parsed.error);
    const forecast: ForecastImportPayload = parsed.data;
    const products = await productsByCode(forecast.buckets.map((bucket) => bucket.material));
    const uoms = await uomsByCode(forecast.buckets.map((bucket) => bucket.unit));
    const productUoms = new Map(
      (
        await client.read(
          "uom.uom",
          [...new Set([...products.values()].map((product) => many2oneId(product.uom_id) as number))],
          ["name", "category_id", "factor"],
        )
      ).map((row) => [row.id, row]),
    );
    const byProduct = new Map<number, { material: string; lines: unknown[] }>();
    for (const bucket of forecast.buckets) {
      const product = products.get(bucket.material) as OdooRecord;
      const from = uoms.get(bucket.unit) as OdooRecord;
      const to = productUoms.get(many2oneId(product.uom_id) as number) as OdooRecord;
      if (many2oneId(from.category_id) !== many2oneId(to.category_id)) {
        throw new OdooMappingError(
          "ODOO_UOM_CATEGORY_MISMATCH",
          `Forecast of ${bucket.material} in "${bucket.unit}" (${String(from.name)}) cannot be converted to its Odoo unit ${String(to.name)}`,
          { material: bucket.material, unit: bucket.unit },
        );
      }
      // uom.uom._compute_quantity: qty / from.factor * to.factor
      const quantity = Math.round((bucket.quantity / Number(from.factor)) * Number(to.factor) * 1000) / 1000;
      const entry = byProduct.get(product.id) ?? { material: bucket.material, lines: [] };
      entry.lines.push([0, 0, { date: bucket.periodStart, forecast_qty: quantity }]);
      byProduct.set(product.id, entry);
    }
    const schedules = await client.searchRead("mrp.production.schedule", [["product_id", "in", [...byProduct.keys()]]], { fields: ["product_id"] });
    const releasedAt = odooDatetime(forecast.releasedAt);
    const ids: number[] = [];
    for (const [productId, { material, lines }] of byProduct) {
      const values = { x_forecast_version: forecast.forecastVersion, x_forecast_released_at: releasedAt };
      const existing = schedules.find((row) => many2oneId(row.product_id) === productId);
      const key = `${job.idempotencyKey}:${material}`;
      if (existing) {
        await client.write("mrp.production.schedule", [existing.id], { ...values, forecast_ids: [[5], ...lines] }, { idempotencyKey: key });
        ids.push(existing.id);
      } else {
        ids.push(await client.create("mrp.production.schedule", { ...values, product_id: productId, forecast_ids: lines }, { idempotencyKey: key }));
      }
    }
    return { model: "mrp.production.schedule", ids, forecastVersion: forecast.forecastVersion };
  }

  async function maintWorkOrder(job: ReplayJob): Promise<Delivered | ReplayOutcome> {
    const parsed = maintWorkOrderPayloadSchema.safeParse(job.payload);
    if (!parsed.success) {
      // Today's form: maintenance.request create values.
      if (isObject(job.payload) && !("workOrder" in job.payload)) return createValues(job, modelByInterface.MAINT_WORK_ORDER ?? "maintenance.request");
      return validationFailure(parsed.error);
    }
    const wo = parsed.data;
    const domain = wo.equipmentSerialNumber
      ? [["serial_no", "=", wo.equipmentSerialNumber] as const]
      : [["name", "=", wo.equipmentDescription ?? wo.equipment] as const];
    const [equipment] = await client.searchRead("maintenance.equipment", domain, { fields: ["name"], limit: 1 });
    if (!equipment) {
      throw new OdooMappingError(
        "ODOO_EQUIPMENT_NOT_FOUND",
        `Equipment ${wo.equipment}${wo.equipmentSerialNumber ? ` (serial ${wo.equipmentSerialNumber})` : ""} does not exist in Odoo (maintenance.equipment)`,
      );
    }
    const stages = await client.searchRead("maintenance.stage", [], { fields: ["name", "done", "sequence"], order: "sequence" });
    const open = stages.filter((stage) => stage.done !== true);
    const stage =
      wo.status === "COMPLETED" || wo.status === "CLOSED"
        ? stages.find((stage) => stage.done === true)
        : wo.status === "IN_PROGRESS"
          ? (open[1] ?? open[0])
          : open[0];
    if (!stage) throw new OdooMappingError("ODOO_STAGE_NOT_FOUND", `Odoo has no maintenance stage for status ${wo.status} (maintenance.stage)`);
    const hours = wo.plannedEnd ? Math.round(((Date.parse(wo.plannedEnd) - Date.parse(wo.plannedStart)) / 3_600_000) * 100) / 100 : undefined;
    const values: OdooValues = {
      name: wo.description,
      equipment_id: equipment.id,
      maintenance_type: wo.maintenanceType === "PREVENTIVE" ? "preventive" : "corrective",
      priority: { "1": "3", "2": "2", "3": "1", "4": "0" }[wo.priority],
      schedule_date: odooDatetime(wo.plannedStart),
      stage_id: stage.id,
      ...(hours !== undefined ? { duration: hours } : {}),
    };
    const [existing] = await client.searchRead("maintenance.request", [["x_cmms_work_order", "=", wo.workOrder]], { fields: ["stage_id"], limit: 1 });
    if (existing) {
      await client.write("maintenance.request", [existing.id], values, { idempotencyKey: job.idempotencyKey });
      return { model: "maintenance.request", id: existing.id, stage: stage.name, created: false };
    }
    const id = await client.create("maintenance.request", { ...values, x_cmms_work_order: wo.workOrder }, { idempotencyKey: job.idempotencyKey });
    return { model: "maintenance.request", id, stage: stage.name, created: true };
  }

  const structured: Readonly<Record<string, (job: ReplayJob) => Promise<Delivered | ReplayOutcome>>> = {
    BOM_RELEASE: bomRelease,
    QUALITY_HOLD: qualityHold,
    SUPPLIER_ASN: supplierAsn,
    FORECAST_IMPORT: forecastImport,
    MAINT_WORK_ORDER: maintWorkOrder,
  };

  return async (job) => {
    const deliver = structured[job.interface];
    const model = modelByInterface[job.interface];
    if (!deliver && !model) {
      return { status: "failed", category: "business", code: "NO_MODEL", message: `No Odoo model is mapped for interface ${job.interface}`, durationMs: 0 };
    }
    try {
      const result = deliver ? await deliver(job) : await createValues(job, model as string);
      if ("status" in result && (result.status === "failed" || result.status === "delivered")) return result as ReplayOutcome;
      return { status: "delivered", response: result, durationMs: 0 };
    } catch (error) {
      if (error instanceof OdooMappingError) {
        return {
          status: "failed",
          category: "business",
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
          durationMs: 0,
        };
      }
      if (error instanceof OdooError) return { status: "failed", category: error.category, code: error.name, message: error.message, durationMs: 0 };
      throw error;
    }
  };
}
