import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { RestCallError, WmsClient } from "./client";
import { startWmsEmulator, type WmsEmulator } from "./emulator";
import type { SupplierAsnPayload } from "./schema";
import { wmsSource } from "./source";

/** The WMS emulator over HTTP: ASN receiving, transfer orders, stock, idempotency, faults. */

const NOW = new Date("2026-11-23T09:30:00Z");
const TODAY = `/Date(${Date.UTC(2026, 10, 23)})/`;
let wms: WmsEmulator;
let client: WmsClient;

beforeAll(async () => {
  wms = await startWmsEmulator({ now: () => NOW });
  client = new WmsClient({ baseUrl: wms.url, timeoutMs: 2_000 });
});
afterAll(async () => {
  await wms.close();
});
beforeEach(() => {
  wms.reset();
});

const asn = (): SupplierAsnPayload => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "supplier-asn.json"), "utf8")) as SupplierAsnPayload;
const withLine = (index: number, fields: Record<string, unknown>): SupplierAsnPayload => {
  const a = asn();
  a.lines[index] = { ...a.lines[index]!, ...fields };
  return a;
};

async function refusal(promise: Promise<unknown>): Promise<RestCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestCallError);
  return error as RestCallError;
}

describe("SUPPLIER_ASN → expected receipt", () => {
  it("the fixture becomes expected receipt 1800000101 with units mapped (EA → PC, DR → 25 KG)", async () => {
    const receipt = await client.receiveAsn(asn());
    expect(receipt).toMatchObject({
      expectedReceipt: "1800000101",
      asnNumber: "80045881",
      purchaseOrder: "4500017001",
      warehouse: "HAM",
      plant: "1000",
      status: "EXPECTED",
    });
    expect(receipt.lines).toEqual([
      { item: 10, poLine: "00010", material: "RM-4711", quantity: 500, unit: "EA", baseQuantity: 500, baseUnit: "PC" },
      {
        item: 20,
        poLine: "00020",
        material: "RM-0815",
        quantity: 10,
        unit: "DR",
        baseQuantity: 250,
        baseUnit: "KG",
        lot: "B2026-131",
        expiryDate: "2027-11-21",
      },
    ]);
  });

  it("a duplicate ASN number from the same supplier is refused and names the expected receipt", async () => {
    await client.receiveAsn(asn());
    const duplicate = await refusal(client.receiveAsn(asn()));
    expect(duplicate).toMatchObject({
      category: "business",
      status: 409,
      code: "ASN-DUPLICATE",
      message: "Duplicate ASN 80045881 from supplier 100234 (expected receipt 1800000101)",
      details: { expectedReceipt: "1800000101" },
    });
    expect(wms.state.expectedReceipts.size).toBe(1);
  });

  it.each([
    ["unknown PO", { ...asn(), purchaseOrder: "4500099999" }, "ASN-PO-UNKNOWN", "Purchase order 4500099999 does not exist"],
    [
      "PO of another supplier",
      { ...asn(), purchaseOrder: "4500017002" },
      "ASN-PO-SUPPLIER",
      "Purchase order 4500017002 is not a purchase order of supplier 100234",
    ],
    ["unknown PO line", withLine(0, { poLine: "40" }), "ASN-PO-LINE-UNKNOWN", "PO line 00040 of purchase order 4500017001 does not exist"],
    ["unknown material", withLine(0, { material: "RM-9999" }), "ASN-MATERIAL-UNKNOWN", "Material RM-9999 is unknown to the WMS"],
    [
      "material of another PO line",
      withLine(0, { material: "PK-0100" }),
      "ASN-MATERIAL-MISMATCH",
      "PO line 00010 of purchase order 4500017001 is for material RM-4711, not PK-0100",
    ],
    ["unit not mapped", withLine(0, { unit: "PCE" }), "ASN-UOM-UNMAPPED", 'Unit of measure "PCE" not mapped'],
    ["unit not convertible", withLine(0, { unit: "KGM" }), "ASN-UOM-CONVERSION", "Unit KGM (KG) cannot be converted to PC for material RM-4711"],
    [
      "quantity over the PO",
      withLine(0, { quantity: 1001 }),
      "ASN-QTY-OVER-PO",
      "Quantity 1001 PC exceeds the open quantity 1000 PC of PO line 00010 (4500017001)",
    ],
    ["ship-to of another plant", { ...asn(), shipTo: "4000" }, "ASN-SHIPTO-MISMATCH", "Ship-to 4000 is not plant 1000 of purchase order 4500017001"],
  ])("refuses %s", async (_name, payload, code, message) => {
    expect(await refusal(client.receiveAsn(payload))).toMatchObject({ category: "business", status: 422, code, message });
    expect(wms.state.expectedReceipts.size).toBe(0);
  });

  it("quantity must be positive (400 with the path), and the tolerance of a PO line counts across ASNs", async () => {
    const zero = await refusal(client.receiveAsn(withLine(0, { quantity: 0 })));
    expect(zero).toMatchObject({
      status: 400,
      code: "VALIDATION_FAILED",
      category: "business",
      details: { errors: [{ path: "/lines/0/quantity", message: expect.any(String) }] },
    });
    // RM-0815: 500 KG + 10 % tolerance = 550; 250 announced by the fixture.
    await client.receiveAsn(asn());
    await client.receiveAsn({ ...asn(), asnNumber: "80045882", lines: [{ poLine: "20", material: "RM-0815", quantity: 300, unit: "KGM", lot: "B2026-132" }] });
    const over = await refusal(
      client.receiveAsn({ ...asn(), asnNumber: "80045883", lines: [{ poLine: "20", material: "RM-0815", quantity: 1, unit: "KGM" }] }),
    );
    expect(over.code).toBe("ASN-QTY-OVER-PO");
  });

  it("receiving an expected receipt puts stock into the receiving bin and confirms 101 against the PO", async () => {
    const receipt = await client.receiveAsn(asn());
    const received = await client.receive(receipt.expectedReceipt);
    expect(received).toMatchObject({ status: "RECEIVED", receivedBin: "GR-01" });
    expect(wms.stock("GR-01", "RM-4711")).toBe(500);
    expect(wms.stock("GR-01", "RM-0815", "B2026-131")).toBe(250);
    expect(received.messages[0]!.payload).toEqual({
      PostingDate: TODAY,
      DocumentDate: TODAY,
      GoodsMovementCode: "01",
      MaterialDocumentHeaderText: "WMS GR 1800000101",
      ReferenceDocument: "80045881",
      to_MaterialDocumentItem: [
        {
          GoodsMovementType: "101",
          Material: "RM-4711",
          Plant: "1000",
          StorageLocation: "0001",
          QuantityInEntryUnit: "500",
          EntryUnit: "PC",
          PurchaseOrder: "4500017001",
          PurchaseOrderItem: "00010",
          GoodsMovementRefDocType: "B",
        },
        {
          GoodsMovementType: "101",
          Material: "RM-0815",
          Plant: "1000",
          StorageLocation: "0001",
          Batch: "B2026-131",
          QuantityInEntryUnit: "250",
          EntryUnit: "KG",
          PurchaseOrder: "4500017001",
          PurchaseOrderItem: "00020",
          GoodsMovementRefDocType: "B",
        },
      ],
    });
    expect((await refusal(client.receive(receipt.expectedReceipt))).code).toBe("WM-ER-RECEIVED");
    const noLot = await client.receiveAsn({ ...asn(), asnNumber: "X-2", lines: [{ poLine: "20", material: "RM-0815", quantity: 5, unit: "KGM" }] });
    expect((await refusal(client.receive(noLot.expectedReceipt))).code).toBe("WM-LOT-REQUIRED");
  });
});

describe("transfer orders", () => {
  it("issue to a production order: 261 from the source bin's storage location", async () => {
    const to = await client.createTransferOrder({
      material: "RM-0815",
      batch: "B2026-118",
      quantity: 2,
      unit: "DR",
      sourceBin: "01-02-01",
      manufacturingOrder: "000001004711",
    });
    expect(to).toMatchObject({ transferOrder: "0000004801", status: "OPEN", quantity: 50, unit: "KG" });
    const confirmed = await client.confirmTransferOrder(to.transferOrder, { confirmedQuantity: 50, batch: "B2026-118" });
    expect(confirmed.status).toBe("CONFIRMED");
    expect(wms.stock("01-02-01", "RM-0815", "B2026-118")).toBe(350);
    expect(confirmed.messages[0]!.payload).toEqual({
      PostingDate: TODAY,
      DocumentDate: TODAY,
      GoodsMovementCode: "03",
      MaterialDocumentHeaderText: "WMS TO 0000004801",
      ReferenceDocument: "0000004801",
      to_MaterialDocumentItem: [
        {
          GoodsMovementType: "261",
          Material: "RM-0815",
          Plant: "1000",
          StorageLocation: "0001",
          Batch: "B2026-118",
          QuantityInEntryUnit: "50",
          EntryUnit: "KG",
          ManufacturingOrder: "000001004711",
        },
      ],
    });
    expect((await refusal(client.confirmTransferOrder(to.transferOrder))).code).toBe("WM-TO-CONFIRMED");
  });

  it("staging into production supply (another storage location) is a 311; a move within a storage location has no ERP movement", async () => {
    const source = wmsSource(wms.url);
    const staging = await source.move({ material: "RM-4711", quantity: 60, sourceBin: "01-01-01", destinationBin: "PSA-01" });
    expect(staging.goodsMovement?.to_MaterialDocumentItem).toEqual([
      {
        GoodsMovementType: "311",
        Material: "RM-4711",
        Plant: "1000",
        StorageLocation: "0001",
        QuantityInEntryUnit: "60",
        EntryUnit: "PC",
        IssuingOrReceivingPlant: "1000",
        IssuingOrReceivingStorageLoc: "0002",
      },
    ]);
    expect(wms.stock("PSA-01", "RM-4711")).toBe(100);
    const internal = await source.move({ material: "RM-4711", quantity: 10, sourceBin: "01-01-02", destinationBin: "01-01-01" });
    expect(internal.goodsMovement).toBeUndefined();
    expect(wms.events()).toHaveLength(1);
  });

  it("bin blocked → refused at creation and at confirmation", async () => {
    const blocked = await refusal(client.createTransferOrder({ material: "PK-0100", quantity: 1, sourceBin: "01-04-01", destinationBin: "01-02-03" }));
    expect(blocked).toMatchObject({
      status: 409,
      code: "WM-BIN-BLOCKED",
      message: "Storage bin 01-02-03 is blocked for putaway (Rack inspection after forklift impact)",
    });
    const to = await client.createTransferOrder({ material: "PK-0100", quantity: 100, sourceBin: "01-04-01", destinationBin: "PSA-01" });
    await wmsSource(wms.url).blockBin("01-04-01", "Sprinkler leak");
    expect((await refusal(client.confirmTransferOrder(to.transferOrder))).message).toBe("Storage bin 01-04-01 is blocked for removal (Sprinkler leak)");
    await wmsSource(wms.url).unblockBin("01-04-01");
    expect((await client.confirmTransferOrder(to.transferOrder)).status).toBe("CONFIRMED");
  });

  it("lot mismatch: a batch not in the bin, a picked batch other than the order's, a batch for a material without batches", async () => {
    const notThere = await refusal(
      client.createTransferOrder({ material: "RM-0815", batch: "B2026-097", quantity: 1, sourceBin: "01-02-01", destinationBin: "PSA-01" }),
    );
    expect(notThere).toMatchObject({
      code: "WM-LOT-MISMATCH",
      message: "Batch B2026-097 of material RM-0815 is not in storage bin 01-02-01 (bin holds B2026-118)",
    });
    const to = await client.createTransferOrder({ material: "RM-0815", batch: "B2026-118", quantity: 10, sourceBin: "01-02-01", destinationBin: "PSA-01" });
    expect((await refusal(client.confirmTransferOrder(to.transferOrder, { batch: "B2026-097" }))).code).toBe("WM-LOT-MISMATCH");
    expect((await refusal(client.createTransferOrder({ material: "RM-0815", quantity: 1, sourceBin: "01-02-01", destinationBin: "PSA-01" }))).code).toBe(
      "WM-LOT-REQUIRED",
    );
    expect(
      (await refusal(client.createTransferOrder({ material: "RM-4711", batch: "X", quantity: 1, sourceBin: "01-01-01", destinationBin: "PSA-01" }))).code,
    ).toBe("WM-LOT-MISMATCH");
  });

  it("quantity: more than available (open orders count), a confirmed quantity that differs, a bin that no longer holds it", async () => {
    await client.createTransferOrder({ material: "RM-4711", quantity: 250, sourceBin: "01-01-01", destinationBin: "PSA-01" });
    const short = await refusal(client.createTransferOrder({ material: "RM-4711", quantity: 60, sourceBin: "01-01-01", destinationBin: "PSA-01" }));
    expect(short).toMatchObject({ code: "WM-QTY-SHORT", message: "Quantity 60 PC exceeds the available stock 50 PC of RM-4711 in storage bin 01-01-01" });
    const to = await client.createTransferOrder({ material: "RM-4711", quantity: 100, sourceBin: "01-01-02", destinationBin: "PSA-01" });
    expect((await refusal(client.confirmTransferOrder(to.transferOrder, { confirmedQuantity: 95 }))).code).toBe("WM-QTY-DIFF");
    // The bin's stock drifted (a lost message, a miscount) below the order's quantity.
    await fetch(`${wms.url}/wms/_emulator/stock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ bin: "01-01-02", material: "RM-4711", quantity: 80 }),
    });
    expect((await refusal(client.confirmTransferOrder(to.transferOrder))).message).toBe(
      "Storage bin 01-01-02 holds 80 PC of RM-4711, transfer order 0000004802 needs 100 PC",
    );
    expect(wms.transferOrder(to.transferOrder)?.status).toBe("OPEN");
  });
});

describe("stock query", () => {
  it("per bin and summed per storage location — the seed equals the SAP emulator's stock of plant 1000", async () => {
    expect(await client.stock({ bin: "01-02-02" })).toEqual([
      { warehouse: "HAM", plant: "1000", storageLocation: "0001", bin: "01-02-02", material: "RM-0815", batch: "B2026-097", quantity: 35.5, unit: "KG" },
    ]);
    const bySloc = await client.stockByStorageLocation({ plant: "1000" });
    const line = (material: string, storageLocation: string, batch = "") =>
      bySloc.find((r) => r.material === material && r.storageLocation === storageLocation && r.batch === batch)?.quantity;
    expect(line("RM-4711", "0001")).toBe(500);
    expect(line("RM-4711", "0002")).toBe(40);
    expect(line("RM-0815", "0001", "B2026-118")).toBe(400);
    expect(line("SP-0042", "0001")).toBe(24);
    expect(line("PK-0100", "0001")).toBe(2000);
    const bad = await fetch(`${wms.url}/wms/api/v1/stock?groupBy=warehouse`);
    expect(bad.status).toBe(400);
  });
});

describe("Idempotency-Key and faults", () => {
  it("the same confirmation three times concurrently moves stock once", async () => {
    const to = await client.createTransferOrder({ material: "RM-4711", quantity: 30, sourceBin: "01-01-01", destinationBin: "PSA-01" });
    const answers = await Promise.all([1, 2, 3].map(() => client.confirmTransferOrder(to.transferOrder, {}, { idempotencyKey: "c-1" })));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(wms.stock("01-01-01", "RM-4711")).toBe(270);
    expect(wms.applications("c-1")).toBe(1);
    expect(wms.events()).toHaveLength(1);
  });

  it("same key, other content → 422; without a key a resent ASN is a duplicate", async () => {
    await client.receiveAsn(asn(), { idempotencyKey: "asn-1" });
    expect(await client.receiveAsn(asn(), { idempotencyKey: "asn-1" })).toMatchObject({ expectedReceipt: "1800000101" });
    expect((await refusal(client.receiveAsn({ ...asn(), carrier: "DB Schenker" }, { idempotencyKey: "asn-1" }))).code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect((await refusal(client.receiveAsn(asn()))).code).toBe("ASN-DUPLICATE");
  });

  it("lost answer after applying: the retry with the same key answers the stored receipt", async () => {
    wms.faults.dropConnection({ phase: "after" });
    expect((await refusal(client.receiveAsn(asn(), { idempotencyKey: "asn-2" }))).category).toBe("technical");
    expect(wms.state.expectedReceipts.size).toBe(1);
    const retry = await client.receiveAsn(asn(), { idempotencyKey: "asn-2" });
    expect(retry.expectedReceipt).toBe("1800000101");
    expect(wms.applications("asn-2")).toBe(1);
  });

  it("unavailable, close before, hang: technical and nothing applied (hang before: applied late)", async () => {
    wms.faults.unavailable(1, 30);
    expect(await refusal(client.receiveAsn(asn(), { idempotencyKey: "asn-3" }))).toMatchObject({ code: "HTTP-503", retryAfterMs: 30_000 });
    wms.faults.dropConnection();
    expect((await refusal(client.receiveAsn(asn(), { idempotencyKey: "asn-3" }))).code).toBe("CONNECTION");
    expect(wms.state.expectedReceipts.size).toBe(0);
    wms.faults.hang(300);
    const impatient = new WmsClient({ baseUrl: wms.url, timeoutMs: 50 });
    expect((await refusal(impatient.receiveAsn(asn(), { idempotencyKey: "asn-3" }))).code).toBe("TIMEOUT");
    await vi.waitFor(() => expect(wms.applications("asn-3")).toBe(1), { timeout: 2_000, interval: 20 });
  });
});
