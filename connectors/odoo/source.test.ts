/** Odoo as the source of INVOICE_POSTING: a bill posted in Odoo appears in the feed, once. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OdooClient } from "./client";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { postVendorBill, postedVendorBills } from "./source";

let emulator: OdooEmulator;
let client: OdooClient;
beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", apiKey: "src-key", now: () => new Date("2026-11-24T05:30:00Z") });
  client = new OdooClient({ url: emulator.url, db: "plant_mty", apiKey: "src-key", version: "19" });
});
beforeEach(() => emulator.state.reset());
afterAll(() => emulator.close());

describe("INVOICE_POSTING source", () => {
  it("a posted vendor bill is in the feed with its accounting date; the seed bill too", async () => {
    const input = {
      partnerId: 21,
      invoiceDate: "2026-10-30",
      ref: "NW-INV-55990",
      purchaseOrder: "4500017001",
      lines: [{ productId: 4215, quantity: 500, price: 12.5 }],
    };
    const bill = await postVendorBill(client, input, "bill-1");
    expect(bill.name).toBe("BILL/2026/11/0001");
    await expect(postVendorBill(client, input, "bill-1")).resolves.toEqual(bill); // applied once
    const feed = await postedVendorBills(client);
    expect(feed.map((entry) => entry.payload.invoiceNumber)).toEqual(["BILL/2026/10/0001", "BILL/2026/11/0001"]);
    expect(feed[1]?.payload).toEqual({
      invoiceNumber: "BILL/2026/11/0001",
      vendor: "100234",
      vendorName: "Nordwerk Lagertechnik GmbH",
      vendorInvoice: "NW-INV-55990",
      invoiceDate: "2026-10-30",
      postingDate: "2026-11-01",
      purchaseOrder: "4500017001",
      total: 6250,
      lines: [{ material: "RM-4711", description: "[RM-4711] Steel sheet S235 2 mm, cut blank", quantity: 500, unit: "Units", price: 12.5, amount: 6250 }],
    });
    await expect(postedVendorBills(client, { afterId: feed[1]?.id })).resolves.toEqual([]);
  });
});
