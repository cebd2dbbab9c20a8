/**
 * Business rules of the catalog models (over JSON-2): BOM revisions and effectivity, lots and
 * quality holds, vendor bills and lock dates, the master production schedule, maintenance requests.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OdooClient } from "./client";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { OdooRpcError } from "./errors";

const KEY = "models-key";
let emulator: OdooEmulator;
let odoo: OdooClient;

beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", apiKey: KEY, now: () => new Date("2026-11-24T05:30:00Z") });
  odoo = new OdooClient({ url: emulator.url, db: "plant_mty", apiKey: KEY, version: "19" });
});
beforeEach(() => emulator.state.reset());
afterAll(() => emulator.close());

async function odooError(call: Promise<unknown>): Promise<OdooRpcError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected an Odoo error, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OdooRpcError);
  return error as OdooRpcError;
}

const revisionB = (values: Record<string, unknown> = {}) => ({
  product_id: 4220,
  code: "B",
  version: 2,
  x_effective_from: "2026-12-01",
  bom_line_ids: [[0, 0, { product_id: 4215, product_qty: 2 }]],
  ...values,
});

describe("mrp.bom revisions and effectivity", () => {
  it("refuses a revision overlapping the open-ended one; accepts it once the old one ends", async () => {
    const overlap = await odooError(odoo.create("mrp.bom", revisionB()));
    expect(overlap).toMatchObject({ name: "odoo.exceptions.ValidationError", code: 422 });
    expect(overlap.message).toBe("Revision B of [FG-2200-A] Frame assembly A (2026-12-01 – open) overlaps revision A (2026-01-01 – open).");
    await odoo.write("mrp.bom", [89], { x_effective_to: "2026-11-30" });
    const id = await odoo.create("mrp.bom", revisionB());
    const [line] = await odoo.searchRead("mrp.bom.line", [["bom_id", "=", id]], { fields: ["product_id", "product_uom_id"] });
    expect(line).toMatchObject({ product_id: [4215, "[RM-4711] Steel sheet S235 2 mm, cut blank"], product_uom_id: [1, "Units"] });
  });

  it("refuses an end before the start, a duplicate revision code, a component equal to the product, a negative line", async () => {
    await odoo.write("mrp.bom", [89], { x_effective_to: "2026-11-30" });
    expect((await odooError(odoo.create("mrp.bom", revisionB({ x_effective_to: "2026-11-01" })))).message).toMatch(
      /ends \(2026-11-01\) before it starts \(2026-12-01\)/,
    );
    expect((await odooError(odoo.create("mrp.bom", revisionB({ code: "A" })))).message).toMatch(/^Revision A of \[FG-2200-A\] Frame assembly A already exists/);
    expect((await odooError(odoo.create("mrp.bom", revisionB({ bom_line_ids: [[0, 0, { product_id: 4220, product_qty: 1 }]] })))).message).toBe(
      "BoM line product B: [FG-2200-A] Frame assembly A should not be the same as BoM product.",
    );
    expect((await odooError(odoo.create("mrp.bom", revisionB({ bom_line_ids: [[0, 0, { product_id: 4215, product_qty: -1 }]] })))).message).toMatch(
      /^All product quantities must be greater or equal to 0\./,
    );
    expect(emulator.state.records("mrp.bom")).toHaveLength(2); // every refusal rolled back
  });

  it("a manufacturing order takes the revision effective on its start date, and is refused when none is", async () => {
    await odoo.write("mrp.bom", [89], { x_effective_to: "2026-11-30" });
    const revision = await odoo.create("mrp.bom", revisionB());
    const december = await odoo.create("mrp.production", { product_id: 4220, product_qty: 10, date_start: "2026-12-02 06:00:00" });
    const november = await odoo.create("mrp.production", { product_id: 4220, product_qty: 10, date_start: "2026-11-25 06:00:00" });
    expect(emulator.state.record("mrp.production", december)?.bom_id).toBe(revision);
    expect(emulator.state.record("mrp.production", november)?.bom_id).toBe(89);
    const early = await odooError(odoo.create("mrp.production", { product_id: 4220, product_qty: 10, date_start: "2025-12-01 06:00:00" }));
    expect(early).toMatchObject({ name: "odoo.exceptions.UserError" });
    expect(early.message).toBe(
      "No revision of the Bill of Material of [FG-2200-A] Frame assembly A is effective on 2025-12-01 (revisions: A (2026-01-01 – 2026-11-30), B (2026-12-01 – open)).",
    );
    const explicit = await odooError(odoo.create("mrp.production", { product_id: 4220, product_qty: 1, bom_id: revision, date_start: "2026-11-25 06:00:00" }));
    expect(explicit.message).toBe("The Bill of Material B: [FG-2200-A] Frame assembly A is not effective on 2026-11-25 (effective B (2026-12-01 – open)).");
  });
});

describe("stock.lot and quality", () => {
  it("a lot is unique per product and company", async () => {
    const error = await odooError(odoo.create("stock.lot", { name: "B2026-118", product_id: 4218 }));
    expect(error.message).toMatch(/^The combination of lot\/serial number and product must be unique within a company/);
    await expect(odoo.create("stock.lot", { name: "B2026-118", product_id: 4215 })).resolves.toBeGreaterThan(0);
  });

  it("an open quality alert locks the lot, solving it unlocks; a blocked lot cannot leave stock", async () => {
    const alert = await odoo.create("quality.alert", { title: "Viscosity out of spec", lot_id: 61, x_hold_number: "QH00000001" });
    expect(emulator.state.record("stock.lot", 61)?.locked).toBe(true);
    expect(emulator.state.record("quality.alert", alert)).toMatchObject({ name: "QA00001", product_id: 4218, stage_id: 1 });
    const move = { name: "issue", product_id: 4218, product_uom_qty: 5, location_id: 8, location_dest_id: 15, restrict_lot_id: 61 };
    const blocked = await odooError(odoo.create("stock.move", move));
    expect(blocked).toMatchObject({
      name: "odoo.exceptions.ValidationError",
      message: "The following lots/serial number is blocked and cannot be moved:\nB2026-118",
    });
    await expect(odoo.create("stock.move", { ...move, location_id: 4, location_dest_id: 8 })).resolves.toBeGreaterThan(0); // a receipt of it is fine
    await odoo.write("quality.alert", [alert], { stage_id: 4 });
    expect(emulator.state.record("stock.lot", 61)?.locked).toBe(false);
    expect(emulator.state.record("quality.alert", alert)?.date_close).toBe("2026-11-24 05:30:00");
    await expect(odoo.create("stock.move", move)).resolves.toBeGreaterThan(0);
  });

  it("an alert's lot must be a lot of its product; quality checks pass and fail", async () => {
    expect((await odooError(odoo.create("quality.alert", { lot_id: 61, product_id: 4215 }))).message).toBe(
      "The lot B2026-118 is not a lot of [RM-4711] Steel sheet S235 2 mm, cut blank.",
    );
    const check = await odoo.create("quality.check", { product_id: 4218, lot_id: 61, x_characteristic: "0010", measure: 412 });
    await odoo.call("quality.check", "do_fail", { ids: [check] });
    expect(emulator.state.record("quality.check", check)).toMatchObject({ name: "QC00001", quality_state: "fail", control_date: "2026-11-24 05:30:00" });
  });
});

describe("account.move (vendor bills) and lock dates", () => {
  const bill = (values: Record<string, unknown> = {}) => ({
    move_type: "in_invoice",
    partner_id: 21,
    invoice_date: "2026-11-20",
    ref: "NW-INV-55801",
    invoice_line_ids: [[0, 0, { product_id: 4215, quantity: 100, price_unit: 12.5 }]],
    ...values,
  });

  it("posts a bill: totals, the number of its period", async () => {
    const id = await odoo.create("account.move", bill());
    expect(emulator.state.record("account.move", id)).toMatchObject({ state: "draft", name: "/", date: "2026-11-20", amount_total: 1250 });
    await odoo.call("account.move", "action_post", { ids: [id] });
    expect(emulator.state.record("account.move", id)).toMatchObject({ state: "posted", name: "BILL/2026/11/0001" });
    expect((await odooError(odoo.call("account.move", "action_post", { ids: [id] }))).message).toBe(
      `The entry BILL/2026/11/0001 (id ${id}) is already posted.`,
    );
    expect((await odooError(odoo.unlink("account.move", [id]))).message).toBe("You cannot delete an entry which has been posted once.");
  });

  it("refuses to post without bill date, vendor or lines", async () => {
    const noDate = await odoo.create("account.move", bill({ invoice_date: false }));
    expect((await odooError(odoo.call("account.move", "action_post", { ids: [noDate] }))).message).toBe(
      "The Bill/Refund date is required to validate this document.",
    );
    const noVendor = await odoo.create("account.move", bill({ partner_id: false }));
    expect((await odooError(odoo.call("account.move", "action_post", { ids: [noVendor] }))).message).toBe(
      "The field 'Vendor' is required, please complete it to validate the Vendor Bill.",
    );
    const noLines = await odoo.create("account.move", bill({ invoice_line_ids: [] }));
    expect((await odooError(odoo.call("account.move", "action_post", { ids: [noLines] }))).message).toBe("You need to add a line before posting.");
  });

  it("a bill dated in the locked period is accounted after the lock date; a posted entry there cannot be changed", async () => {
    const late = await odoo.create("account.move", bill({ invoice_date: "2026-10-30" }));
    await odoo.call("account.move", "action_post", { ids: [late] });
    expect(emulator.state.record("account.move", late)).toMatchObject({ invoice_date: "2026-10-30", date: "2026-11-01", name: "BILL/2026/11/0001" });
    const locked = await odooError(odoo.call("account.move", "button_draft", { ids: [81] }));
    expect(locked).toMatchObject({
      name: "odoo.exceptions.UserError",
      message: "You cannot add/modify entries prior to and inclusive of the lock date 10/31/2026.",
      code: 422,
    });
    expect((await odooError(odoo.write("account.move", [81], { partner_id: 22 }))).message).toBe(
      "You cannot add/modify entries prior to and inclusive of the lock date 10/31/2026.",
    );
  });
});

describe("mrp.production.schedule (forecast versions)", () => {
  it("replaces the forecast with a newer version and refuses an older one", async () => {
    await odoo.write("mrp.production.schedule", [71], {
      x_forecast_version: "FC-2026-W48",
      x_forecast_released_at: "2026-11-23 06:00:00",
      forecast_ids: [[5], [0, 0, { date: "2026-11-30", forecast_qty: 240 }]],
    });
    expect(emulator.state.records("mrp.product.forecast").map((row) => [row.date, row.forecast_qty])).toEqual([["2026-11-30", 240]]);
    const older = await odooError(
      odoo.write("mrp.production.schedule", [71], { x_forecast_version: "FC-2026-W47", x_forecast_released_at: "2026-11-16 06:00:00" }),
    );
    expect(older).toMatchObject({ name: "odoo.exceptions.UserError", code: 422 });
    expect(older.message).toBe(
      "Forecast version FC-2026-W47 (released 2026-11-16 06:00:00) is superseded by version FC-2026-W48 (released 2026-11-23 06:00:00) for [FG-2200-A] Frame assembly A.",
    );
  });

  it("one schedule per product; one forecast per date", async () => {
    expect((await odooError(odoo.create("mrp.production.schedule", { product_id: 4220 }))).message).toBe(
      "The combination of warehouse and product must be unique!",
    );
    expect((await odooError(odoo.create("mrp.product.forecast", { production_schedule_id: 71, date: "2026-11-30", forecast_qty: 1 }))).message).toBe(
      "There is already a forecast on 2026-11-30 for [FG-2200-A] Frame assembly A.",
    );
  });
});

describe("maintenance.request and stock.picking links", () => {
  it("a CMMS work order links to one request; an ASN number is unique per vendor", async () => {
    await odoo.create("maintenance.request", { name: "A", x_cmms_work_order: "4100017" });
    expect((await odooError(odoo.create("maintenance.request", { name: "B", x_cmms_work_order: "4100017" }))).message).toBe(
      "A CMMS work order can only be linked to one maintenance request!",
    );
    await odoo.create("stock.picking", { picking_type_id: 1, partner_id: 21, x_asn_number: "80045881" });
    expect((await odooError(odoo.create("stock.picking", { picking_type_id: 1, partner_id: 21, x_asn_number: "80045881" }))).message).toBe(
      "This vendor's ASN was already received: an ASN number is unique per vendor!",
    );
    await expect(odoo.create("stock.picking", { picking_type_id: 1, partner_id: 22, x_asn_number: "80045881" })).resolves.toBeGreaterThan(0);
  });
});
