/** Field constructors and record helpers shared by the model definitions. */
import { raise } from "./exceptions";
import type { FieldSpec, Row, Selection } from "./fields";
import { formatDatetime } from "./fields";
import type { Env } from "./model";
import { browse, displayName } from "./records";

export const char = (string: string, required = false): FieldSpec => ({ type: "char", string, required });
export const many2one = (relation: string, string: string, required = false, ondelete?: "set null" | "restrict" | "cascade"): FieldSpec => ({
  type: "many2one",
  relation,
  string,
  required,
  ...(ondelete ? { ondelete } : {}),
});
export const selection = (selection: Selection, string: string, required = false): FieldSpec => ({ type: "selection", selection, string, required });
export const active: FieldSpec = { type: "boolean", string: "Active" };

export const text = (row: Row, name: string): string => (typeof row[name] === "string" ? (row[name] as string) : "");
export const ref = (row: Row, name: string): number | undefined => (typeof row[name] === "number" ? (row[name] as number) : undefined);
export const today = (env: Env) => formatDatetime(env.now()).slice(0, 10);
/** `env.company`: the user's main company. */
export const companyOf = (env: Env): number | false => {
  const company = env.store.get("res.users", env.uid)?.company_id;
  return typeof company === "number" ? company : false;
};

/** `ir.sequence` with Odoo's default padding of 5: `WH/MO/00454`. */
export function nextReference(env: Env, code: string, prefix: string): string {
  return `${prefix}${String(env.store.nextSequence(code)).padStart(5, "0")}`;
}

/**
 * `stock.move._check_uom` (Odoo 15–17): a move in a unit of another category than the product's.
 * Manufacturing orders reach it through their finished move, named like the order.
 */
export function checkUomCategory(env: Env, productId: number, uomId: number, blocking: string): void {
  const product = browse(env, "product.product", productId);
  const productUom = browse(env, "uom.uom", ref(product, "uom_id") ?? 0);
  const uom = browse(env, "uom.uom", uomId);
  if (productUom.category_id === uom.category_id) return;
  const category = (row: Row) => displayName(env, "uom.category", ref(row, "category_id") ?? 0);
  throw raise.user(
    "You cannot perform the move because the unit of measure has a different category as the product unit of measure." +
      `\n\n${displayName(env, "product.product", productId)} --> Product UoM is ${text(productUom, "name")} (${category(productUom)})` +
      ` - Move UoM is ${text(uom, "name")} (${category(uom)})` +
      `\n\nBlocking: ${blocking}`,
  );
}
