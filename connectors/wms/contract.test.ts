import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validatePayload } from "../../server/corrections/validate";
import { startWmsEmulator, type WmsEmulator } from "./emulator";
import { goodsMovementSchema, SUPPLIER_ASN_JSON_SCHEMA, supplierAsnPayloadSchema, WMS_PAYLOAD_SCHEMAS } from "./schema";
import { wmsSource } from "./source";

/**
 * Contract of SUPPLIER_ASN as the WMS accepts it: the fixture passes zod, the exported JSON Schema
 * (checked by the portal's validator, @cfworker/json-schema) and the emulator; zod and JSON Schema
 * refuse the same broken ASNs. The goods movements the WMS emits keep the A_MaterialDocument shape.
 */

const fixture = () => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "supplier-asn.json"), "utf8")) as Record<string, unknown>;
const line0 = () => (fixture().lines as Record<string, unknown>[])[0]!;

let wms: WmsEmulator;
beforeAll(async () => {
  wms = await startWmsEmulator({ now: () => new Date("2026-11-23T09:30:00Z") });
});
afterAll(async () => {
  await wms.close();
});

describe("SUPPLIER_ASN payload", () => {
  it("the fixture is valid under zod and the JSON Schema, and the WMS accepts it", async () => {
    expect(supplierAsnPayloadSchema.safeParse(fixture()).success).toBe(true);
    expect(validatePayload(SUPPLIER_ASN_JSON_SCHEMA, fixture())).toEqual([]);
    expect(WMS_PAYLOAD_SCHEMAS.SUPPLIER_ASN).toBe(SUPPLIER_ASN_JSON_SCHEMA);
    wms.reset();
    const res = await fetch(`${wms.url}/wms/api/v1/expected-receipts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fixture()),
    });
    expect(res.status).toBe(201);
  });

  const cases: [string, Record<string, unknown>][] = [
    ["no lines", { ...fixture(), lines: [] }],
    ["quantity 0", { ...fixture(), lines: [{ ...line0(), quantity: 0 }] }],
    ["negative quantity", { ...fixture(), lines: [{ ...line0(), quantity: -5 }] }],
    ["quantity as text", { ...fixture(), lines: [{ ...line0(), quantity: "500" }] }],
    ["PO line not numeric", { ...fixture(), lines: [{ ...line0(), poLine: "A10" }] }],
    ["ship date not a date", { ...fixture(), shipDate: "22.11.2026" }],
    ["no ASN number", { ...fixture(), asnNumber: undefined }],
    ["no supplier", { ...fixture(), supplier: undefined }],
    ["no purchase order", { ...fixture(), purchaseOrder: undefined }],
    ["unit longer than 3", { ...fixture(), lines: [{ ...line0(), unit: "PIECE" }] }],
    ["lot longer than SAP's 10", { ...fixture(), lines: [{ ...line0(), lot: "LOT-2026-00001" }] }],
    ["unknown property", { ...fixture(), asnDate: "2026-11-22" }],
  ];

  it.each(cases)("zod, JSON Schema and the WMS (400) refuse: %s", async (_name, payload) => {
    const clean = JSON.parse(JSON.stringify(payload)) as unknown;
    expect(supplierAsnPayloadSchema.safeParse(clean).success).toBe(false);
    expect(validatePayload(SUPPLIER_ASN_JSON_SCHEMA, clean)).not.toEqual([]);
    const res = await fetch(`${wms.url}/wms/api/v1/expected-receipts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(clean),
    });
    expect(res.status).toBe(400);
  });

  it("known gap: a PO line twice, a delivery before shipping — only zod (and so the WMS) sees", () => {
    const twice = { ...fixture(), lines: [line0(), { ...line0(), poLine: "10" }] };
    expect(supplierAsnPayloadSchema.safeParse(twice).success).toBe(false);
    expect(validatePayload(SUPPLIER_ASN_JSON_SCHEMA, twice)).toEqual([]);
    const early = { ...fixture(), deliveryDate: "2026-11-20" };
    expect(supplierAsnPayloadSchema.safeParse(early).success).toBe(false);
    expect(validatePayload(SUPPLIER_ASN_JSON_SCHEMA, early)).toEqual([]);
  });
});

describe("goods movements the WMS confirms", () => {
  it("101, 261 and 311 all parse as A_MaterialDocumentHeader + to_MaterialDocumentItem", async () => {
    wms.reset();
    const source = wmsSource(wms.url);
    const receipt = await source.client.receiveAsn(fixture());
    await source.receive(receipt.expectedReceipt);
    await source.move({ material: "RM-0815", batch: "B2026-118", quantity: 25, sourceBin: "01-02-01", manufacturingOrder: "000001004711" });
    await source.move({ material: "PK-0100", quantity: 1, unit: "PAL", sourceBin: "01-04-01", destinationBin: "PSA-01" });
    const { events } = await source.poll();
    expect(events.map((e) => e.payload.to_MaterialDocumentItem.map((i) => i.GoodsMovementType).join("+"))).toEqual(["101+101", "261", "311"]);
    for (const event of events) expect(goodsMovementSchema.safeParse(event.payload).error?.issues ?? []).toEqual([]);
    expect(events[2]!.payload.to_MaterialDocumentItem[0]).toMatchObject({ QuantityInEntryUnit: "200", EntryUnit: "PC" });
  });
});
