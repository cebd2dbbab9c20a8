/**
 * Models the interface catalog needs beyond the core ones (models.ts), after Odoo 17–19 Community
 * and Enterprise:
 *
 * - `mrp.bom.line` and the revision/effectivity rules of `mrp.bom` (PLM: `version`,
 *   `previous_bom_id`; date effectivity in custom fields `x_effective_from` / `x_effective_to`, as
 *   Odoo has no date effectivity on BOMs — its PLM applies ECOs by activating the new revision).
 * - `stock.lot` with `locked` ("Blocked", as OCA's stock_lock_lot adds it: Odoo has no lot block),
 *   `quality.alert.stage`, `quality.alert` and `quality.check` (Enterprise quality_control). An open
 *   quality alert on a lot locks the lot (the QMS integration's rule, documented in the README).
 * - `account.move` / `account.move.line` (vendor bills) with the company lock dates.
 * - `purchase.order` / `purchase.order.line` (purchase), referenced by incoming receipts.
 * - `mrp.production.schedule` / `mrp.product.forecast` (Enterprise mrp_mps) with the forecast
 *   version of the planning system in `x_forecast_version` / `x_forecast_released_at`.
 */
import { raise } from "./exceptions";
import type { Row, Selection } from "./fields";
import { formatDatetime } from "./fields";
import type { Env, ModelSpec, Values } from "./model";
import { browse, displayName, one2manyIds } from "./records";
import { char, companyOf, many2one, ref, selection, text, today } from "./spec-helpers";

const date = (string: string, required = false) => ({ type: "date" as const, string, required });
const float = (string: string, required = false) => ({ type: "float" as const, string, required });
const productName = (env: Env, id: number | undefined) => (id ? displayName(env, "product.product", id) : "");

/** `format_date` in en_US: 10/31/2026. */
const usDate = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;

// ---- mrp.bom revisions ------------------------------------------------------------------------

/** A BOM revision's effectivity as text: "2026-12-01 – open". */
const effectivity = (bom: Row) => `${text(bom, "x_effective_from") || "always"} – ${text(bom, "x_effective_to") || "open"}`;

/** The BOM is valid on `day` (YYYY-MM-DD): no dates means always. */
export function bomEffectiveOn(bom: Row, day: string): boolean {
  const from = text(bom, "x_effective_from");
  const to = text(bom, "x_effective_to");
  return (!from || from <= day) && (!to || day <= to);
}

const overlaps = (a: Row, b: Row) => {
  const aFrom = text(a, "x_effective_from") || "0000-00-00";
  const aTo = text(a, "x_effective_to") || "9999-99-99";
  const bFrom = text(b, "x_effective_from") || "0000-00-00";
  const bTo = text(b, "x_effective_to") || "9999-99-99";
  return aFrom <= bTo && bFrom <= aTo;
};

/**
 * `@api.constrains` of mrp.bom: `_check_bom_lines` (a component cannot be the product itself) and
 * the revision rules of the PLM integration: the effectivity ends after it starts, and two active
 * revisions of one product never overlap.
 */
export function checkBomRevision(env: Env, bom: Row): void {
  const product = ref(bom, "product_id");
  for (const lineId of one2manyIds(env, "mrp.bom.line", "bom_id", bom.id)) {
    const line = browse(env, "mrp.bom.line", lineId);
    if (product && ref(line, "product_id") === product) {
      throw raise.validation(`BoM line product ${displayName(env, "mrp.bom", bom.id)} should not be the same as BoM product.`);
    }
  }
  const from = text(bom, "x_effective_from");
  const to = text(bom, "x_effective_to");
  if (from && to && to < from) throw raise.validation(`The effectivity of ${displayName(env, "mrp.bom", bom.id)} ends (${to}) before it starts (${from}).`);
  if (!product || bom.active === false) return;
  for (const other of env.store.rows("mrp.bom")) {
    if (other.id === bom.id || other.active === false || ref(other, "product_id") !== product) continue;
    if (text(other, "code") && text(other, "code") === text(bom, "code")) {
      throw raise.validation(`Revision ${text(bom, "code")} of ${productName(env, product)} already exists (${displayName(env, "mrp.bom", other.id)}).`);
    }
    if (overlaps(bom, other)) {
      throw raise.validation(
        `Revision ${text(bom, "code") || bom.id} of ${productName(env, product)} (${effectivity(bom)}) overlaps revision ${text(other, "code") || other.id} (${effectivity(other)}).`,
      );
    }
  }
}

const mrpBomLine: ModelSpec = {
  name: "mrp.bom.line",
  description: "Bill of Material Line",
  className: "MrpBomLine",
  order: "sequence, id",
  fields: {
    bom_id: many2one("mrp.bom", "Parent BoM", true, "cascade"),
    product_id: many2one("product.product", "Component", true),
    product_qty: float("Quantity", true),
    product_uom_id: many2one("uom.uom", "Product Unit of Measure", true),
    sequence: { type: "integer", string: "Sequence" },
    company_id: many2one("res.company", "Company"),
  },
  defaults: () => ({ product_qty: 1, sequence: 1 }),
  sqlConstraints: [
    {
      name: "bom_qty_zero",
      message:
        "All product quantities must be greater or equal to 0.\nLines with 0 quantities can be used as optional lines. \nYou should install the mrp_byproduct module if you want to manage extra products on BoMs!",
      check: (row) => Number(row.product_qty) >= 0,
    },
  ],
  prepareCreate: (env, values) => {
    // _compute_product_uom_id: the component's unit.
    if (values.product_uom_id === false && typeof values.product_id === "number")
      values.product_uom_id = browse(env, "product.product", values.product_id).uom_id ?? false;
    if (values.company_id === false && typeof values.bom_id === "number") values.company_id = browse(env, "mrp.bom", values.bom_id).company_id ?? false;
  },
  constrains: (env, row) => {
    const bom = ref(row, "bom_id");
    if (bom) checkBomRevision(env, browse(env, "mrp.bom", bom));
  },
  displayName: (row, env) => productName(env, ref(row, "product_id")),
};

// ---- stock.lot and quality ----------------------------------------------------------------------

const stockLot: ModelSpec = {
  name: "stock.lot",
  description: "Lot/Serial",
  className: "StockLot",
  order: "name, id",
  fields: {
    name: char("Lot/Serial Number", true),
    ref: char("Internal Reference"),
    product_id: many2one("product.product", "Product", true, "restrict"),
    company_id: many2one("res.company", "Company"),
    note: { type: "html", string: "Description" },
    expiration_date: { type: "datetime", string: "Expiration Date" },
    locked: { type: "boolean", string: "Blocked" },
  },
  defaults: (env) => ({ company_id: companyOf(env), locked: false }),
  constrains: (env, row, changed) => {
    // StockLot._check_unique_lot (Odoo 17+)
    if (!changed.has("name") && !changed.has("product_id") && !changed.has("company_id")) return;
    const duplicate = env.store
      .rows("stock.lot")
      .some((other) => other.id !== row.id && other.name === row.name && other.product_id === row.product_id && other.company_id === row.company_id);
    if (duplicate) {
      throw raise.validation(
        "The combination of lot/serial number and product must be unique within a company including when no company is defined.\n" +
          `The following combinations contain duplicates:\n - Product: ${productName(env, ref(row, "product_id"))}, Lot/Serial Number: ${text(row, "name")}`,
      );
    }
  },
  displayName: (row) => text(row, "name"),
};

const qualityAlertStage: ModelSpec = {
  name: "quality.alert.stage",
  description: "Quality Alert Stage",
  className: "QualityAlertStage",
  order: "sequence, id",
  fields: {
    name: char("Name", true),
    sequence: { type: "integer", string: "Sequence" },
    folded: { type: "boolean", string: "Folded" },
    done: { type: "boolean", string: "Alert Processed" },
  },
  displayName: (row) => text(row, "name"),
};

/** The lot is locked while an alert on it is in a stage that is not "done". */
function refreshLotLock(env: Env, lotIds: Iterable<number>): void {
  for (const lotId of new Set(lotIds)) {
    if (!env.store.get("stock.lot", lotId)) continue;
    const open = env.store.rows("quality.alert").some((alert) => alert.lot_id === lotId && !stageDone(env, ref(alert, "stage_id")));
    env.store.update("stock.lot", lotId, { locked: open });
  }
}
const stageDone = (env: Env, stageId: number | undefined) => (stageId ? env.store.get("quality.alert.stage", stageId)?.done === true : false);

const qualityAlert: ModelSpec = {
  name: "quality.alert",
  description: "Quality Alert",
  className: "QualityAlert",
  order: "priority desc, id desc",
  fields: {
    name: char("Name"),
    title: char("Title"),
    description: { type: "html", string: "Description" },
    product_id: many2one("product.product", "Product Variant"),
    lot_id: many2one("stock.lot", "Lot"),
    stage_id: many2one("quality.alert.stage", "Stage"),
    priority: selection(
      [
        ["0", "Normal"],
        ["1", "Low"],
        ["2", "High"],
        ["3", "Very High"],
      ],
      "Priority",
    ),
    date_assign: { type: "datetime", string: "Date Assigned" },
    date_close: { type: "datetime", string: "Date Closed" },
    x_hold_number: char("QMS Hold"),
    company_id: many2one("res.company", "Company", true),
  },
  defaults: (env) => ({
    name: "New",
    priority: "0",
    company_id: companyOf(env),
    date_assign: formatDatetime(env.now()),
    stage_id: env.store.rows("quality.alert.stage").sort((a, b) => Number(a.sequence) - Number(b.sequence) || a.id - b.id)[0]?.id ?? false,
  }),
  prepareCreate: (env, values) => {
    if (values.name === false || values.name === "New") values.name = `QA${String(env.store.nextSequence("quality.alert")).padStart(5, "0")}`;
    if (values.product_id === false && typeof values.lot_id === "number") values.product_id = browse(env, "stock.lot", values.lot_id).product_id ?? false;
  },
  constrains: (env, row, changed) => {
    const lot = ref(row, "lot_id");
    const product = ref(row, "product_id");
    if (lot && product && browse(env, "stock.lot", lot).product_id !== product) {
      throw raise.validation(`The lot ${displayName(env, "stock.lot", lot)} is not a lot of ${productName(env, product)}.`);
    }
    if (changed.has("stage_id") || changed.has("lot_id")) refreshLotLock(env, lot ? [lot] : []);
  },
  beforeWrite: (env, rows, values) => {
    // A lot that leaves the alert must be re-evaluated too.
    if ("lot_id" in values)
      refreshAfter.set(
        env,
        rows.flatMap((row) => (ref(row, "lot_id") ? [ref(row, "lot_id") as number] : [])),
      );
  },
  afterWrite: (env, rows, values) => {
    if ("stage_id" in values) {
      const done = stageDone(env, typeof values.stage_id === "number" ? values.stage_id : undefined);
      for (const row of rows) env.store.update("quality.alert", row.id, { date_close: done ? formatDatetime(env.now()) : false });
    }
    refreshLotLock(env, refreshAfter.take(env));
  },
  beforeUnlink: (env, rows) =>
    refreshAfter.set(
      env,
      rows.flatMap((row) => (ref(row, "lot_id") ? [ref(row, "lot_id") as number] : [])),
    ),
  displayName: (row) => text(row, "name"),
};

/** Lots to re-evaluate after a write/unlink of alerts (per call environment). */
const refreshAfter = (() => {
  const pending = new WeakMap<Env, number[]>();
  return {
    set: (env: Env, ids: number[]) => pending.set(env, [...(pending.get(env) ?? []), ...ids]),
    take: (env: Env) => {
      const ids = pending.get(env) ?? [];
      pending.delete(env);
      return ids;
    },
  };
})();

const qualityCheck: ModelSpec = {
  name: "quality.check",
  description: "Quality Check",
  className: "QualityCheck",
  order: "id desc",
  fields: {
    name: char("Reference"),
    product_id: many2one("product.product", "Product"),
    lot_id: many2one("stock.lot", "Lot/Serial"),
    quality_state: selection(
      [
        ["none", "To do"],
        ["pass", "Passed"],
        ["fail", "Failed"],
      ],
      "Status",
    ),
    measure: float("Measure"),
    norm_unit: char("Norm Unit"),
    note: { type: "html", string: "Note" },
    control_date: { type: "datetime", string: "Control Date" },
    user_id: many2one("res.users", "Responsible"),
    x_inspection_lot: char("Inspection Lot"),
    x_characteristic: char("Characteristic"),
    company_id: many2one("res.company", "Company", true),
  },
  defaults: (env) => ({ quality_state: "none", company_id: companyOf(env) }),
  prepareCreate: (env, values) => {
    if (values.name === false) values.name = `QC${String(env.store.nextSequence("quality.check")).padStart(5, "0")}`;
  },
  actions: {
    // QualityCheck.do_pass / do_fail: record the decision.
    do_pass: (env, ids) => decide(env, ids, "pass"),
    do_fail: (env, ids) => decide(env, ids, "fail"),
  },
  displayName: (row) => text(row, "name"),
};

function decide(env: Env, ids: readonly number[], state: "pass" | "fail"): true {
  for (const row of ids.map((id) => browse(env, "quality.check", id))) {
    env.store.update("quality.check", row.id, { quality_state: state, control_date: formatDatetime(env.now()), user_id: env.uid });
  }
  return true;
}

// ---- purchase.order -----------------------------------------------------------------------------

const purchaseOrder: ModelSpec = {
  name: "purchase.order",
  description: "Purchase Order",
  className: "PurchaseOrder",
  order: "priority desc, id desc",
  fields: {
    name: char("Order Reference", true),
    partner_ref: char("Vendor Reference"),
    partner_id: many2one("res.partner", "Vendor", true),
    date_order: { type: "datetime", string: "Order Deadline", required: true },
    priority: selection(
      [
        ["0", "Normal"],
        ["1", "Urgent"],
      ],
      "Priority",
    ),
    state: selection(
      [
        ["draft", "RFQ"],
        ["sent", "RFQ Sent"],
        ["to approve", "To Approve"],
        ["purchase", "Purchase Order"],
        ["done", "Locked"],
        ["cancel", "Cancelled"],
      ],
      "Status",
    ),
    order_line: { type: "one2many", relation: "purchase.order.line", inverse: "order_id", string: "Order Lines" },
    company_id: many2one("res.company", "Company", true),
  },
  defaults: (env) => ({ name: "New", priority: "0", state: "draft", date_order: formatDatetime(env.now()), company_id: companyOf(env) }),
  prepareCreate: (env, values) => {
    if (values.name === "New") values.name = `P${String(env.store.nextSequence("purchase.order", 100)).padStart(5, "0")}`;
  },
  displayName: (row) => text(row, "name"),
};

const purchaseOrderLine: ModelSpec = {
  name: "purchase.order.line",
  description: "Purchase Order Line",
  className: "PurchaseOrderLine",
  order: "order_id, sequence, id",
  fields: {
    order_id: many2one("purchase.order", "Order Reference", true, "cascade"),
    sequence: { type: "integer", string: "Sequence" },
    name: { type: "text", string: "Description", required: true },
    product_id: many2one("product.product", "Product"),
    product_qty: float("Quantity", true),
    product_uom: many2one("uom.uom", "Unit of Measure"),
    qty_received: float("Received Qty"),
    price_unit: float("Unit Price", true),
    date_planned: { type: "datetime", string: "Expected Arrival" },
  },
  defaults: () => ({ sequence: 10, product_qty: 1 }),
  prepareCreate: (env, values) => {
    if (typeof values.product_id !== "number") return;
    const product = browse(env, "product.product", values.product_id);
    if (values.product_uom === false) values.product_uom = product.uom_id ?? false;
    if (values.name === false) values.name = productName(env, product.id);
  },
  displayName: (row, env) => `${displayName(env, "purchase.order", ref(row, "order_id") ?? 0)}: ${productName(env, ref(row, "product_id"))}`,
};

// ---- account.move (vendor bills) ----------------------------------------------------------------

const MOVE_TYPES: Selection = [
  ["entry", "Journal Entry"],
  ["out_invoice", "Customer Invoice"],
  ["out_refund", "Customer Credit Note"],
  ["in_invoice", "Vendor Bill"],
  ["in_refund", "Vendor Credit Note"],
  ["out_receipt", "Sales Receipt"],
  ["in_receipt", "Purchase Receipt"],
];
const PURCHASE_TYPES = new Set(["in_invoice", "in_refund", "in_receipt"]);
const INVOICE_TYPES = new Set(["out_invoice", "out_refund", "in_invoice", "in_refund", "out_receipt", "in_receipt"]);
const SEQUENCE_PREFIX: Readonly<Record<string, string>> = {
  in_invoice: "BILL",
  in_refund: "RBILL",
  out_invoice: "INV",
  out_refund: "RINV",
  entry: "MISC",
  in_receipt: "BILL",
  out_receipt: "INV",
};

/**
 * The lock date that applies to a move (Odoo 18+: the fiscal year lock, the purchase lock for
 * purchase documents, the hard lock), or undefined.
 */
function lockDateFor(env: Env, move: Row): string | undefined {
  const company = env.store.get("res.company", ref(move, "company_id") ?? 0);
  if (!company) return undefined;
  const dates = [text(company, "fiscalyear_lock_date"), text(company, "hard_lock_date")];
  if (PURCHASE_TYPES.has(text(move, "move_type"))) dates.push(text(company, "purchase_lock_date"));
  const latest = dates.filter(Boolean).sort().at(-1);
  return latest || undefined;
}

/** `_check_fiscal_lock_dates`: no change to an entry dated in a locked period. */
function checkLockDate(env: Env, move: Row): void {
  const lock = lockDateFor(env, move);
  const moveDate = text(move, "date");
  if (lock && moveDate && moveDate <= lock) {
    throw raise.user(`You cannot add/modify entries prior to and inclusive of the lock date ${usDate(lock)}.`);
  }
}

const dayAfter = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

function refreshTotals(env: Env, moveId: number): void {
  const lines = one2manyIds(env, "account.move.line", "move_id", moveId).map((id) => browse(env, "account.move.line", id));
  const total = lines.reduce((sum, line) => sum + Number(line.price_subtotal ?? 0), 0);
  env.store.update("account.move", moveId, { amount_untaxed: Math.round(total * 100) / 100, amount_total: Math.round(total * 100) / 100 });
}

const accountMove: ModelSpec = {
  name: "account.move",
  description: "Journal Entry",
  className: "AccountMove",
  order: "date desc, name desc, invoice_date desc, id desc",
  fields: {
    name: char("Number"),
    ref: char("Reference"),
    move_type: selection(MOVE_TYPES, "Type", true),
    state: selection(
      [
        ["draft", "Draft"],
        ["posted", "Posted"],
        ["cancel", "Cancelled"],
      ],
      "Status",
      true,
    ),
    partner_id: many2one("res.partner", "Partner"),
    invoice_date: date("Invoice/Bill Date"),
    invoice_date_due: date("Due Date"),
    date: date("Date", true),
    invoice_origin: char("Origin"),
    payment_reference: char("Payment Reference"),
    invoice_line_ids: { type: "one2many", relation: "account.move.line", inverse: "move_id", string: "Invoice lines" },
    amount_untaxed: float("Untaxed Amount"),
    amount_total: float("Total"),
    company_id: many2one("res.company", "Company", true),
  },
  defaults: (env) => ({ name: "/", move_type: "entry", state: "draft", date: today(env), company_id: companyOf(env) }),
  prepareCreate: (_env, values) => {
    // _compute_date: an invoice is accounted on its invoice date.
    if (typeof values.invoice_date === "string" && INVOICE_TYPES.has(String(values.move_type))) values.date = values.invoice_date;
    if (values.state === "posted") throw raise.user("You cannot create a move already in the posted state. Please create a draft move and post it after.");
  },
  beforeWrite: (env, rows, values) => {
    const touchesAccounting = ["date", "invoice_date", "partner_id", "move_type", "company_id"].some((field) => field in values);
    for (const row of rows) if (row.state === "posted" && touchesAccounting) checkLockDate(env, row);
    if (typeof values.invoice_date === "string" && !("date" in values)) values.date = values.invoice_date;
  },
  beforeUnlink: (_env, rows) => {
    // AccountMove._unlink_forbid_parts_of_chain / ondelete: only drafts without a number go.
    if (rows.some((row) => row.state === "posted")) throw raise.user("You cannot delete an entry which has been posted once.");
  },
  actions: {
    /**
     * AccountMove.action_post → _post: checks, then the accounting date: an entry dated in a locked
     * period is accounted on the first day after the lock date (Odoo 16+), then numbered.
     */
    action_post: (env, ids) => {
      for (const move of ids.map((id) => browse(env, "account.move", id))) {
        if (move.state === "posted") throw raise.user(`The entry ${text(move, "name")} (id ${move.id}) is already posted.`);
        const lines = one2manyIds(env, "account.move.line", "move_id", move.id);
        if (lines.length === 0) throw raise.user("You need to add a line before posting.");
        const purchase = PURCHASE_TYPES.has(text(move, "move_type"));
        if (INVOICE_TYPES.has(text(move, "move_type")) && !move.partner_id) {
          throw raise.user(
            `The field '${purchase ? "Vendor" : "Customer"}' is required, please complete it to validate the ${MOVE_TYPES.find(([key]) => key === move.move_type)?.[1]}.`,
          );
        }
        if (purchase && !move.invoice_date) throw raise.user("The Bill/Refund date is required to validate this document.");
        let accountingDate = text(move, "date");
        const lock = lockDateFor(env, move);
        if (lock && accountingDate <= lock) accountingDate = dayAfter(lock);
        const prefix = SEQUENCE_PREFIX[text(move, "move_type")] ?? "MISC";
        const period = `${accountingDate.slice(0, 4)}/${accountingDate.slice(5, 7)}`;
        const name =
          text(move, "name") && text(move, "name") !== "/"
            ? text(move, "name")
            : `${prefix}/${period}/${String(env.store.nextSequence(`account.move.${prefix}.${period}`)).padStart(4, "0")}`;
        env.store.update("account.move", move.id, { state: "posted", date: accountingDate, name });
      }
      return true;
    },
    /** button_draft: back to draft, refused in a locked period. */
    button_draft: (env, ids) => {
      for (const move of ids.map((id) => browse(env, "account.move", id))) {
        if (move.state === "posted") checkLockDate(env, move);
        env.store.update("account.move", move.id, { state: "draft" });
      }
      return true;
    },
    button_cancel: (env, ids) => {
      for (const move of ids.map((id) => browse(env, "account.move", id))) {
        if (move.state === "posted") throw raise.user("Only draft journal entries can be cancelled.");
        env.store.update("account.move", move.id, { state: "cancel" });
      }
      return true;
    },
  },
  displayName: (row) =>
    text(row, "name") && text(row, "name") !== "/"
      ? text(row, "name")
      : `Draft ${MOVE_TYPES.find(([key]) => key === row.move_type)?.[1] ?? "Entry"} (* ${row.id})`,
};

const accountMoveLine: ModelSpec = {
  name: "account.move.line",
  description: "Journal Item",
  className: "AccountMoveLine",
  order: "date desc, move_name desc, id",
  fields: {
    move_id: many2one("account.move", "Journal Entry", true, "cascade"),
    move_name: char("Number"),
    date: date("Date"),
    product_id: many2one("product.product", "Product"),
    name: char("Label"),
    quantity: float("Quantity"),
    product_uom_id: many2one("uom.uom", "Unit of Measure"),
    price_unit: float("Unit Price"),
    price_subtotal: float("Subtotal"),
    purchase_line_id: many2one("purchase.order.line", "Purchase Order Line"),
  },
  defaults: () => ({ quantity: 1 }),
  prepareCreate: (env, values) => {
    const move = typeof values.move_id === "number" ? browse(env, "account.move", values.move_id) : undefined;
    if (move?.state === "posted") checkLockDate(env, move);
    if (typeof values.product_id === "number") {
      const product = browse(env, "product.product", values.product_id);
      if (values.name === false) values.name = productName(env, product.id);
      if (values.product_uom_id === false) values.product_uom_id = product.uom_id ?? false;
    }
    values.price_subtotal = Math.round(Number(values.quantity ?? 0) * Number(values.price_unit ?? 0) * 100) / 100;
  },
  constrains: (env, row) => {
    const move = ref(row, "move_id");
    if (move) refreshTotals(env, move);
  },
  afterWrite: (env, rows, values) => {
    if (!("quantity" in values) && !("price_unit" in values)) return;
    for (const row of rows) {
      const move = browse(env, "account.move", ref(row, "move_id") ?? 0);
      if (move.state === "posted") checkLockDate(env, move);
      env.store.update("account.move.line", row.id, { price_subtotal: Math.round(Number(row.quantity) * Number(row.price_unit) * 100) / 100 });
      refreshTotals(env, move.id);
    }
  },
  displayName: (row) => text(row, "name"),
};

// ---- Master production schedule (mrp_mps) -------------------------------------------------------

/** The planning add-on's rule: a forecast version is never replaced by an older one. */
function checkForecastVersion(env: Env, schedule: Row, values: Values): void {
  if (!("x_forecast_version" in values) && !("x_forecast_released_at" in values)) return;
  const currentAt = text(schedule, "x_forecast_released_at");
  const currentVersion = text(schedule, "x_forecast_version");
  const incomingAt = typeof values.x_forecast_released_at === "string" ? values.x_forecast_released_at : currentAt;
  const incomingVersion = typeof values.x_forecast_version === "string" ? values.x_forecast_version : currentVersion;
  if (!currentVersion || incomingVersion === currentVersion) return;
  if (incomingAt <= currentAt) {
    throw raise.user(
      `Forecast version ${incomingVersion} (released ${incomingAt || "?"}) is superseded by version ${currentVersion} (released ${currentAt}) for ${productName(env, ref(schedule, "product_id"))}.`,
    );
  }
}

const mrpProductionSchedule: ModelSpec = {
  name: "mrp.production.schedule",
  description: "Schedule the production of Product in a warehouse",
  className: "MrpProductionSchedule",
  order: "sequence, id",
  fields: {
    product_id: many2one("product.product", "Product", true),
    product_uom_id: many2one("uom.uom", "Product UoM"),
    sequence: { type: "integer", string: "Sequence" },
    forecast_ids: { type: "one2many", relation: "mrp.product.forecast", inverse: "production_schedule_id", string: "Forecasted quantity at date" },
    forecast_target_qty: float("Safety Stock Target"),
    min_to_replenish_qty: float("Minimum to Replenish"),
    max_to_replenish_qty: float("Maximum to Replenish"),
    x_forecast_version: char("Forecast Version"),
    x_forecast_released_at: { type: "datetime", string: "Forecast Released At" },
    company_id: many2one("res.company", "Company", true),
  },
  defaults: (env) => ({ sequence: 10, max_to_replenish_qty: 1000, company_id: companyOf(env) }),
  sqlConstraints: [
    {
      name: "warehouse_product_ref_uniq",
      message: "The combination of warehouse and product must be unique!",
      check: (row, env) =>
        !env.store
          .rows("mrp.production.schedule")
          .some((other) => other.id !== row.id && other.product_id === row.product_id && other.company_id === row.company_id),
    },
  ],
  prepareCreate: (env, values) => {
    if (values.product_uom_id === false && typeof values.product_id === "number")
      values.product_uom_id = browse(env, "product.product", values.product_id).uom_id ?? false;
  },
  beforeWrite: (env, rows, values) => {
    for (const row of rows) checkForecastVersion(env, row, values);
  },
  displayName: (row, env) => productName(env, ref(row, "product_id")),
};

const mrpProductForecast: ModelSpec = {
  name: "mrp.product.forecast",
  description: "Product Forecast at Date",
  className: "MrpProductForecast",
  order: "date, id",
  fields: {
    production_schedule_id: many2one("mrp.production.schedule", "Production Schedule", true, "cascade"),
    date: date("Date", true),
    forecast_qty: float("Demand Forecast"),
    replenish_qty: float("To Replenish"),
    replenish_qty_updated: { type: "boolean", string: "Replenish_qty has been manually updated" },
    procurement_launched: { type: "boolean", string: "Procurement has been run for this forecast" },
  },
  constrains: (env, row, changed) => {
    if (!changed.has("date") && !changed.has("production_schedule_id")) return;
    const duplicate = env.store
      .rows("mrp.product.forecast")
      .some((other) => other.id !== row.id && other.production_schedule_id === row.production_schedule_id && other.date === row.date);
    if (duplicate)
      throw raise.validation(
        `There is already a forecast on ${text(row, "date")} for ${displayName(env, "mrp.production.schedule", ref(row, "production_schedule_id") ?? 0)}.`,
      );
  },
  displayName: (row) => text(row, "date"),
};

export const CATALOG_MODELS: readonly ModelSpec[] = [
  mrpBomLine,
  stockLot,
  qualityAlertStage,
  qualityAlert,
  qualityCheck,
  purchaseOrder,
  purchaseOrderLine,
  accountMove,
  accountMoveLine,
  mrpProductionSchedule,
  mrpProductForecast,
];
