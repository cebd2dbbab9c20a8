/**
 * The emulated models: `product.product`, `mrp.production`, `stock.picking` / `stock.move`,
 * `maintenance.request`, and the reference models their many2one fields point to. Field names,
 * labels, `_description`, `_order` and the business errors follow Odoo 17 Community
 * (`addons/mrp`, `addons/stock`, `addons/maintenance`); each rule names the Odoo code it mirrors.
 */
import { raise } from "./exceptions";
import type { Row, Selection } from "./fields";
import { formatDatetime } from "./fields";
import type { Env, ModelSpec, Registry, Values } from "./model";
import { CATALOG_MODELS, bomEffectiveOn, checkBomRevision } from "./models-catalog";
import * as orm from "./orm";
import { browse, displayName, one2manyIds } from "./records";
import { active, char, checkUomCategory, companyOf, many2one, nextReference, ref, selection, text, today } from "./spec-helpers";

// ---- Reference models ---------------------------------------------------------------------

const resCompany: ModelSpec = {
  name: "res.company",
  description: "Companies",
  className: "Company",
  order: "sequence, name",
  fields: {
    name: char("Company Name", true),
    sequence: { type: "integer", string: "Sequence" },
    // account (Odoo 18+ lock dates)
    fiscalyear_lock_date: { type: "date", string: "Global Lock Date" },
    purchase_lock_date: { type: "date", string: "Purchase Lock Date" },
    hard_lock_date: { type: "date", string: "Hard Lock Date" },
  },
  displayName: (row) => text(row, "name"),
};

const resUsers: ModelSpec = {
  name: "res.users",
  description: "User",
  className: "Users",
  order: "name, login",
  fields: { name: char("Name", true), login: char("Login", true), company_id: many2one("res.company", "Company", true), active },
  defaults: (env) => ({ active: true, company_id: companyOf(env) }),
  modelMethods: {
    // Users.context_get: the user's context (what a JSON-2 client reads to learn its uid).
    context_get: { params: [], call: (env) => ({ lang: "en_US", tz: "Europe/Berlin", uid: env.uid }) },
  },
  displayName: (row) => text(row, "name"),
};

const resPartner: ModelSpec = {
  name: "res.partner",
  description: "Contact",
  className: "Partner",
  order: "complete_name ASC, id DESC",
  fields: {
    name: char("Name"),
    complete_name: char("Complete Name"),
    ref: char("Reference"),
    is_company: { type: "boolean", string: "Is a Company" },
    company_id: many2one("res.company", "Company"),
    active,
  },
  defaults: () => ({ active: true }),
  prepareCreate: (_env, values) => {
    if (values.complete_name === false) values.complete_name = values.name ?? false;
  },
  displayName: (row) => text(row, "complete_name") || text(row, "name"),
};

const uomCategory: ModelSpec = {
  name: "uom.category",
  description: "Product UoM Categories",
  className: "UoMCategory",
  order: "id",
  fields: { name: char("Unit of Measure Category", true) },
  displayName: (row) => text(row, "name"),
};

const uomUom: ModelSpec = {
  name: "uom.uom",
  description: "Product Unit of Measure",
  className: "UoM",
  order: "factor DESC, id",
  fields: {
    name: char("Unit of Measure", true),
    category_id: many2one("uom.category", "Category", true, "restrict"),
    uom_type: selection(
      [
        ["bigger", "Bigger than the reference Unit of Measure"],
        ["reference", "Reference Unit of Measure for this category"],
        ["smaller", "Smaller than the reference Unit of Measure"],
      ],
      "Type",
      true,
    ),
    factor: { type: "float", string: "Ratio", required: true },
    rounding: { type: "float", string: "Rounding Precision", required: true },
    active,
  },
  defaults: () => ({ uom_type: "reference", factor: 1, rounding: 0.01, active: true }),
  displayName: (row) => text(row, "name"),
};

const stockRoute: ModelSpec = {
  name: "stock.route",
  description: "Inventory Routes",
  className: "Route",
  order: "sequence",
  fields: { name: char("Route", true), sequence: { type: "integer", string: "Sequence" }, active },
  defaults: () => ({ active: true }),
  displayName: (row) => text(row, "name"),
};

const stockLocation: ModelSpec = {
  name: "stock.location",
  description: "Inventory Locations",
  className: "Location",
  order: "complete_name, id",
  fields: {
    name: char("Location Name", true),
    complete_name: char("Full Location Name"),
    usage: selection(
      [
        ["supplier", "Vendor Location"],
        ["view", "View"],
        ["internal", "Internal Location"],
        ["customer", "Customer Location"],
        ["inventory", "Inventory Loss"],
        ["production", "Production"],
        ["transit", "Transit Location"],
      ],
      "Location Type",
      true,
    ),
    company_id: many2one("res.company", "Company"),
    active,
  },
  defaults: () => ({ usage: "internal", active: true }),
  prepareCreate: (_env, values) => {
    if (values.complete_name === false) values.complete_name = values.name ?? false;
  },
  displayName: (row) => text(row, "complete_name") || text(row, "name"),
};

const PICKING_TYPE_CODES: Selection = [
  ["incoming", "Receipt"],
  ["outgoing", "Delivery"],
  ["internal", "Internal Transfer"],
  ["mrp_operation", "Manufacturing"],
];

const stockPickingType: ModelSpec = {
  name: "stock.picking.type",
  description: "Picking Type",
  className: "PickingType",
  order: "sequence, id",
  fields: {
    name: char("Operation Type", true),
    code: selection(PICKING_TYPE_CODES, "Type of Operation", true),
    sequence_code: char("Sequence Prefix", true),
    warehouse_code: char("Warehouse"),
    default_location_src_id: many2one("stock.location", "Default Source Location"),
    default_location_dest_id: many2one("stock.location", "Default Destination Location"),
    sequence: { type: "integer", string: "Sequence" },
    company_id: many2one("res.company", "Company", true),
    active,
  },
  defaults: (env) => ({ active: true, warehouse_code: "WH", company_id: companyOf(env) }),
  // Odoo 17: "<warehouse>: <operation type>"
  displayName: (row, env) => {
    const company = ref(row, "company_id");
    const warehouse = company ? displayName(env, "res.company", company) : "";
    return warehouse ? `${warehouse}: ${text(row, "name")}` : text(row, "name");
  },
};

// ---- product.product ----------------------------------------------------------------------

const productProduct: ModelSpec = {
  name: "product.product",
  description: "Product Variant",
  className: "ProductProduct",
  order: "default_code, name, id",
  fields: {
    name: char("Name", true),
    default_code: char("Internal Reference"),
    barcode: char("Barcode"),
    type: selection(
      [
        ["consu", "Consumable"],
        ["service", "Service"],
        ["product", "Storable Product"],
      ],
      "Product Type",
      true,
    ),
    uom_id: many2one("uom.uom", "Unit of Measure", true),
    route_ids: { type: "many2many", relation: "stock.route", string: "Routes" },
    company_id: many2one("res.company", "Company"),
    active,
  },
  defaults: () => ({ type: "consu", active: true }),
  prepareCreate: (env, values) => {
    // uom_id defaults to "Units" (uom.product_uom_unit) in Odoo.
    if (values.uom_id === false) {
      const units = env.store.rows("uom.uom").find((row) => row.name === "Units");
      if (units) values.uom_id = units.id;
    }
  },
  // product.product._compute_display_name: "[default_code] name"
  displayName: (row) => (text(row, "default_code") ? `[${text(row, "default_code")}] ${text(row, "name")}` : text(row, "name")),
};

const mrpBom: ModelSpec = {
  name: "mrp.bom",
  description: "Bill of Material",
  className: "MrpBom",
  order: "sequence, id",
  fields: {
    code: char("Reference"),
    product_id: many2one("product.product", "Product Variant", false, "restrict"),
    product_qty: { type: "float", string: "Quantity", required: true },
    product_uom_id: many2one("uom.uom", "Unit of Measure", true),
    type: selection(
      [
        ["normal", "Manufacture this product"],
        ["phantom", "Kit"],
      ],
      "BoM Type",
      true,
    ),
    sequence: { type: "integer", string: "Sequence" },
    bom_line_ids: { type: "one2many", relation: "mrp.bom.line", inverse: "bom_id", string: "BoM Lines" },
    company_id: many2one("res.company", "Company"),
    active,
    // mrp_plm (Enterprise): revision number and the revision it replaces
    version: { type: "integer", string: "Version" },
    previous_bom_id: many2one("mrp.bom", "Previous BoM"),
    // custom fields of the PLM integration: date effectivity and the releasing ECO
    x_effective_from: { type: "date", string: "Effective From" },
    x_effective_to: { type: "date", string: "Effective To" },
    x_eco_number: char("ECO"),
  },
  defaults: (env) => ({ product_qty: 1, type: "normal", active: true, version: 1, company_id: companyOf(env) }),
  sqlConstraints: [{ name: "qty_positive", message: "The quantity to produce must be positive!", check: (row) => Number(row.product_qty) > 0 }],
  prepareCreate: (env, values) => {
    const product = typeof values.product_id === "number" ? browse(env, "product.product", values.product_id) : undefined;
    if (values.product_uom_id === false && product) values.product_uom_id = product.uom_id ?? false;
  },
  constrains: (env, row) => checkBomRevision(env, row),
  // mrp.bom._compute_display_name: "<code>: <product>"
  displayName: (row, env) => {
    const product = ref(row, "product_id");
    const name = product ? displayName(env, "product.product", product) : "";
    return text(row, "code") ? `${text(row, "code")}: ${name}` : name;
  },
};

// ---- mrp.production -----------------------------------------------------------------------

const PRODUCTION_STATES: Selection = [
  ["draft", "Draft"],
  ["confirmed", "Confirmed"],
  ["progress", "In Progress"],
  ["to_close", "To Close"],
  ["done", "Done"],
  ["cancel", "Cancelled"],
];

/** mrp.bom._bom_find: the active BOMs of type "manufacture" for the product and company, first first. */
function bomsOf(env: Env, productId: number, companyId: number | false): Row[] {
  return env.store
    .rows("mrp.bom")
    .filter((bom) => bom.active !== false && bom.type === "normal" && bom.product_id === productId)
    .filter((bom) => bom.company_id === false || bom.company_id === companyId)
    .sort((a, b) => Number(a.sequence ?? 0) - Number(b.sequence ?? 0) || a.id - b.id);
}

/** The revision list for messages: "A (2026-01-01 – 2026-11-30), B (2026-12-01 – open)". */
const revisionList = (boms: readonly Row[]) =>
  [...boms]
    .sort((a, b) => text(a, "x_effective_from").localeCompare(text(b, "x_effective_from")))
    .map((bom) => `${text(bom, "code") || bom.id} (${text(bom, "x_effective_from") || "always"} – ${text(bom, "x_effective_to") || "open"})`)
    .join(", ");

/** The product carries the "Manufacture" route (it is made, not bought). */
function isManufactured(env: Env, product: Row): boolean {
  const routes = Array.isArray(product.route_ids) ? product.route_ids : [];
  return env.store.rows("stock.route").some((route) => route.name === "Manufacture" && routes.includes(route.id));
}

const mrpProduction: ModelSpec = {
  name: "mrp.production",
  description: "Production Order",
  className: "MrpProduction",
  order: "priority desc, date_start asc, id",
  fields: {
    name: char("Reference"),
    priority: selection(
      [
        ["0", "Normal"],
        ["1", "Urgent"],
      ],
      "Priority",
    ),
    origin: char("Source"),
    product_id: many2one("product.product", "Product", true),
    product_qty: { type: "float", string: "Quantity To Produce", required: true },
    product_uom_id: many2one("uom.uom", "Product Unit of Measure", true),
    bom_id: many2one("mrp.bom", "Bill of Material"),
    date_start: { type: "datetime", string: "Start", required: true },
    date_finished: { type: "datetime", string: "End" },
    state: selection(PRODUCTION_STATES, "State"),
    user_id: many2one("res.users", "Responsible"),
    company_id: many2one("res.company", "Company", true),
  },
  defaults: (env) => ({
    priority: "0",
    product_qty: 1,
    state: "draft",
    date_start: formatDatetime(env.now()),
    user_id: env.uid,
    company_id: companyOf(env),
  }),
  sqlConstraints: [
    { name: "qty_positive", message: "The quantity to produce must be positive!", check: (row) => Number(row.product_qty) > 0 },
    {
      name: "name_uniq",
      message: "Reference must be unique per Company!",
      check: (row, env) =>
        !env.store.rows("mrp.production").some((other) => other.id !== row.id && other.name === row.name && other.company_id === row.company_id),
    },
  ],
  prepareCreate: (env, values) => {
    // _compute_product_id: the product of the BOM when only the BOM is given.
    if (values.product_id === false && typeof values.bom_id === "number") {
      values.product_id = browse(env, "mrp.bom", values.bom_id).product_id ?? false;
    }
    if (typeof values.product_id !== "number") return; // NOT NULL answers at INSERT
    const product = browse(env, "product.product", values.product_id);
    // _compute_uom_id
    if (values.product_uom_id === false) values.product_uom_id = product.uom_id ?? false;
    const day = typeof values.date_start === "string" ? values.date_start.slice(0, 10) : today(env);
    if (typeof values.bom_id === "number") {
      // PLM integration rule: the order's BOM revision must be effective on its start date.
      const bom = browse(env, "mrp.bom", values.bom_id);
      if (!bomEffectiveOn(bom, day)) {
        throw raise.user(`The Bill of Material ${displayName(env, "mrp.bom", bom.id)} is not effective on ${day} (effective ${revisionList([bom])}).`);
      }
    } else {
      // _compute_bom_id finds the BOM (the revision effective on the start date). Without one, Odoo's
      // manufacture rule (stock.rule._run_manufacture) refuses with this UserError; the emulator
      // applies it to direct creates of manufactured products.
      const boms = bomsOf(env, product.id, typeof values.company_id === "number" ? values.company_id : false);
      const bom = boms.find((candidate) => bomEffectiveOn(candidate, day));
      if (bom) values.bom_id = bom.id;
      else if (boms.length > 0) {
        throw raise.user(
          `No revision of the Bill of Material of ${productProduct.displayName(product, env)} is effective on ${day} (revisions: ${revisionList(boms)}).`,
        );
      } else if (isManufactured(env, product)) {
        throw raise.user(
          `There is no Bill of Material of type manufacture or kit found for the product ${productProduct.displayName(product, env)}. Please define a Bill of Material for this product.`,
        );
      }
    }
    if (values.name === false || values.name === "New" || values.name === "/") {
      values.name = nextReference(env, "mrp.production", "WH/MO/");
    }
  },
  constrains: (env, row, changed) => {
    // The finished move carries the order's unit: stock.move._check_uom.
    if (!changed.has("product_id") && !changed.has("product_uom_id")) return;
    const product = ref(row, "product_id");
    const uom = ref(row, "product_uom_id");
    if (product && uom) checkUomCategory(env, product, uom, text(row, "name"));
  },
  beforeWrite: (env, rows, values) => {
    // MrpProduction.write
    if (!("date_start" in values) || env.context.force_date) return;
    if (rows.some((row) => row.state === "done" || row.state === "cancel")) {
      throw raise.user("You cannot move a manufacturing order once it is cancelled or done.");
    }
  },
  beforeUnlink: (env, rows) => {
    // MrpProduction._unlink_except_done
    if (rows.some((row) => row.state === "done")) throw raise.user("Cannot delete a manufacturing order in done state.");
    const notCancelled = rows.filter((row) => row.state !== "cancel");
    if (notCancelled.length > 0) {
      const names = notCancelled.map((row) => mrpProduction.displayName(row, env)).join(", ");
      throw raise.user(`${names} cannot be deleted. Try to cancel them before.`);
    }
  },
  actions: {
    // Only drafts move to "confirmed"; more advanced orders are left as they are. Returns True.
    action_confirm: (env, ids) => {
      for (const row of ids.map((id) => browse(env, "mrp.production", id))) {
        if (row.state === "draft") env.store.update("mrp.production", row.id, { state: "confirmed" });
      }
      return true;
    },
    // Done orders stay done (their moves are done); everything else is cancelled.
    action_cancel: (env, ids) => {
      for (const row of ids.map((id) => browse(env, "mrp.production", id))) {
        if (row.state !== "done") env.store.update("mrp.production", row.id, { state: "cancel" });
      }
      return true;
    },
  },
  displayName: (row) => text(row, "name"),
};

// ---- stock.picking / stock.move -----------------------------------------------------------

const PICKING_STATES: Selection = [
  ["draft", "Draft"],
  ["waiting", "Waiting Another Operation"],
  ["confirmed", "Waiting"],
  ["assigned", "Ready"],
  ["done", "Done"],
  ["cancel", "Cancelled"],
];

const MOVE_STATES: Selection = [
  ["draft", "New"],
  ["waiting", "Waiting Another Move"],
  ["confirmed", "Waiting Availability"],
  ["partially_available", "Partially Available"],
  ["assigned", "Available"],
  ["done", "Done"],
  ["cancel", "Cancelled"],
];

const CANNOT_CANCEL_DONE_MOVE = "You cannot cancel a stock move that has been set to 'Done'. Create a return in order to reverse the moves which took place.";

/** stock.picking._compute_state from its moves (no availability check: receipts are ready, the rest waits). */
function refreshPickingState(env: Env, pickingId: number): void {
  const moves = one2manyIds(env, "stock.move", "picking_id", pickingId).map((id) => browse(env, "stock.move", id));
  const states = moves.map((move) => move.state);
  let state: string;
  if (moves.length === 0 || states.includes("draft")) state = "draft";
  else if (states.every((s) => s === "cancel")) state = "cancel";
  else if (states.every((s) => s === "done" || s === "cancel")) state = "done";
  else if (states.every((s) => s === "assigned" || s === "done" || s === "cancel")) state = "assigned";
  else state = "confirmed";
  env.store.update("stock.picking", pickingId, { state });
}

const stockPicking: ModelSpec = {
  name: "stock.picking",
  description: "Transfer",
  className: "Picking",
  order: "priority desc, scheduled_date asc, id desc",
  fields: {
    name: char("Reference"),
    origin: char("Source Document"),
    partner_id: many2one("res.partner", "Contact"),
    picking_type_id: many2one("stock.picking.type", "Operation Type", true),
    location_id: many2one("stock.location", "Source Location", true),
    location_dest_id: many2one("stock.location", "Destination Location", true),
    scheduled_date: { type: "datetime", string: "Scheduled Date", required: true },
    date_done: { type: "datetime", string: "Date of Transfer" },
    move_ids: { type: "one2many", relation: "stock.move", inverse: "picking_id", string: "Stock Moves" },
    state: selection(PICKING_STATES, "Status"),
    priority: selection(
      [
        ["0", "Normal"],
        ["1", "Urgent"],
      ],
      "Priority",
    ),
    user_id: many2one("res.users", "Responsible"),
    company_id: many2one("res.company", "Company", true),
    // purchase_stock
    purchase_id: many2one("purchase.order", "Purchase Orders"),
    // custom field of the EDI integration: the supplier's despatch advice number
    x_asn_number: char("ASN"),
  },
  defaults: (env) => ({ state: "draft", priority: "0", scheduled_date: formatDatetime(env.now()), user_id: env.uid, company_id: companyOf(env) }),
  sqlConstraints: [
    {
      name: "name_uniq",
      message: "Reference must be unique per company!",
      check: (row, env) =>
        !env.store.rows("stock.picking").some((other) => other.id !== row.id && other.name === row.name && other.company_id === row.company_id),
    },
    {
      name: "x_asn_number_uniq",
      message: "This vendor's ASN was already received: an ASN number is unique per vendor!",
      check: (row, env) =>
        !row.x_asn_number ||
        !env.store
          .rows("stock.picking")
          .some((other) => other.id !== row.id && other.x_asn_number === row.x_asn_number && other.partner_id === row.partner_id && other.state !== "cancel"),
    },
  ],
  prepareCreate: (env, values) => {
    if (typeof values.picking_type_id !== "number") return;
    const type = browse(env, "stock.picking.type", values.picking_type_id);
    if (values.location_id === false) values.location_id = type.default_location_src_id ?? false;
    if (values.location_dest_id === false) values.location_dest_id = type.default_location_dest_id ?? false;
    if (values.name === false || values.name === "/") {
      const prefix = `${text(type, "warehouse_code") || "WH"}/${text(type, "sequence_code")}/`;
      values.name = nextReference(env, `stock.picking.type.${type.id}`, prefix);
    }
  },
  beforeUnlink: (env, rows) => {
    // Picking.unlink: cancels then deletes its moves (a done move cannot be cancelled).
    for (const picking of rows) {
      const moves = one2manyIds(env, "stock.move", "picking_id", picking.id);
      if (moves.some((id) => browse(env, "stock.move", id).state === "done")) throw raise.user(CANNOT_CANCEL_DONE_MOVE);
      for (const id of moves) env.store.update("stock.move", id, { state: "cancel" });
      if (moves.length > 0) orm.unlink(env, "stock.move", moves);
    }
  },
  actions: {
    // Picking.action_confirm: confirms the draft moves; receipts are immediately "Ready".
    action_confirm: (env, ids) => {
      for (const picking of ids.map((id) => browse(env, "stock.picking", id))) {
        const type = browse(env, "stock.picking.type", ref(picking, "picking_type_id") ?? 0);
        const confirmed = type.code === "incoming" ? "assigned" : "confirmed";
        for (const moveId of one2manyIds(env, "stock.move", "picking_id", picking.id)) {
          if (browse(env, "stock.move", moveId).state === "draft") env.store.update("stock.move", moveId, { state: confirmed });
        }
        refreshPickingState(env, picking.id);
      }
      return true;
    },
    action_cancel: (env, ids) => {
      for (const picking of ids.map((id) => browse(env, "stock.picking", id))) {
        const moves = one2manyIds(env, "stock.move", "picking_id", picking.id).map((id) => browse(env, "stock.move", id));
        if (moves.some((move) => move.state === "done")) throw raise.user(CANNOT_CANCEL_DONE_MOVE);
        for (const move of moves) env.store.update("stock.move", move.id, { state: "cancel" });
        env.store.update("stock.picking", picking.id, { state: "cancel" });
      }
      return true;
    },
  },
  displayName: (row) => text(row, "name"),
};

const stockMove: ModelSpec = {
  name: "stock.move",
  description: "Stock Move",
  className: "StockMove",
  order: "sequence, id",
  fields: {
    name: char("Description", true),
    sequence: { type: "integer", string: "Sequence" },
    product_id: many2one("product.product", "Product", true),
    product_uom_qty: { type: "float", string: "Demand", required: true },
    quantity: { type: "float", string: "Quantity" },
    product_uom: many2one("uom.uom", "UoM", true),
    picking_id: many2one("stock.picking", "Transfer"),
    location_id: many2one("stock.location", "Source Location", true),
    location_dest_id: many2one("stock.location", "Destination Location", true),
    date: { type: "datetime", string: "Date Scheduled", required: true },
    origin: char("Source Document"),
    state: selection(MOVE_STATES, "Status"),
    company_id: many2one("res.company", "Company", true),
    // purchase_stock
    purchase_line_id: many2one("purchase.order.line", "Purchase Order Line"),
    // stock: the lot received (on a receipt's move lines in Odoo; kept on the move here)
    restrict_lot_id: many2one("stock.lot", "Restrict Lot"),
  },
  defaults: (env) => ({ sequence: 10, state: "draft", date: formatDatetime(env.now()), company_id: companyOf(env) }),
  prepareCreate: (env, values) => {
    const picking = typeof values.picking_id === "number" ? browse(env, "stock.picking", values.picking_id) : undefined;
    if (picking) {
      // Moves of a transfer take its locations, date and reference (stock.move computes in 17).
      if (values.location_id === false) values.location_id = picking.location_id ?? false;
      if (values.location_dest_id === false) values.location_dest_id = picking.location_dest_id ?? false;
      if (values.origin === false) values.origin = picking.origin ?? false;
      values.date = picking.scheduled_date ?? values.date ?? false;
    }
    if (typeof values.product_id !== "number") return;
    const product = browse(env, "product.product", values.product_id);
    if (values.product_uom === false) values.product_uom = product.uom_id ?? false;
    if (values.name === false) values.name = productProduct.displayName(product, env);
  },
  constrains: (env, row, changed) => {
    // stock_lock_lot (OCA): a blocked lot cannot leave stock (receipts into stock are allowed).
    const lot = ref(row, "restrict_lot_id");
    if (lot && (changed.has("restrict_lot_id") || changed.has("state")) && row.state !== "cancel") {
      const source = browse(env, "stock.location", ref(row, "location_id") ?? 0);
      if (browse(env, "stock.lot", lot).locked === true && source.usage === "internal") {
        throw raise.validation(`The following lots/serial number is blocked and cannot be moved:\n${displayName(env, "stock.lot", lot)}`);
      }
    }
    if (!changed.has("product_uom") && !changed.has("product_id")) return;
    const product = ref(row, "product_id");
    const uom = ref(row, "product_uom");
    if (product && uom) checkUomCategory(env, product, uom, text(row, "name"));
  },
  beforeUnlink: (_env, rows) => {
    // StockMove._unlink_if_draft_or_cancel
    if (rows.some((row) => row.state === "done")) throw raise.user("You can only delete draft or cancelled moves.");
  },
  displayName: (row, env) => {
    const picking = ref(row, "picking_id");
    const product = ref(row, "product_id");
    const productName = product ? displayName(env, "product.product", product) : "";
    return picking ? `${displayName(env, "stock.picking", picking)} - ${productName}` : productName;
  },
};

// ---- maintenance --------------------------------------------------------------------------

const maintenanceStage: ModelSpec = {
  name: "maintenance.stage",
  description: "Maintenance Stage",
  className: "MaintenanceStage",
  order: "sequence, id",
  fields: {
    name: char("Name", true),
    sequence: { type: "integer", string: "Sequence" },
    fold: { type: "boolean", string: "Folded in Maintenance Pipe" },
    done: { type: "boolean", string: "Request Done" },
  },
  displayName: (row) => text(row, "name"),
};

const maintenanceEquipment: ModelSpec = {
  name: "maintenance.equipment",
  description: "Maintenance Equipment",
  className: "MaintenanceEquipment",
  order: "name, id",
  fields: {
    name: char("Equipment Name", true),
    serial_no: char("Serial Number"),
    location: char("Location"),
    company_id: many2one("res.company", "Company"),
    active,
  },
  defaults: (env) => ({ active: true, company_id: companyOf(env) }),
  // MaintenanceEquipment._compute_display_name: "name/serial"
  displayName: (row) => (text(row, "serial_no") ? `${text(row, "name")}/${text(row, "serial_no")}` : text(row, "name")),
};

const maintenanceRequest: ModelSpec = {
  name: "maintenance.request",
  description: "Maintenance Request",
  className: "MaintenanceRequest",
  order: "id desc",
  fields: {
    name: char("Subjects", true),
    description: { type: "html", string: "Description" },
    request_date: { type: "date", string: "Request Date" },
    equipment_id: many2one("maintenance.equipment", "Equipment"),
    user_id: many2one("res.users", "Technician"),
    stage_id: many2one("maintenance.stage", "Stage"),
    priority: selection(
      [
        ["0", "Very Low"],
        ["1", "Low"],
        ["2", "Normal"],
        ["3", "High"],
      ],
      "Priority",
    ),
    kanban_state: selection(
      [
        ["normal", "In Progress"],
        ["blocked", "Blocked"],
        ["done", "Ready for next stage"],
      ],
      "Kanban State",
      true,
    ),
    close_date: { type: "date", string: "Close Date" },
    maintenance_type: selection(
      [
        ["corrective", "Corrective"],
        ["preventive", "Preventive"],
      ],
      "Maintenance Type",
    ),
    schedule_date: { type: "datetime", string: "Scheduled Date" },
    duration: { type: "float", string: "Duration" },
    company_id: many2one("res.company", "Company", true),
    archive: { type: "boolean", string: "Archive" },
    // custom field of the CMMS integration: the CMMS work order number
    x_cmms_work_order: char("CMMS Work Order"),
  },
  sqlConstraints: [
    {
      name: "x_cmms_work_order_uniq",
      message: "A CMMS work order can only be linked to one maintenance request!",
      check: (row, env) =>
        !row.x_cmms_work_order ||
        !env.store.rows("maintenance.request").some((other) => other.id !== row.id && other.x_cmms_work_order === row.x_cmms_work_order),
    },
  ],
  defaults: (env) => ({
    request_date: today(env),
    // _default_stage: the first stage by sequence
    stage_id: env.store.rows("maintenance.stage").sort((a, b) => Number(a.sequence) - Number(b.sequence) || a.id - b.id)[0]?.id ?? false,
    kanban_state: "normal",
    maintenance_type: "corrective",
    company_id: companyOf(env),
  }),
  afterWrite: (env, rows, values) => {
    // MaintenanceRequest.write: a stage change resets the kanban state; a "done" stage sets close_date.
    if (!("stage_id" in values)) return;
    const stage = typeof values.stage_id === "number" ? browse(env, "maintenance.stage", values.stage_id) : undefined;
    for (const row of rows) {
      const patch: Values = {};
      if (!("kanban_state" in values)) patch.kanban_state = "normal";
      if (stage?.done) patch.close_date = today(env);
      env.store.update("maintenance.request", row.id, patch);
    }
  },
  displayName: (row) => text(row, "name"),
};

export function createRegistry(): Registry {
  const models = [
    resCompany,
    resUsers,
    resPartner,
    uomCategory,
    uomUom,
    stockRoute,
    stockLocation,
    stockPickingType,
    productProduct,
    mrpBom,
    mrpProduction,
    stockPicking,
    stockMove,
    maintenanceStage,
    maintenanceEquipment,
    maintenanceRequest,
    ...CATALOG_MODELS,
  ];
  return new Map(models.map((model) => [model.name, model]));
}
