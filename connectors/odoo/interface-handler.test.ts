/**
 * The replay handler per interface against the running emulator (over JSON-2): the payload's
 * effect in Odoo, applied once per key (also concurrently and after a lost answer), Odoo's business
 * refusals, the connector's mapping refusals, technical failures.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BOM_RELEASE_SAMPLE } from "../plm/samples";
import type { ReplayJob } from "../sdk/replay";
import { OdooClient } from "./client";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { odooInterfaceHandler, odooReplayHandler } from "./replay-handler";
import { ODOO_PAYLOAD_SCHEMAS, ODOO_SAMPLE_PAYLOADS } from "./schemas";

const KEY = "replay-key";
let emulator: OdooEmulator;
let client: OdooClient;

const fixture = (relative: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, relative), "utf8")) as Record<string, unknown>;
const QUALITY_HOLD = fixture("../qms/fixtures/quality-hold.json");
const QMS_EVENT = fixture("../qms/fixtures/qms-quality-hold.json");
const SUPPLIER_ASN = fixture("../wms/fixtures/supplier-asn.json");
const WORK_ORDER = fixture("../cmms/fixtures/maint-work-order.json");

beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", apiKey: KEY, now: () => new Date("2026-11-24T05:30:00Z") });
  client = new OdooClient({ url: emulator.url, db: "plant_mty", apiKey: KEY, version: "19", timeoutMs: 5_000 });
});
beforeEach(() => emulator.state.reset());
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

let seq = 0;
const job = (iface: string, payload: unknown, key = `key-${++seq}`): ReplayJob => ({
  replayId: `r-${seq}`,
  idempotencyKey: key,
  plantCode: "MX-MTY",
  interface: iface,
  messageId: `m-${seq}`,
  correlationId: `c-${seq}`,
  payload,
  attempt: 1,
});
const handler = () => odooInterfaceHandler(client);

describe("schemas", () => {
  it("exports a JSON Schema for every interface Odoo receives", () => {
    expect(Object.keys(ODOO_PAYLOAD_SCHEMAS).sort()).toEqual(
      ["BOM_RELEASE", "FORECAST_IMPORT", "MAINT_WORK_ORDER", "MATERIAL_MASTER", "PRODORD_RELEASE", "QUALITY_HOLD", "SUPPLIER_ASN"].sort(),
    );
    for (const schema of Object.values(ODOO_PAYLOAD_SCHEMAS))
      expect(schema).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object" });
  });
});

describe("PRODORD_RELEASE and MATERIAL_MASTER (create values)", () => {
  it("creates the order once per key, also concurrently and after a lost answer", async () => {
    const replay = job("PRODORD_RELEASE", ODOO_SAMPLE_PAYLOADS.PRODORD_RELEASE, "po-1");
    const [a, b] = await Promise.all([handler().deliver(replay), handler().deliver(replay)]);
    expect(a).toEqual({ status: "delivered", response: { model: "mrp.production", id: 9312 }, durationMs: 0 });
    expect(b).toEqual(a);
    expect(emulator.idempotency.applied("po-1")).toBe(1);

    emulator.faults.dropAfterApplying();
    const lost = job("PRODORD_RELEASE", { ...ODOO_SAMPLE_PAYLOADS.PRODORD_RELEASE, origin: "SAP LOST" }, "po-2");
    await expect(handler().deliver(lost)).resolves.toMatchObject({ status: "failed", category: "technical", code: "OdooTransportError" });
    await expect(handler().deliver(lost)).resolves.toMatchObject({ status: "delivered", response: { id: 9313 } });
    expect(emulator.state.records("mrp.production").filter((row) => row.origin === "SAP LOST")).toHaveLength(1);
  });

  it("Odoo's refusals are business failures with Odoo's name and message", async () => {
    await expect(handler().deliver(job("PRODORD_RELEASE", { ...ODOO_SAMPLE_PAYLOADS.PRODORD_RELEASE, product_qty: 0 }))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "odoo.exceptions.ValidationError",
      message: "The quantity to produce must be positive!",
    });
    await expect(handler().deliver(job("MATERIAL_MASTER", { ...ODOO_SAMPLE_PAYLOADS.MATERIAL_MASTER, uom_id: 987 }))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "odoo.exceptions.MissingError",
    });
    await expect(handler().deliver(job("MATERIAL_MASTER", ODOO_SAMPLE_PAYLOADS.MATERIAL_MASTER))).resolves.toMatchObject({
      status: "delivered",
      response: { model: "product.product" },
    });
  });

  it("odooReplayHandler stays compatible (model by interface), unknown interfaces have no model", async () => {
    const legacy = odooReplayHandler(client, {
      PRODORD_RELEASE: "mrp.production",
      MATERIAL_MASTER: "product.product",
      MAINT_WORK_ORDER: "maintenance.request",
    });
    await expect(
      legacy.deliver(job("MAINT_WORK_ORDER", { name: "Door interlock fault", equipment_id: 12, maintenance_type: "corrective", priority: "2" })),
    ).resolves.toMatchObject({
      status: "delivered",
      response: { model: "maintenance.request" },
    });
    await expect(legacy.deliver(job("GOODS_MOVEMENT", {}))).resolves.toMatchObject({ status: "failed", category: "business", code: "NO_MODEL" });
  });

  it("technical failures: Odoo unavailable, key rotated", async () => {
    emulator.faults.add({ kind: "unavailable", retryAfterSeconds: 5 });
    await expect(handler().deliver(job("PRODORD_RELEASE", ODOO_SAMPLE_PAYLOADS.PRODORD_RELEASE))).resolves.toMatchObject({
      status: "failed",
      category: "technical",
    });
    emulator.rotateCredentials({ apiKey: "other" });
    try {
      await expect(handler().deliver(job("PRODORD_RELEASE", ODOO_SAMPLE_PAYLOADS.PRODORD_RELEASE))).resolves.toMatchObject({
        status: "failed",
        category: "technical",
        code: "odoo.exceptions.AccessDenied",
      });
    } finally {
      emulator.rotateCredentials({ apiKey: KEY });
    }
  });
});

describe("BOM_RELEASE (PLM form → mrp.bom revision)", () => {
  it("ends the superseded revision and creates the new one with its lines, once per key", async () => {
    const replay = job("BOM_RELEASE", BOM_RELEASE_SAMPLE, "bom-1");
    const outcome = await handler().deliver(replay);
    expect(outcome).toMatchObject({ status: "delivered", response: { model: "mrp.bom", revision: "B", supersededId: 89 } });
    const id = (outcome as { response: { id: number } }).response.id;
    expect(emulator.state.record("mrp.bom", 89)?.x_effective_to).toBe("2026-11-30");
    expect(emulator.state.record("mrp.bom", id)).toMatchObject({
      product_id: 4220,
      code: "B",
      version: 2,
      previous_bom_id: 89,
      x_effective_from: "2026-12-01",
      x_effective_to: false,
      x_eco_number: "ECO-000103",
    });
    const lines = emulator.state.records("mrp.bom.line").filter((line) => line.bom_id === id);
    expect(lines.map((line) => [line.product_id, line.product_qty, line.product_uom_id, line.sequence])).toEqual([
      [4215, 2, 1, 10],
      [4218, 0.8, 12, 20],
      [4219, 0.05, 1, 30],
    ]);
    await expect(handler().deliver(replay)).resolves.toEqual(outcome);
    expect(emulator.state.records("mrp.bom")).toHaveLength(3);
    expect(emulator.idempotency.applied("bom-1")).toBe(1);
  });

  it("a lost answer after the create: the replay with the same key applies nothing twice", async () => {
    // products, units, revisions, supersede write, create → the 5th request loses its answer
    emulator.faults.dropAfterApplying(1, { skip: 4 });
    const replay = job("BOM_RELEASE", BOM_RELEASE_SAMPLE, "bom-lost");
    await expect(handler().deliver(replay)).resolves.toMatchObject({ status: "failed", category: "technical" });
    expect(emulator.state.records("mrp.bom")).toHaveLength(3);
    await expect(handler().deliver(replay)).resolves.toMatchObject({ status: "delivered", response: { revision: "B" } });
    expect(emulator.state.records("mrp.bom")).toHaveLength(3);
    expect(emulator.idempotency.applied("bom-lost")).toBe(1);
  });

  it("refusals: unknown component (nothing written), overlap (Odoo), unmapped unit, invalid form", async () => {
    const unknown = { ...BOM_RELEASE_SAMPLE, components: [...BOM_RELEASE_SAMPLE.components, { material: "RM-9999", quantity: 1, unit: "PC" }] };
    await expect(handler().deliver(job("BOM_RELEASE", unknown))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "ODOO_PRODUCT_NOT_FOUND",
      message: "Product RM-9999 does not exist in Odoo (product.product, Internal Reference)",
    });
    expect(emulator.state.record("mrp.bom", 89)?.x_effective_to).toBe(false);
    const { supersedes: _none, ...withoutSupersedes } = BOM_RELEASE_SAMPLE;
    await expect(handler().deliver(job("BOM_RELEASE", withoutSupersedes))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "odoo.exceptions.ValidationError",
      message: expect.stringMatching(/^Revision B of \[FG-2200-A\] Frame assembly A \(2026-12-01 – open\) overlaps revision A/),
    });
    await expect(handler().deliver(job("BOM_RELEASE", { ...BOM_RELEASE_SAMPLE, unit: "XX" }))).resolves.toMatchObject({ code: "ODOO_UOM_UNMAPPED" });
    await expect(handler().deliver(job("BOM_RELEASE", { ...BOM_RELEASE_SAMPLE, revision: "b" }))).resolves.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("QUALITY_HOLD (QMS form → quality.alert, lot locked)", () => {
  it("HOLD locks the lot once per key; RELEASE unlocks it", async () => {
    const hold = job("QUALITY_HOLD", QUALITY_HOLD, "qh-1");
    await expect(handler().deliver(hold)).resolves.toMatchObject({
      status: "delivered",
      response: { model: "quality.alert", lot: "B2026-118", locked: true, changed: true },
    });
    await handler().deliver(hold);
    expect(emulator.state.records("quality.alert")).toHaveLength(1);
    expect(emulator.state.record("stock.lot", 61)?.locked).toBe(true);
    // the same hold under another key is already in place
    await expect(handler().deliver(job("QUALITY_HOLD", QUALITY_HOLD))).resolves.toMatchObject({ status: "delivered", response: { changed: false } });
    const release = { ...QUALITY_HOLD, action: "RELEASE", fromStockType: "BLOCKED", targetStockType: "UNRESTRICTED", reason: "Retest in specification" };
    await expect(handler().deliver(job("QUALITY_HOLD", release))).resolves.toMatchObject({ status: "delivered", response: { locked: false, changed: true } });
    expect(emulator.state.record("stock.lot", 61)?.locked).toBe(false);
    await expect(handler().deliver(job("QUALITY_HOLD", release))).resolves.toMatchObject({ status: "delivered", response: { changed: false } });
  });

  it("accepts the QMS event form of the shared sample; an unknown lot is refused", async () => {
    await expect(handler().deliver(job("QUALITY_HOLD", QMS_EVENT))).resolves.toMatchObject({ status: "delivered", response: { lot: "B2026-118" } });
    expect(emulator.state.record("stock.lot", 61)?.locked).toBe(true);
    await expect(handler().deliver(job("QUALITY_HOLD", { ...QUALITY_HOLD, batch: "B2026-999" }))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "ODOO_LOT_NOT_FOUND",
      message: "Lot B2026-999 of RM-0815 does not exist in Odoo (stock.lot)",
    });
  });
});

describe("SUPPLIER_ASN (WMS form → incoming stock.picking)", () => {
  it("creates a ready receipt with origin = PO and one move per ASN line, once per key", async () => {
    const replay = job("SUPPLIER_ASN", SUPPLIER_ASN, "asn-1");
    const outcome = await handler().deliver(replay);
    expect(outcome).toMatchObject({ status: "delivered", response: { model: "stock.picking", name: "WH/IN/00022", state: "assigned" } });
    const id = (outcome as { response: { id: number } }).response.id;
    expect(emulator.state.record("stock.picking", id)).toMatchObject({
      origin: "4500017001",
      purchase_id: 42,
      partner_id: 21,
      x_asn_number: "80045881",
      scheduled_date: "2026-11-24 00:00:00",
    });
    const moves = emulator.state.records("stock.move").filter((move) => move.picking_id === id);
    const lot = emulator.state.records("stock.lot").find((row) => row.name === "B2026-131");
    expect(moves.map((move) => [move.product_id, move.product_uom_qty, move.product_uom, move.purchase_line_id, move.restrict_lot_id, move.state])).toEqual([
      [4215, 500, 1, 421, false, "assigned"],
      [4218, 10, 14, 422, lot?.id, "assigned"],
    ]);
    await expect(handler().deliver(replay)).resolves.toEqual(outcome);
    expect(emulator.state.records("stock.picking").filter((row) => row.x_asn_number === "80045881")).toHaveLength(1);
  });

  it("a lost answer after the picking was created: the replay confirms the same picking", async () => {
    // PO, partner, PO lines, products, units, lot search, lot create, picking type, create → 9th
    emulator.faults.dropAfterApplying(1, { skip: 8 });
    const replay = job("SUPPLIER_ASN", SUPPLIER_ASN, "asn-lost");
    await expect(handler().deliver(replay)).resolves.toMatchObject({ status: "failed", category: "technical" });
    await expect(handler().deliver(replay)).resolves.toMatchObject({ status: "delivered", response: { state: "assigned" } });
    expect(emulator.state.records("stock.picking").filter((row) => row.x_asn_number === "80045881")).toHaveLength(1);
    expect(emulator.idempotency.applied("asn-lost")).toBe(1);
  });

  it("refusals: unknown PO, PO line, cancelled PO, unit of another category (Odoo), duplicate ASN (Odoo)", async () => {
    await expect(handler().deliver(job("SUPPLIER_ASN", { ...SUPPLIER_ASN, purchaseOrder: "4500019999" }))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "ODOO_PO_NOT_FOUND",
      message: "Purchase order 4500019999 does not exist in Odoo (purchase.order)",
    });
    const lines = SUPPLIER_ASN.lines as Array<Record<string, unknown>>;
    await expect(handler().deliver(job("SUPPLIER_ASN", { ...SUPPLIER_ASN, lines: [{ ...lines[0], poLine: "00030" }] }))).resolves.toMatchObject({
      code: "ODOO_PO_LINE_NOT_FOUND",
      message: "Purchase order 4500017001 has no line 00030 in Odoo (purchase.order.line)",
    });
    await expect(handler().deliver(job("SUPPLIER_ASN", { ...SUPPLIER_ASN, purchaseOrder: "4500017002" }))).resolves.toMatchObject({ code: "ODOO_PO_NOT_OPEN" });
    await expect(handler().deliver(job("SUPPLIER_ASN", { ...SUPPLIER_ASN, lines: [{ ...lines[0], unit: "KGM" }] }))).resolves.toMatchObject({
      category: "business",
      code: "odoo.exceptions.UserError",
      message: expect.stringMatching(/^You cannot perform the move because the unit of measure has a different category/),
    });
    expect(emulator.state.records("stock.picking")).toHaveLength(2);
    await handler().deliver(job("SUPPLIER_ASN", SUPPLIER_ASN));
    await expect(handler().deliver(job("SUPPLIER_ASN", SUPPLIER_ASN))).resolves.toMatchObject({
      code: "odoo.exceptions.ValidationError",
      message: "This vendor's ASN was already received: an ASN number is unique per vendor!",
    });
  });
});

describe("FORECAST_IMPORT (forecast version → mrp.production.schedule)", () => {
  it("replaces each product's forecast in its unit (12 DZN → 240 PC), creating missing schedules", async () => {
    const outcome = await handler().deliver(job("FORECAST_IMPORT", ODOO_SAMPLE_PAYLOADS.FORECAST_IMPORT, "fc-1"));
    expect(outcome).toMatchObject({ status: "delivered", response: { model: "mrp.production.schedule", forecastVersion: "FC-2026-W48" } });
    expect(emulator.state.record("mrp.production.schedule", 71)).toMatchObject({
      x_forecast_version: "FC-2026-W48",
      x_forecast_released_at: "2026-11-23 06:00:00",
    });
    const forecasts = (schedule: number) =>
      emulator.state
        .records("mrp.product.forecast")
        .filter((row) => row.production_schedule_id === schedule)
        .map((row) => [row.date, row.forecast_qty]);
    expect(forecasts(71)).toEqual([
      ["2026-11-30", 240],
      ["2026-12-07", 240],
    ]);
    const resin = emulator.state.records("mrp.production.schedule").find((row) => row.product_id === 4218);
    expect(resin && forecasts(resin.id)).toEqual([["2026-11-30", 180]]);
    await handler().deliver(job("FORECAST_IMPORT", ODOO_SAMPLE_PAYLOADS.FORECAST_IMPORT, "fc-1"));
    expect(emulator.state.records("mrp.production.schedule")).toHaveLength(2);
  });

  it("refuses a superseded version (Odoo), an unmapped unit and a unit of another category", async () => {
    const older = { ...ODOO_SAMPLE_PAYLOADS.FORECAST_IMPORT, forecastVersion: "FC-2026-W45", releasedAt: "2026-11-02T06:00:00Z" };
    await expect(handler().deliver(job("FORECAST_IMPORT", older))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "odoo.exceptions.UserError",
      message:
        "Forecast version FC-2026-W45 (released 2026-11-02 06:00:00) is superseded by version FC-2026-W46 (released 2026-11-09 06:00:00) for [FG-2200-A] Frame assembly A.",
    });
    const bucket = ODOO_SAMPLE_PAYLOADS.FORECAST_IMPORT.buckets[0];
    await expect(
      handler().deliver(job("FORECAST_IMPORT", { ...ODOO_SAMPLE_PAYLOADS.FORECAST_IMPORT, buckets: [{ ...bucket, unit: "BOX" }] })),
    ).resolves.toMatchObject({
      code: "ODOO_UOM_UNMAPPED",
      message: 'Unit of measure "BOX" not mapped to an Odoo unit',
    });
    await expect(
      handler().deliver(job("FORECAST_IMPORT", { ...ODOO_SAMPLE_PAYLOADS.FORECAST_IMPORT, buckets: [{ ...bucket, unit: "KG" }] })),
    ).resolves.toMatchObject({
      code: "ODOO_UOM_CATEGORY_MISMATCH",
    });
  });
});

describe("MAINT_WORK_ORDER (CMMS form → maintenance.request)", () => {
  it("creates the request once, then follows the work order's status", async () => {
    const created = await handler().deliver(job("MAINT_WORK_ORDER", WORK_ORDER, "wo-1"));
    expect(created).toMatchObject({ status: "delivered", response: { model: "maintenance.request", stage: "In Progress", created: true } });
    const id = (created as { response: { id: number } }).response.id;
    expect(emulator.state.record("maintenance.request", id)).toMatchObject({
      name: "Hydraulic pressure drop on main cylinder",
      equipment_id: 13,
      maintenance_type: "corrective",
      priority: "2",
      schedule_date: "2026-11-20 06:00:00",
      x_cmms_work_order: "4100017",
      stage_id: 2,
    });
    await handler().deliver(job("MAINT_WORK_ORDER", WORK_ORDER, "wo-1"));
    await expect(handler().deliver(job("MAINT_WORK_ORDER", { ...WORK_ORDER, status: "COMPLETED" }))).resolves.toMatchObject({
      status: "delivered",
      response: { id, stage: "Repaired", created: false },
    });
    expect(emulator.state.record("maintenance.request", id)).toMatchObject({ stage_id: 3, close_date: "2026-11-24" });
    expect(emulator.state.records("maintenance.request").filter((row) => row.x_cmms_work_order === "4100017")).toHaveLength(1);
  });

  it("an equipment unknown to Odoo is refused", async () => {
    await expect(handler().deliver(job("MAINT_WORK_ORDER", { ...WORK_ORDER, equipmentSerialNumber: "XX-1" }))).resolves.toMatchObject({
      status: "failed",
      category: "business",
      code: "ODOO_EQUIPMENT_NOT_FOUND",
    });
  });
});
