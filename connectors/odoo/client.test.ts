/**
 * OdooClient against the emulator over real HTTP: the ORM methods, the business rules and the
 * typed errors (name, message, category) the connectors report to Andon.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OdooClient } from "./client";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { OdooRpcError, OdooTransportError, classifyOdooException } from "./errors";
import { clientFor } from "./test-support";

let emulator: OdooEmulator;
let client: OdooClient;

beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", login: "andon@plant-mty", password: "initial-pw", now: () => new Date("2026-11-24T05:30:00Z") });
  client = clientFor(emulator);
});
beforeEach(() => emulator.state.reset());
afterAll(() => emulator.close());

/** The OdooRpcError a call rejects with (fails the test if it resolves or throws anything else). */
async function rpcError(call: Promise<unknown>): Promise<OdooRpcError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected an OdooRpcError, got result ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OdooRpcError);
  return error as OdooRpcError;
}

const production = (vals: Record<string, unknown> = {}) => ({
  product_id: 4211,
  product_qty: 10,
  origin: "SAP 1004800",
  date_start: "2026-11-25 06:00:00",
  ...vals,
});

describe("authentication and version", () => {
  it("authenticates with login and password and answers the uid", async () => {
    await expect(client.authenticate()).resolves.toBe(2);
  });

  it("accepts an API key in place of the password", async () => {
    const keyed = await startOdooEmulator({ apiKey: "key-123" });
    try {
      const viaKey = new OdooClient({ url: keyed.url, db: keyed.db, login: keyed.login, apiKey: "key-123" });
      await expect(viaKey.searchCount("product.product")).resolves.toBeGreaterThan(0);
    } finally {
      await keyed.close();
    }
  });

  it("reads the server version", async () => {
    await expect(client.version()).resolves.toMatchObject({ server_version: "19.0", protocol_version: 1 });
  });

  it("turns authenticate=false into a technical AccessDenied", async () => {
    const wrong = clientFor(emulator, { password: "guess" });
    const error = await rpcError(wrong.authenticate());
    expect(error).toMatchObject({ name: "odoo.exceptions.AccessDenied", message: "Access Denied", category: "technical", service: "common" });
  });

  it("rejects invalid options up front", () => {
    expect(() => new OdooClient({ url: "not a url", db: "x", login: "y", password: "z" })).toThrow(/Invalid OdooClient options/);
    expect(() => new OdooClient({ url: "http://odoo", db: "x", login: "y", password: "" })).toThrow(/password or apiKey/);
  });
});

describe("ORM methods", () => {
  it("create with one vals dict answers an id; with a list, the ids in order", async () => {
    const id = await client.create("mrp.production", production());
    const ids = await client.createMany("mrp.production", [production({ origin: "A" }), production({ origin: "B" })]);

    expect(id).toBe(9312);
    expect(ids).toEqual([9313, 9314]);
    expect(ids.map((i) => emulator.state.record("mrp.production", i)?.origin)).toEqual(["A", "B"]);
  });

  it("a call is atomic: when the second vals of a batch fails, the first is rolled back too", async () => {
    const before = emulator.state.records("mrp.production").length;
    const error = await rpcError(client.createMany("mrp.production", [production({ origin: "OK" }), production({ product_qty: 0 })]));
    expect(error.name).toBe("odoo.exceptions.ValidationError");
    expect(emulator.state.records("mrp.production")).toHaveLength(before);
  });

  it("search, search_count and name_search", async () => {
    await expect(client.executeKw("mrp.production", "search", [[["state", "in", ["draft", "confirmed"]]]], { order: "id" })).resolves.toEqual([9310, 9311]);
    await expect(client.searchCount("maintenance.request", [["maintenance_type", "=", "preventive"]])).resolves.toBe(1);
    await expect(client.executeKw("product.product", "name_search", ["GH-2"])).resolves.toEqual([[4211, "[GH-200] Gearbox Housing GH-200"]]);
  });

  it("create fills Odoo's defaults and computes: reference, BOM, unit, company, state", async () => {
    const id = await client.create("mrp.production", { product_id: 4211, product_qty: 3 });
    const [record] = await client.read("mrp.production", [id], ["name", "bom_id", "product_uom_id", "company_id", "state", "date_start", "user_id"]);

    expect(record).toEqual({
      id,
      name: "WH/MO/00454",
      bom_id: [88, "GH-200-A: [GH-200] Gearbox Housing GH-200"],
      product_uom_id: [1, "Units"],
      company_id: [1, "My Company"],
      state: "draft",
      date_start: "2026-11-24 05:30:00",
      user_id: [2, "Andon Integration"],
    });
  });

  it("read answers many2one as [id, name], ids first, and leaves out ids that do not exist", async () => {
    const records = await client.read("mrp.production", [9311, 999_999, 9309], ["name", "product_id", "state"]);
    expect(records).toEqual([
      { id: 9311, name: "WH/MO/00453", product_id: [4211, "[GH-200] Gearbox Housing GH-200"], state: "draft" },
      { id: 9309, name: "WH/MO/00451", product_id: [4211, "[GH-200] Gearbox Housing GH-200"], state: "done" },
    ]);
  });

  it("read without fields answers every field, magic ones included", async () => {
    const [record] = await client.read("product.product", [4213]);
    expect(record).toMatchObject({
      id: 4213,
      name: "Deep Groove Ball Bearing 6204-2RS",
      default_code: "RM-6204",
      uom_id: [1, "Units"],
      type: "product",
      company_id: false,
      route_ids: [6],
      display_name: "[RM-6204] Deep Groove Ball Bearing 6204-2RS",
      create_uid: [2, "Andon Integration"],
    });
    expect(Object.keys(record ?? {})[0]).toBe("id");
  });

  it("search_read supports =, !=, in, ilike (also on many2one display names), limit, offset and order", async () => {
    expect(await client.searchRead("mrp.production", [["state", "=", "done"]], { fields: ["name"] })).toEqual([{ id: 9309, name: "WH/MO/00451" }]);
    expect(await client.searchRead("mrp.production", [["state", "!=", "done"]], { fields: ["name"], order: "id desc" })).toEqual([
      { id: 9311, name: "WH/MO/00453" },
      { id: 9310, name: "WH/MO/00452" },
    ]);
    expect(
      await client.searchRead("product.product", [["default_code", "in", ["RM-6204", "RM-4711"]]], { fields: ["default_code"], order: "default_code" }),
    ).toEqual([
      { id: 4215, default_code: "RM-4711" },
      { id: 4213, default_code: "RM-6204" },
    ]);
    const byProductName = await client.searchRead(
      "mrp.production",
      [
        ["product_id", "ilike", "gearbox"],
        ["origin", "ilike", "sap 10047"],
      ],
      { fields: ["origin"], limit: 2, offset: 1, order: "origin asc" },
    );
    expect(byProductName).toEqual([
      { id: 9310, origin: "SAP 1004705" },
      { id: 9311, origin: "SAP 1004709" },
    ]);
    expect(await client.searchRead("stock.move", [["picking_id.partner_id.name", "ilike", "nordwerk"]], { fields: ["product_id"] })).toEqual([
      { id: 1201, product_id: [4213, "[RM-6204] Deep Groove Ball Bearing 6204-2RS"] },
    ]);
  });

  it("search_read honours prefix operators and archived records (active_test)", async () => {
    const either = await client.searchRead("mrp.production", ["|", ["state", "=", "done"], ["priority", "=", "1"]], { fields: ["id"] });
    expect(either.map((r) => r.id).sort()).toEqual([9309, 9311]);
    expect(await client.searchCount("product.product", [["default_code", "=", "GH-100"]])).toBe(0);
    expect(
      await client.searchRead(
        "product.product",
        [
          ["default_code", "=", "GH-100"],
          ["active", "=", false],
        ],
        { fields: ["name"] },
      ),
    ).toEqual([{ id: 4217, name: "Gearbox Housing GH-100 (discontinued)" }]);
    expect(await client.searchCount("product.product", [["default_code", "=", "GH-100"]], { context: { active_test: false } })).toBe(1);
  });

  it("write answers true and changes the record; unlink answers true and deletes it", async () => {
    await expect(client.write("mrp.production", [9311], { product_qty: 75, origin: "SAP 1004709/2" })).resolves.toBe(true);
    expect(emulator.state.record("mrp.production", 9311)).toMatchObject({ product_qty: 75, origin: "SAP 1004709/2" });

    await client.executeKw("mrp.production", "action_cancel", [[9311]]);
    await expect(client.unlink("mrp.production", [9311])).resolves.toBe(true);
    expect(emulator.state.record("mrp.production", 9311)).toBeUndefined();
  });

  it("action_confirm moves a draft order to confirmed and answers true", async () => {
    const id = await client.create("mrp.production", production());
    await expect(client.executeKw("mrp.production", "action_confirm", [[id]])).resolves.toBe(true);
    expect(emulator.state.record("mrp.production", id)?.state).toBe("confirmed");
  });

  it("creates a receipt with move lines (x2many commands) and confirms it", async () => {
    const picking = await client.create("stock.picking", {
      picking_type_id: 1,
      partner_id: 21,
      origin: "ASN 77-0042",
      scheduled_date: "2026-11-26 07:00:00",
      move_ids: [
        [0, 0, { product_id: 4213, product_uom_qty: 1200 }],
        [0, 0, { product_id: 4214, product_uom_qty: 200, product_uom: 12 }],
      ],
    });
    const [before] = await client.read("stock.picking", [picking], ["name", "state", "location_id", "location_dest_id", "move_ids"]);
    expect(before).toMatchObject({ name: "WH/IN/00022", state: "draft", location_id: [4, "Partners/Vendors"], location_dest_id: [8, "WH/Stock"] });

    await client.executeKw("stock.picking", "action_confirm", [[picking]]);
    const moves = await client.searchRead("stock.move", [["picking_id", "=", picking]], { fields: ["name", "product_uom_qty", "product_uom", "state"] });
    expect(moves).toEqual([
      { id: expect.any(Number), name: "[RM-6204] Deep Groove Ball Bearing 6204-2RS", product_uom_qty: 1200, product_uom: [1, "Units"], state: "assigned" },
      { id: expect.any(Number), name: "[RM-HLP46] Hydraulic Oil HLP 46", product_uom_qty: 200, product_uom: [12, "kg"], state: "assigned" },
    ]);
    expect((await client.read("stock.picking", [picking], ["state", "move_ids"]))[0]).toEqual({
      id: picking,
      state: "assigned",
      move_ids: moves.map((m) => m.id),
    });
  });

  it("creates a maintenance request in the first stage; a done stage sets the close date", async () => {
    const id = await client.create("maintenance.request", { name: "Coolant leak at spindle", equipment_id: 12, maintenance_type: "corrective", priority: "2" });
    expect((await client.read("maintenance.request", [id], ["stage_id", "request_date", "equipment_id", "close_date"]))[0]).toEqual({
      id,
      stage_id: [1, "New Request"],
      request_date: "2026-11-24",
      equipment_id: [12, "CNC Milling Center DMU 50/DMU50-2291"],
      close_date: false,
    });
    await client.write("maintenance.request", [id], { stage_id: 3 });
    expect(emulator.state.record("maintenance.request", id)).toMatchObject({ stage_id: 3, close_date: "2026-11-24", kanban_state: "normal" });
  });
});

describe("business errors (category business)", () => {
  it("ValidationError: quantity to produce must be positive (create and write)", async () => {
    const onCreate = await rpcError(client.create("mrp.production", production({ product_qty: 0 })));
    expect(onCreate).toMatchObject({
      name: "odoo.exceptions.ValidationError",
      message: "The quantity to produce must be positive!",
      category: "business",
      code: 200,
      model: "mrp.production",
      modelMethod: "create",
      data: { arguments: ["The quantity to produce must be positive!"], context: {} },
    });
    const onWrite = await rpcError(client.write("mrp.production", [9311], { product_qty: -1 }));
    expect(onWrite).toMatchObject({ name: "odoo.exceptions.ValidationError", message: "The quantity to produce must be positive!" });
    expect(emulator.state.record("mrp.production", 9311)?.product_qty).toBe(50);
  });

  it("UserError: a manufactured product without a bill of materials", async () => {
    const error = await rpcError(client.create("mrp.production", { product_id: 4212, product_qty: 40 }));
    expect(error).toMatchObject({
      name: "odoo.exceptions.UserError",
      message:
        "There is no Bill of Material of type manufacture or kit found for the product [DS-40] Drive Shaft DS-40. Please define a Bill of Material for this product.",
      category: "business",
    });
  });

  it("MissingError: an unknown product, an unknown unit, an unknown record", async () => {
    const product = await rpcError(client.create("mrp.production", production({ product_id: 99_999 })));
    expect(product).toMatchObject({
      name: "odoo.exceptions.MissingError",
      message: "Record does not exist or has been deleted.\n(Record: product.product(99999,), User: 2)",
      category: "business",
    });
    const unit = await rpcError(client.create("mrp.production", production({ product_uom_id: 777 })));
    expect(unit.message).toBe("Record does not exist or has been deleted.\n(Record: uom.uom(777,), User: 2)");
    const record = await rpcError(client.write("mrp.production", [123_456], { origin: "x" }));
    expect(record).toMatchObject({
      name: "odoo.exceptions.MissingError",
      message: "Record does not exist or has been deleted.\n(Record: mrp.production(123456,), User: 2)",
    });
    const action = await rpcError(client.executeKw("mrp.production", "action_confirm", [[123_456]]));
    expect(action.name).toBe("odoo.exceptions.MissingError");
  });

  it("UserError: a unit of another category than the product's", async () => {
    const error = await rpcError(client.create("mrp.production", production({ product_uom_id: 12 })));
    expect(error).toMatchObject({
      name: "odoo.exceptions.UserError",
      message:
        "You cannot perform the move because the unit of measure has a different category as the product unit of measure." +
        "\n\n[GH-200] Gearbox Housing GH-200 --> Product UoM is Units (Unit) - Move UoM is kg (Weight)" +
        "\n\nBlocking: WH/MO/00454",
      category: "business",
    });
    expect(await client.searchCount("mrp.production", [["product_uom_id", "=", 12]])).toBe(0);
  });

  it("UserError: rescheduling or deleting a done production order", async () => {
    const reschedule = await rpcError(client.write("mrp.production", [9309], { date_start: "2026-11-30 06:00:00" }));
    expect(reschedule).toMatchObject({
      name: "odoo.exceptions.UserError",
      message: "You cannot move a manufacturing order once it is cancelled or done.",
      category: "business",
    });
    expect(emulator.state.record("mrp.production", 9309)?.date_start).toBe("2026-11-20 06:00:00");

    const forced = await client.write("mrp.production", [9309], { date_start: "2026-11-30 06:00:00" }, { context: { force_date: true } });
    expect(forced).toBe(true);

    const remove = await rpcError(client.unlink("mrp.production", [9309]));
    expect(remove.message).toBe("Cannot delete a manufacturing order in done state.");
    const removeDraft = await rpcError(client.unlink("mrp.production", [9311]));
    expect(removeDraft.message).toBe("WH/MO/00453 cannot be deleted. Try to cancel them before.");
  });

  it("NOT NULL and foreign keys come back as Odoo 17's integrity ValidationErrors", async () => {
    const missingName = await rpcError(client.create("maintenance.request", { equipment_id: 13 }));
    expect(missingName.message).toBe(
      "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Maintenance Request (maintenance.request)\nField: Subjects (name)\n",
    );
    const referenced = await rpcError(client.unlink("product.product", [4211]));
    expect(referenced.message).toBe(
      "The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Bill of Material (mrp.bom)\nConstraint: mrp_bom_product_id_fkey\n",
    );
  });

  it("contract errors: unknown model, method, field, wrong value, bad domain", async () => {
    await expect(rpcError(client.create("sale.order", { partner_id: 23 }))).resolves.toMatchObject({
      name: "odoo.exceptions.UserError",
      message: "Object sale.order doesn't exist",
    });
    await expect(rpcError(client.executeKw("mrp.production", "button_launch", [[9311]]))).resolves.toMatchObject({
      name: "builtins.AttributeError",
      message: "The method 'button_launch' does not exist on the model 'mrp.production'",
      category: "business",
    });
    await expect(rpcError(client.create("mrp.production", production({ sap_order: "1004711" })))).resolves.toMatchObject({
      name: "builtins.ValueError",
      message: "Invalid field 'sap_order' on model 'mrp.production'",
    });
    await expect(rpcError(client.read("mrp.production", [9311], ["name", "quantity"]))).resolves.toMatchObject({
      message: "Invalid field 'quantity' on model 'mrp.production'",
    });
    await expect(rpcError(client.write("mrp.production", [9311], { state: "released" }))).resolves.toMatchObject({
      message: "Wrong value for mrp.production.state: 'released'",
    });
    await expect(rpcError(client.write("mrp.production", [9311], { date_start: "2026-11-24T06:00:00Z" }))).resolves.toMatchObject({
      message: "time data '2026-11-24T06:00:00Z' does not match format '%Y-%m-%d %H:%M:%S'",
    });
    await expect(rpcError(client.searchRead("mrp.production", [["sap_order", "=", "1"]]))).resolves.toMatchObject({
      message: "Invalid field mrp.production.sap_order in leaf ('sap_order', '=', '1')",
    });
    await expect(rpcError(client.executeKw("mrp.production", "write", [[9311]]))).resolves.toMatchObject({
      name: "builtins.TypeError",
      message: "BaseModel.write() missing 1 required positional argument: 'vals'",
    });
  });
});

describe("technical errors from Odoo (category technical)", () => {
  it("AccessError: private methods cannot be called remotely", async () => {
    const error = await rpcError(client.executeKw("mrp.production", "_action_cancel", [[9311]]));
    expect(error).toMatchObject({
      name: "odoo.exceptions.AccessError",
      message: "Private methods (such as _action_cancel) cannot be called remotely.",
      category: "technical",
    });
  });

  it("classifies Odoo exception names", () => {
    expect(classifyOdooException("odoo.exceptions.ValidationError")).toBe("business");
    expect(classifyOdooException("odoo.exceptions.UserError")).toBe("business");
    expect(classifyOdooException("odoo.exceptions.MissingError")).toBe("business");
    expect(classifyOdooException("odoo.exceptions.AccessDenied")).toBe("technical");
    expect(classifyOdooException("odoo.exceptions.AccessError")).toBe("technical");
    expect(classifyOdooException("psycopg2.errors.SerializationFailure")).toBe("technical");
  });

  it("a protocol answer it cannot use is a technical OdooTransportError", async () => {
    const html = new OdooClient({
      url: emulator.url,
      db: emulator.db,
      login: emulator.login,
      password: "initial-pw",
      fetch: async () => new Response("<html>maintenance</html>", { status: 200, headers: { "content-type": "text/html" } }),
    });
    const error = await html.version().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(OdooTransportError);
    expect(error).toMatchObject({ kind: "protocol", category: "technical" });
  });
});
