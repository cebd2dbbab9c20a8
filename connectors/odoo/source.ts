/**
 * Odoo as a SOURCE: vendor bills posted in Odoo (`account.move`, `in_invoice`) become INVOICE_POSTING
 * messages (Odoo → SAP in the catalog). `postVendorBill` makes Odoo produce one (create + post, so
 * the message originates in the system); `postedVendorBills` is the feed a connector polls (posted
 * bills after a known id) in a neutral JSON form.
 */
import { z } from "zod";
import type { OdooClient } from "./client";
import type { OdooRecord } from "./protocol";

export const vendorBillLineSchema = z
  .object({
    material: z.string().min(1).max(40).optional().describe("Product Internal Reference (absent for lines without product)"),
    description: z.string(),
    quantity: z.number(),
    unit: z.string().optional().describe("Odoo unit name"),
    price: z.number(),
    amount: z.number(),
  })
  .strict();

export const vendorBillPayloadSchema = z
  .object({
    invoiceNumber: z.string().describe("Odoo's number, e.g. BILL/2026/11/0001"),
    vendor: z.string().describe("Vendor number (res.partner ref)"),
    vendorName: z.string(),
    vendorInvoice: z.string().optional().describe("The vendor's invoice number (ref)"),
    invoiceDate: z.iso.date(),
    postingDate: z.iso.date().describe("Accounting date (after the lock date when the invoice date is in a locked period)"),
    purchaseOrder: z.string().optional(),
    total: z.number(),
    lines: z.array(vendorBillLineSchema).min(1),
  })
  .strict();
export type VendorBillPayload = z.infer<typeof vendorBillPayloadSchema>;

export interface VendorBillInput {
  partnerId: number;
  invoiceDate: string;
  ref?: string;
  purchaseOrder?: string;
  lines: Array<{ productId: number; quantity: number; price: number }>;
}

const name = (value: unknown) => (Array.isArray(value) ? String(value[1]) : undefined);

/** Creates and posts a vendor bill in Odoo (two calls, each with its own key); answers its id and number. */
export async function postVendorBill(client: OdooClient, input: VendorBillInput, idempotencyKey?: string): Promise<{ id: number; name: string }> {
  const id = await client.create(
    "account.move",
    {
      move_type: "in_invoice",
      partner_id: input.partnerId,
      invoice_date: input.invoiceDate,
      ref: input.ref ?? false,
      invoice_origin: input.purchaseOrder ?? false,
      invoice_line_ids: input.lines.map((line) => [0, 0, { product_id: line.productId, quantity: line.quantity, price_unit: line.price }]),
    },
    idempotencyKey ? { idempotencyKey } : {},
  );
  await client.call("account.move", "action_post", { ids: [id] }, idempotencyKey ? { idempotencyKey: `${idempotencyKey}:post` } : {});
  const [bill] = await client.read("account.move", [id], ["name"]);
  return { id, name: String(bill?.name) };
}

/** Posted vendor bills with an id above `afterId`, oldest first, as INVOICE_POSTING payloads. */
export async function postedVendorBills(
  client: OdooClient,
  options: { afterId?: number; limit?: number } = {},
): Promise<Array<{ id: number; payload: VendorBillPayload }>> {
  const bills = await client.searchRead(
    "account.move",
    [
      ["move_type", "=", "in_invoice"],
      ["state", "=", "posted"],
      ["id", ">", options.afterId ?? 0],
    ],
    { fields: ["name", "partner_id", "ref", "invoice_date", "date", "invoice_origin", "amount_total"], order: "id", limit: options.limit ?? 100 },
  );
  const out: Array<{ id: number; payload: VendorBillPayload }> = [];
  for (const bill of bills) {
    const partnerId = Array.isArray(bill.partner_id) ? (bill.partner_id[0] as number) : 0;
    const [partner] = await client.read("res.partner", [partnerId], ["ref", "name"]);
    const lines: OdooRecord[] = await client.searchRead("account.move.line", [["move_id", "=", bill.id]], {
      fields: ["product_id", "name", "quantity", "product_uom_id", "price_unit", "price_subtotal"],
      order: "id",
    });
    const products = await client.read(
      "product.product",
      lines.flatMap((line) => (Array.isArray(line.product_id) ? [line.product_id[0] as number] : [])),
      ["default_code"],
    );
    const code = new Map(products.map((product) => [product.id, product.default_code]));
    out.push({
      id: bill.id,
      payload: vendorBillPayloadSchema.parse({
        invoiceNumber: String(bill.name),
        vendor: String(partner?.ref ?? ""),
        vendorName: String(partner?.name ?? ""),
        ...(bill.ref ? { vendorInvoice: String(bill.ref) } : {}),
        invoiceDate: String(bill.invoice_date),
        postingDate: String(bill.date),
        ...(bill.invoice_origin ? { purchaseOrder: String(bill.invoice_origin) } : {}),
        total: Number(bill.amount_total),
        lines: lines.map((line) => {
          const material = Array.isArray(line.product_id) ? code.get(line.product_id[0] as number) : undefined;
          return {
            ...(typeof material === "string" ? { material } : {}),
            description: String(line.name ?? ""),
            quantity: Number(line.quantity),
            ...(name(line.product_uom_id) ? { unit: name(line.product_uom_id) } : {}),
            price: Number(line.price_unit),
            amount: Number(line.price_subtotal),
          };
        }),
      }),
    });
  }
  return out;
}
