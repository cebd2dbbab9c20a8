import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEdiEmulator, type EdiEmulator } from "./emulator";
import { asnJsonFromEdi, createPurchaseOrder, createSupplier, fetchAsnEdi, retransmitSupplierAsn, shipSupplierAsn } from "./source";

let portal: EdiEmulator;
beforeAll(async () => {
  portal = await startEdiEmulator({ now: () => new Date("2026-12-07T08:00:00Z") });
});
afterAll(() => portal.close());
beforeEach(() => portal.reset());

describe("the portal as the source of SUPPLIER_ASN", () => {
  it("ships every open line of a new order and returns the interchange and its JSON form", async () => {
    await createSupplier(portal.url, { supplier: "SUP-300", name: "Kunststoff AG", ediId: "KUNST300", syntax: "EDIFACT" });
    await createPurchaseOrder(portal.url, {
      poNumber: "4500007777",
      supplier: "SUP-300",
      lines: [
        { line: "10", material: "RM-7001", quantity: 40, unit: "KG" },
        { line: "20", material: "RM-7002", quantity: 12, unit: "PC" },
      ],
    });
    const shipped = await shipSupplierAsn(portal.url, { purchaseOrder: "4500007777", shipDate: "2026-12-08", asnNumber: "ASN-300-1" });
    expect(shipped.syntax).toBe("EDIFACT");
    expect(shipped.edi.startsWith("UNA")).toBe(true);
    expect(shipped.asn).toEqual({
      asnNumber: "ASN-300-1",
      supplier: "SUP-300",
      shipDate: "2026-12-08",
      purchaseOrder: "4500007777",
      lines: [
        { poLine: "10", material: "RM-7001", quantity: 40, unit: "KG" },
        { poLine: "20", material: "RM-7002", quantity: 12, unit: "PC" },
      ],
    });
    expect(asnJsonFromEdi(await fetchAsnEdi(portal.url, "ASN-300-1", "X12"))).toEqual(shipped.asn);
  });

  it("scenario unknown-po-line: the ASN names a line the order does not have", async () => {
    const shipped = await shipSupplierAsn(portal.url, {
      purchaseOrder: "4500001234",
      shipDate: "2026-12-08",
      scenario: "unknown-po-line",
      lines: [{ poLine: "10", quantity: 5 }],
    });
    expect(shipped.asn.lines.map((l) => l.poLine)).toEqual(["10", "30"]);
    expect(portal.asn(shipped.asn.asnNumber)!.checks).toBe("skip");
  });

  it("scenario over-quantity: more than open on the first line", async () => {
    const shipped = await shipSupplierAsn(portal.url, { purchaseOrder: "4500001234", shipDate: "2026-12-08", scenario: "over-quantity" });
    expect(shipped.asn.lines[0]).toMatchObject({ poLine: "10", quantity: 550 });
  });

  it("duplicate ASN: the same ASN in a new interchange", async () => {
    const first = await shipSupplierAsn(portal.url, { purchaseOrder: "4500001234", shipDate: "2026-12-08", lines: [{ poLine: "20", quantity: 100 }] });
    const again = await retransmitSupplierAsn(portal.url, first.asn.asnNumber);
    expect(again.controlNumber).toBe(first.controlNumber + 1);
    expect(again.asn).toEqual(first.asn);
  });
});
