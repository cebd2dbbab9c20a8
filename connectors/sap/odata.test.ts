import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSapEmulator, type SapEmulator } from "./emulator";
import { SapODataClient } from "./odata-client";
import { toSapDate } from "./sap-format";

/** Contract tests of the OData v2 services against the emulator (our own client; the SDK test is sap-cloud-sdk.test.ts). */

let sap: SapEmulator;
let client: SapODataClient;

beforeAll(async () => {
  sap = await startSapEmulator({ port: 0 });
});
afterAll(async () => {
  await sap.close();
});
beforeEach(() => {
  sap.reset();
  client = new SapODataClient(sap.url);
});

const MATDOC = "API_MATERIAL_DOCUMENT_SRV";
const CONF = "API_PROD_ORDER_CONFIRMATION_2_SRV";
const INVOICE = "API_SUPPLIERINVOICE_PROCESS_SRV";
const QM = "API_INSPECTIONLOT_SRV";

type Entity = Record<string, unknown>;
const odataDate = (dats: string) => `/Date(${Date.UTC(Number(dats.slice(0, 4)), Number(dats.slice(4, 6)) - 1, Number(dats.slice(6, 8)))})/`;
const today = () => toSapDate(new Date());

function issue(fields: Record<string, string> = {}, code = "03") {
  return {
    GoodsMovementCode: code,
    to_MaterialDocumentItem: [
      {
        GoodsMovementType: "261",
        Material: "RM-0815",
        Plant: "1000",
        StorageLocation: "0001",
        Batch: "B2026-118",
        QuantityInEntryUnit: "10",
        EntryUnit: "KG",
        ManufacturingOrder: "1004711",
        ...fields,
      },
    ],
  };
}

async function tokenAndCookie(): Promise<{ token: string; cookie: string }> {
  const res = await fetch(`${sap.url}/sap/opu/odata/sap/${MATDOC}/`, { headers: { "x-csrf-token": "Fetch", accept: "application/json" } });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0]?.split(";")[0] ?? "";
  return { token: res.headers.get("x-csrf-token") ?? "", cookie };
}

describe("API_MATERIAL_DOCUMENT_SRV", () => {
  it("creates a material document by deep insert and reads it back (key, $expand, navigation, $filter)", async () => {
    const created = await client.create<Entity>(MATDOC, "A_MaterialDocumentHeader", {
      ...issue(),
      PostingDate: odataDate(today()),
      MaterialDocumentHeaderText: "Issue 1004711",
    });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(/A_MaterialDocumentHeader\(MaterialDocumentYear='\d{4}',MaterialDocument='4900001234'\)$/);
    expect(created.messages).toEqual([{ code: "MIGO/012", message: "Material document 4900001234 posted", severity: "success" }]);
    expect(created.data).toMatchObject({
      __metadata: { type: "API_MATERIAL_DOCUMENT_SRV.A_MaterialDocumentHeaderType" },
      MaterialDocument: "4900001234",
      GoodsMovementCode: "03",
      PostingDate: odataDate(today()),
      to_MaterialDocumentItem: {
        results: [
          {
            MaterialDocumentItem: "0001",
            GoodsMovementType: "261",
            Material: "RM-0815",
            Batch: "B2026-118",
            InventoryStockType: "01",
            QuantityInEntryUnit: "10.000",
            EntryUnit: "KG",
            ManufacturingOrder: "000001004711",
            DebitCreditCode: "H",
          },
        ],
      },
    });
    expect(sap.stock({ material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" })).toBe(390);

    const year = String(created.data.MaterialDocumentYear);
    const key = `A_MaterialDocumentHeader(MaterialDocumentYear='${year}',MaterialDocument='4900001234')`;
    const read = await client.get<Entity>(MATDOC, key, { $expand: "to_MaterialDocumentItem" });
    expect(read.ok && read.data).toMatchObject({ MaterialDocument: "4900001234", to_MaterialDocumentItem: { results: [{ Material: "RM-0815" }] } });
    const deferred = await client.get<Entity>(MATDOC, key);
    expect(deferred.ok && deferred.data.to_MaterialDocumentItem).toEqual({ __deferred: { uri: expect.stringMatching(/\/to_MaterialDocumentItem$/) } });
    const items = await client.get<{ results: Entity[] }>(MATDOC, `${key}/to_MaterialDocumentItem`);
    expect(items.ok && items.data.results).toHaveLength(1);
    const filtered = await client.get<{ results: Entity[] }>(MATDOC, "A_MaterialDocumentHeader", { $filter: "MaterialDocumentHeaderText eq 'Issue 1004711'" });
    expect(filtered.ok && filtered.data.results.map((d) => d.MaterialDocument)).toEqual(["4900001234"]);
  });

  it("answers SAP's error body for a deficit (M7 021), 404 for an unknown document, 400 for an unknown property", async () => {
    const { token, cookie } = await tokenAndCookie();
    const res = await fetch(`${sap.url}/sap/opu/odata/sap/${MATDOC}/A_MaterialDocumentHeader`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": token, cookie },
      body: JSON.stringify(issue({ QuantityInEntryUnit: "450" })),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> & { innererror: Record<string, unknown> } };
    expect(body.error).toMatchObject({
      code: "M7/021",
      message: { lang: "en", value: "Deficit of BA Unrestricted-use 50.000 KG : RM-0815 1000 0001 B2026-118" },
      innererror: {
        application: { component_id: "MM-IM-GF", service_namespace: "/SAP/", service_id: MATDOC, service_version: "0001" },
        transactionid: expect.stringMatching(/^[0-9A-F]{32}$/),
        timestamp: expect.stringMatching(/^\d{14}\.\d{7}$/),
        Error_Resolution: { SAP_Note: expect.stringContaining("1797736") },
        errordetails: [
          {
            code: "M7/021",
            message: "Deficit of BA Unrestricted-use 50.000 KG : RM-0815 1000 0001 B2026-118",
            severity: "error",
            propertyref: expect.any(String),
            target: expect.any(String),
          },
        ],
      },
    });
    expect(sap.materialDocuments()).toHaveLength(0);

    const missing = await client.get(MATDOC, "A_MaterialDocumentHeader(MaterialDocumentYear='2026',MaterialDocument='4999999999')");
    expect(missing.ok === false && missing.status).toBe(404);
    const unknownProperty = await client.create(MATDOC, "A_MaterialDocumentHeader", { ...issue(), Colour: "red" });
    expect(unknownProperty.ok === false && unknownProperty.failure).toMatchObject({ category: "business", message: "Property 'Colour' is invalid" });
  });

  it("posts the same stock rules as the IDoc: period closed (M7 053), movement type not allowed with the goods movement code", async () => {
    sap.setPostingPeriod("1000", { year: 2020, period: 5 });
    const closed = await client.create(MATDOC, "A_MaterialDocumentHeader", issue());
    expect(closed.ok === false && closed.failure).toMatchObject({
      code: "M7/053",
      message: "Posting only possible in periods 2020/05 and 2020/04 in company code 1000",
    });
    sap.reset();
    const wrongCode = await client.create(MATDOC, "A_MaterialDocumentHeader", issue({}, "01"));
    expect(wrongCode.ok === false && wrongCode.failure.message).toBe("Movement type 261 is not allowed with goods movement code 01");
  });

  it("IDocs and OData post into the same ERP: an IDoc-posted document is readable over OData", async () => {
    const res = await fetch(`${sap.url}/sap/idoc/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        idocType: "MBGMCR03",
        control: { DOCNUM: "4719001", MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
        E1BP2017_GM_HEAD_01: { PSTNG_DATE: today() },
        E1BP2017_GM_CODE: { GM_CODE: "03" },
        E1BP2017_GM_ITEM_CREATE: [{ MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "5", ORDERID: "1004711" }],
      }),
    });
    expect(((await res.json()) as { status: string }).status).toBe("53");
    const docs = await client.get<{ results: Entity[] }>(MATDOC, "A_MaterialDocumentHeader", { $filter: "MaterialDocument eq '4900001234'" });
    expect(docs.ok && docs.data.results[0]).toMatchObject({ MaterialDocument: "4900001234", CreatedByUser: "ALEREMOTE" });
  });
});

describe("batch stock types and the quality hold", () => {
  const batch = { material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" };
  const transfer = (movementType: string, quantity = "400") => ({
    GoodsMovementCode: "04",
    to_MaterialDocumentItem: [
      { GoodsMovementType: movementType, Material: "RM-0815", Plant: "1000", StorageLocation: "0001", Batch: "B2026-118", QuantityInEntryUnit: quantity },
    ],
  });

  it("344 blocks a batch; a 261 of it is refused with M7 021 for unrestricted-use stock; 343 releases it and the 261 posts", async () => {
    expect((await client.create(MATDOC, "A_MaterialDocumentHeader", transfer("344"))).ok).toBe(true);
    expect(sap.stockRows(batch)).toEqual([{ ...batch, quantity: 0, qualityInspection: 0, blocked: 400 }]);
    const refused = await client.create(MATDOC, "A_MaterialDocumentHeader", issue());
    expect(refused.ok === false && refused.failure).toMatchObject({
      category: "business",
      code: "M7/021",
      message: "Deficit of BA Unrestricted-use 10.000 KG : RM-0815 1000 0001 B2026-118",
    });
    const block311 = await client.create(MATDOC, "A_MaterialDocumentHeader", {
      GoodsMovementCode: "04",
      to_MaterialDocumentItem: [
        { ...transfer("311").to_MaterialDocumentItem[0], GoodsMovementType: "311", QuantityInEntryUnit: "1", IssuingOrReceivingStorageLoc: "0002" },
      ],
    });
    expect(block311.ok === false && block311.failure.code).toBe("M7/021");

    expect((await client.create(MATDOC, "A_MaterialDocumentHeader", transfer("343"))).ok).toBe(true);
    expect((await client.create(MATDOC, "A_MaterialDocumentHeader", issue())).ok).toBe(true);
    expect(sap.stockRows(batch)).toEqual([{ ...batch, quantity: 390, qualityInspection: 0, blocked: 0 }]);
  });

  it("blocked and quality-inspection stock in the IDoc path too (M7 021 BA Unrestricted-use), and the stock API shows each stock type", async () => {
    expect((await client.create(MATDOC, "A_MaterialDocumentHeader", transfer("322", "100"))).ok).toBe(true);
    expect((await client.create(MATDOC, "A_MaterialDocumentHeader", transfer("350", "40"))).ok).toBe(true);
    const stock = await client.get<{ results: Entity[] }>("API_MATERIAL_STOCK_SRV", "A_MatlStkInAcctMod", {
      $filter: "Material eq 'RM-0815' and Plant eq '1000' and Batch eq 'B2026-118'",
    });
    expect(stock.ok && stock.data.results.map((r) => [r.InventoryStockType, r.MatlWrhsStkQtyInMatlBaseUnit])).toEqual([
      ["01", "300.000"],
      ["02", "60.000"],
      ["07", "40.000"],
    ]);
    const res = await fetch(`${sap.url}/sap/idoc/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        idocType: "MBGMCR03",
        control: { DOCNUM: "4719002", MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
        E1BP2017_GM_HEAD_01: { PSTNG_DATE: today() },
        E1BP2017_GM_CODE: { GM_CODE: "03" },
        E1BP2017_GM_ITEM_CREATE: [
          { MATERIAL: "RM-0815", PLANT: "1000", STGE_LOC: "0001", BATCH: "B2026-118", MOVE_TYPE: "261", ENTRY_QNT: "320", ORDERID: "1004711" },
        ],
      }),
    });
    const answer = (await res.json()) as { status: string; statusRecords: { STATXT: string }[] };
    expect(answer.status).toBe("51");
    expect(answer.statusRecords.at(-1)?.STATXT).toBe("Deficit of BA Unrestricted-use 20.000 KG : RM-0815 1000 0001 B2026-118");
  });

  it("the simulator's stock control sets any stock type", async () => {
    const res = await fetch(`${sap.url}/sap/_emulator/stock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...batch, stockType: "07", quantity: 15 }),
    });
    expect(await res.json()).toEqual({ quantity: 15, stockType: "07" });
    expect(sap.stockOf(batch, "07")).toBe(15);
    expect(sap.stock(batch)).toBe(400);
  });

  it("a goods receipt (101) of a QM-managed material goes to quality inspection and creates an inspection lot of origin 01", async () => {
    const receipt = await client.create<Entity>(MATDOC, "A_MaterialDocumentHeader", {
      GoodsMovementCode: "01",
      to_MaterialDocumentItem: [
        {
          GoodsMovementType: "101",
          Material: "RM-2040",
          Plant: "1000",
          StorageLocation: "0001",
          Batch: "B2026-330",
          QuantityInEntryUnit: "5",
          EntryUnit: "CAN",
          PurchaseOrder: "4500012345",
          PurchaseOrderItem: "30",
        },
      ],
    });
    expect(receipt.ok && receipt.data).toMatchObject({
      MaterialDocument: "5000000411",
      to_MaterialDocumentItem: { results: [{ InventoryStockType: "02", QuantityInBaseUnit: "50.000" }] },
    });
    expect(sap.stockRows({ material: "RM-2040", batch: "B2026-330" })).toEqual([
      { material: "RM-2040", plant: "1000", storageLocation: "0001", batch: "B2026-330", quantity: 0, qualityInspection: 50, blocked: 0 },
    ]);
    const lot = await client.get<Entity>(QM, "A_InspectionLot('010000004712')");
    expect(lot.ok && lot.data).toMatchObject({
      InspectionLotOrigin: "01",
      Material: "RM-2040",
      Batch: "B2026-330",
      InspectionLotQuantity: "50.000",
      PurchasingDocument: "4500012345",
    });
    expect(sap.purchaseOrder("4500012345")?.items[2]?.received).toBe(250_000);
  });
});

describe("API_INSPECTIONLOT_SRV: results and usage decision", () => {
  const lot = { material: "RM-2040", plant: "1000", storageLocation: "0001", batch: "B2026-301" };

  it("records results and accepts the lot: its quality-inspection stock moves to unrestricted use (321)", async () => {
    const result = await client.create<Entity>(QM, "A_InspectionResult", {
      InspectionLot: "010000004701",
      InspectionCharacteristic: "0010",
      InspectionResultOriginalValue: "1180",
      InspectionValuationResult: "A",
    });
    expect(result.ok && result.data).toMatchObject({ InspectionLot: "010000004701", InspectionCharacteristic: "0010", InspectionValuationResult: "A" });
    const ud = await client.create<Entity>(QM, "A_InspLotUsageDecision", { InspectionLot: "010000004701", InspectionLotUsageDecisionCode: "A" });
    expect(ud.ok && ud.data).toMatchObject({ InspectionLot: "010000004701", InspectionLotUsageDecisionCode: "A" });
    expect(ud.ok && ud.messages.map((m) => m.code)).toEqual(["ZSAPEMU/044", "MIGO/012"]);
    expect(sap.stockRows(lot)).toEqual([{ ...lot, quantity: 200, qualityInspection: 0, blocked: 0 }]);
    expect(
      sap
        .materialDocuments()
        .at(-1)
        ?.items.map((i) => [i.movementType, i.stockType, i.debitCredit]),
    ).toEqual([
      ["321", "02", "H"],
      ["321", "01", "S"],
    ]);
    const again = await client.create(QM, "A_InspLotUsageDecision", { InspectionLot: "010000004701", InspectionLotUsageDecisionCode: "R" });
    expect(again.ok === false && again.failure.message).toBe("A usage decision has already been made for inspection lot 010000004701");
  });

  it("rejects a lot into blocked stock (350); an unknown lot or characteristic is refused", async () => {
    expect((await client.create(QM, "A_InspLotUsageDecision", { InspectionLot: "010000004701", InspectionLotUsageDecisionCode: "R" })).ok).toBe(true);
    expect(sap.stockRows(lot)).toEqual([{ ...lot, quantity: 0, qualityInspection: 0, blocked: 200 }]);
    const unknown = await client.create(QM, "A_InspLotUsageDecision", { InspectionLot: "010000009999", InspectionLotUsageDecisionCode: "A" });
    expect(unknown.ok === false && unknown.failure).toMatchObject({ category: "business", message: "Inspection lot 010000009999 does not exist" });
    const characteristic = await client.create(QM, "A_InspectionResult", {
      InspectionLot: "010000004702",
      InspectionCharacteristic: "DENSITY",
      InspectionValuationResult: "A",
    });
    expect(characteristic.ok === false && characteristic.failure.message).toBe("Characteristic DENSITY does not exist in inspection lot 010000004702");
  });
});

describe("API_PROD_ORDER_CONFIRMATION_2_SRV", () => {
  const confirm = (fields: Record<string, unknown>) =>
    client.create<Entity>(CONF, "ProdnOrdConf2", {
      OrderID: "1004711",
      OrderOperation: "0010",
      ConfirmationYieldQuantity: "100",
      ConfirmationUnit: "PC",
      ...fields,
    });

  it("confirms operations: REL → PCNF → CNF, and reads the confirmation back", async () => {
    const first = await confirm({ ConfirmationScrapQuantity: "2", WorkCenter: "CUT-01" });
    expect(first.ok && first.data).toMatchObject({
      ConfirmationGroup: "0000004712",
      ConfirmationCount: "00000001",
      OrderID: "1004711",
      ConfirmationYieldQuantity: "100.000",
    });
    expect(first.ok && first.messages[0]).toEqual({ code: "RU/100", message: "Confirmation of order 1004711 saved", severity: "success" });
    expect(sap.order("1004711")?.systemStatus).toEqual(["REL", "PCNF"]);
    expect((await confirm({ ConfirmationYieldQuantity: "148", FinalConfirmationType: "X" })).ok).toBe(true);
    expect(sap.order("1004711")?.systemStatus).toEqual(["REL", "PCNF"]);
    expect((await confirm({ OrderOperation: "0020", ConfirmationYieldQuantity: "250", IsFinalConfirmation: true })).ok).toBe(true);
    expect(sap.order("1004711")?.systemStatus).toEqual(["REL", "CNF"]);

    const read = await client.get<Entity>(CONF, "ProdnOrdConf2(ConfirmationGroup='0000004712',ConfirmationCount='00000001')");
    expect(read.ok && read.data).toMatchObject({ OrderOperation: "0010", ConfirmationScrapQuantity: "2.000", WorkCenter: "CUT-01" });
    const byOrder = await client.get<{ results: Entity[] }>(CONF, "ProdnOrdConf2", { $filter: "OrderID eq '1004711'" });
    expect(byOrder.ok && byOrder.data.results).toHaveLength(3);
  });

  it("refuses: order not released, unknown operation, unit ST for an order in PC, BOM revision not yet effective, over-confirmation, finally confirmed", async () => {
    const notReleased = await confirm({ OrderID: "1004713" });
    expect(notReleased.ok === false && notReleased.failure).toMatchObject({
      category: "business",
      code: "BS/013",
      message: "System status CRTD is active (ORD 1004713)",
    });
    const operation = await confirm({ OrderOperation: "0090" });
    expect(operation.ok === false && operation.failure.message).toBe("Operation 0090 does not exist in order 1004711");
    const unit = await confirm({ ConfirmationUnit: "ST" });
    expect(unit.ok === false && unit.failure.message).toBe("Unit ST cannot be converted to the order unit PC of order 1004711");
    const bom = await confirm({ OrderID: "1004712", BOMRevision: "B" });
    expect(bom.ok === false && bom.failure.message).toMatch(
      /^BOM revision B of material FG-2200-A is not effective before \d{4}-\d{2}-\d{2} \(posting date \d{4}-\d{2}-\d{2}\)$/,
    );
    const revision = await confirm({ BOMRevision: "C" });
    expect(revision.ok === false && revision.failure.message).toBe("Order 1004711 was exploded with BOM revision A, not C");
    const over = await confirm({ ConfirmationYieldQuantity: "276" });
    expect(over.ok === false && over.failure.message).toBe("Confirmed quantity 276 PC exceeds the order quantity 250 PC of order 1004711 (tolerance 10 %)");
    expect((await confirm({ ConfirmationYieldQuantity: "275" })).ok).toBe(true);
    expect((await confirm({ OrderOperation: "0020", ConfirmationYieldQuantity: "10", FinalConfirmationType: "X" })).ok).toBe(true);
    const finalAgain = await confirm({ OrderOperation: "0020", ConfirmationYieldQuantity: "1" });
    expect(finalAgain.ok === false && finalAgain.failure.message).toBe("Operation 0020 of order 1004711 is already finally confirmed");
    expect(sap.confirmations()).toHaveLength(2);
  });

  it("allows over-confirmation when the order allows unlimited overdelivery; the closed period is refused (RU 428)", async () => {
    const order = sap.order("1004711");
    if (order) order.unlimitedOverdelivery = true;
    expect((await confirm({ ConfirmationYieldQuantity: "400" })).ok).toBe(true);
    sap.setPostingPeriod("1000", { year: 2020, period: 3 });
    const closed = await confirm({ ConfirmationYieldQuantity: "1" });
    expect(closed.ok === false && closed.failure).toMatchObject({
      code: "RU/428",
      message: expect.stringMatching(/^Posting period 0\d\d \d{4} is locked \(check posting date\)$/),
    });
  });
});

describe("API_SUPPLIERINVOICE_PROCESS_SRV", () => {
  const invoice = (fields: Record<string, unknown> = {}, item: Record<string, unknown> = {}) => ({
    CompanyCode: "1000",
    DocumentDate: "/Date(1795132800000)/",
    InvoicingParty: "100200",
    DocumentCurrency: "EUR",
    InvoiceGrossAmount: "3600.00",
    SupplierInvoiceIDByInvcgParty: "RE-2026-11873",
    to_SuplrInvcItemPurOrdRef: [
      {
        SupplierInvoiceItem: "1",
        PurchaseOrder: "4500012345",
        PurchaseOrderItem: "30",
        SupplierInvoiceItemAmount: "3600.00",
        QuantityInPurchaseOrderUnit: "200",
        ...item,
      },
    ],
    ...fields,
  });

  it("posts an invoice against a purchase order and reads it back; the same invoice again is a duplicate (M8 108)", async () => {
    const posted = await client.create<Entity>(INVOICE, "A_SupplierInvoice", invoice());
    expect(posted.ok && posted.data).toMatchObject({
      SupplierInvoice: "5105600101",
      SupplierInvoiceStatus: "5",
      PaymentBlockingReason: "",
      InvoiceGrossAmount: "3600.00",
      to_SuplrInvcItemPurOrdRef: { results: [{ PurchaseOrder: "4500012345", PurchaseOrderItem: "00030", SupplierInvoiceItemAmount: "3600.00" }] },
    });
    const year = posted.ok ? String(posted.data.FiscalYear) : "";
    const read = await client.get<Entity>(INVOICE, `A_SupplierInvoice(SupplierInvoice='5105600101',FiscalYear='${year}')`, {
      $expand: "to_SuplrInvcItemPurOrdRef",
    });
    expect(read.ok && read.data).toMatchObject({
      InvoicingParty: "100200",
      to_SuplrInvcItemPurOrdRef: { results: [{ QuantityInPurchaseOrderUnit: "200.000" }] },
    });
    const duplicate = await client.create(INVOICE, "A_SupplierInvoice", invoice());
    expect(duplicate.ok === false && duplicate.failure).toMatchObject({
      category: "business",
      code: "M8/108",
      message: `Check if invoice already entered under accounting doc. no. 5105600101 ${year}`,
    });
  });

  it("refuses a posting date in a closed period (F5 201), unknown PO, wrong supplier, unbalanced amounts; blocks a quantity over the receipt", async () => {
    sap.setPostingPeriod("1000", { year: 2026, period: 12 });
    const closed = await client.create(INVOICE, "A_SupplierInvoice", invoice({ PostingDate: "/Date(1790812800000)/" }));
    expect(closed.ok === false && closed.failure).toMatchObject({ code: "F5/201", message: "Posting period 010 2026 is not open" });
    const unknown = await client.create(INVOICE, "A_SupplierInvoice", invoice({}, { PurchaseOrder: "4500099999" }));
    expect(unknown.ok === false && unknown.failure.message).toBe("Purchase order 4500099999 does not exist");
    const supplier = await client.create(INVOICE, "A_SupplierInvoice", invoice({ InvoicingParty: "100999" }));
    expect(supplier.ok === false && supplier.failure.message).toBe("Purchase order 4500012345 belongs to supplier 100200, not to invoicing party 100999");
    const balance = await client.create(INVOICE, "A_SupplierInvoice", invoice({ InvoiceGrossAmount: "3700.00" }));
    expect(balance.ok === false && balance.failure.code).toBe("F5/702");
    const over = await client.create<Entity>(
      INVOICE,
      "A_SupplierInvoice",
      invoice(
        { InvoiceGrossAmount: "5000.00", SupplierInvoiceIDByInvcgParty: "RE-2" },
        { PurchaseOrderItem: "10", SupplierInvoiceItemAmount: "5000.00", QuantityInPurchaseOrderUnit: "600" },
      ),
    );
    expect(over.ok && over.data.PaymentBlockingReason).toBe("R");
    expect(over.ok && over.messages.map((m) => m.severity)).toEqual(["success", "warning"]);
  });
});

describe("CSRF", () => {
  const url = () => `${sap.url}/sap/opu/odata/sap/${MATDOC}/A_MaterialDocumentHeader`;
  const post = (headers: Record<string, string>) =>
    fetch(url(), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(issue()) });

  it("a write without token, with a wrong token or without the session cookie is 403 x-csrf-token: Required, and nothing posts", async () => {
    const { token, cookie } = await tokenAndCookie();
    const attempts: Record<string, string>[] = [{}, { "x-csrf-token": "forged", cookie }, { "x-csrf-token": token }];
    for (const headers of attempts) {
      const res = await post(headers);
      expect(res.status).toBe(403);
      expect(res.headers.get("x-csrf-token")).toBe("Required");
      expect(await res.text()).toBe("CSRF token validation failed");
    }
    expect(sap.materialDocuments()).toHaveLength(0);
    expect(sap.odataCounters()).toMatchObject({ csrfRejected: 3, processed: 0 });
    expect((await post({ "x-csrf-token": token, cookie })).status).toBe(201);
  });

  it("HEAD with x-csrf-token: Fetch returns the token; the same session keeps its token until it expires", async () => {
    const { token, cookie } = await tokenAndCookie();
    const head = await fetch(`${url()}/`, { method: "HEAD", headers: { "x-csrf-token": "Fetch", cookie } });
    expect(head.status).toBe(200);
    expect(head.headers.get("x-csrf-token")).toBe(token);
    sap.faults.expireCsrfTokens();
    expect((await post({ "x-csrf-token": token, cookie })).status).toBe(403);
    const again = await fetch(`${url()}/`, { method: "HEAD", headers: { "x-csrf-token": "Fetch", cookie } });
    expect(again.headers.get("x-csrf-token")).not.toBe(token);
  });

  it("an expired token: the client refetches once and retries, posting once", async () => {
    expect((await client.create(MATDOC, "A_MaterialDocumentHeader", issue())).ok).toBe(true);
    await fetch(`${sap.url}/sap/_emulator/csrf`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "expire" }),
    });
    const second = await client.create(MATDOC, "A_MaterialDocumentHeader", issue());
    expect(second.ok).toBe(true);
    expect(sap.odataCounters()).toMatchObject({ csrfRejected: 1, processed: 2 });
    expect(sap.materialDocuments()).toHaveLength(2);
  });

  it("tokens expire by time (csrfTokenTtlMs): a token that is always expired fails after one refetch, technical", async () => {
    const short = await startSapEmulator({ csrfTokenTtlMs: 0 });
    try {
      const failed = await new SapODataClient(short.url).create(MATDOC, "A_MaterialDocumentHeader", issue());
      expect(failed.ok === false && failed.failure).toMatchObject({ category: "technical", code: "CSRF-403" });
      expect(short.odataCounters()).toMatchObject({ csrfRejected: 2, processed: 0 });
    } finally {
      await short.close();
    }
  });
});

describe("idempotency and faults on OData writes", () => {
  it("the same Idempotency-Key posts once (sequentially and concurrently); another request with the key is 422", async () => {
    const first = await client.create<Entity>(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-1" });
    const second = await client.create<Entity>(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-1" });
    expect(first.ok && second.ok && [first.replayed, second.replayed]).toEqual([false, true]);
    expect(second.ok && second.data.MaterialDocument).toBe(first.ok && first.data.MaterialDocument);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => client.create<Entity>(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-2" })),
    );
    expect(new Set(answers.map((a) => a.ok && a.data.MaterialDocument)).size).toBe(1);
    expect(sap.applications("od-2")).toBe(1);
    expect(sap.materialDocuments()).toHaveLength(2);
    const other = await client.create(MATDOC, "A_MaterialDocumentHeader", issue({ QuantityInEntryUnit: "3" }), { idempotencyKey: "od-2" });
    expect(other.ok === false && other.status).toBe(422);
  });

  it("a refusal is stored with its key too: a replay after fixing the data needs a new key", async () => {
    const refused = await client.create(MATDOC, "A_MaterialDocumentHeader", issue({ QuantityInEntryUnit: "500" }), { idempotencyKey: "od-3" });
    sap.setStockOf({ material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" }, "01", 1000);
    const again = await client.create(MATDOC, "A_MaterialDocumentHeader", issue({ QuantityInEntryUnit: "500" }), { idempotencyKey: "od-3" });
    expect(refused.ok === false && again.ok === false && again.failure.code).toBe("M7/021");
  });

  it("503 and status02 are technical and use no key; a lost answer after posting, then the replay with the same key: posted once", async () => {
    sap.faults.unavailable(1, 5);
    const unavailable = await client.create(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-4" });
    expect(unavailable.ok === false && unavailable.failure).toMatchObject({ category: "technical", code: "SERVICE_UNAVAILABLE" });
    sap.faults.status02();
    const status02 = await client.create(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-4" });
    expect(status02.ok === false && status02.failure.category).toBe("technical");
    expect(sap.applications("od-4")).toBe(0);

    sap.faults.dropConnection({ phase: "after" });
    const lost = await client.create(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-4" });
    expect(lost.ok === false && lost.failure).toMatchObject({ category: "technical", code: "NETWORK" });
    expect(sap.materialDocuments()).toHaveLength(1);
    const replay = await client.create<Entity>(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-4" });
    expect(replay.ok && replay.replayed).toBe(true);
    expect(sap.materialDocuments()).toHaveLength(1);
    expect(sap.stock({ material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" })).toBe(390);
  });

  it("a hang beyond the client's timeout is technical; the slow system still posts, and the replay answers it once", async () => {
    const slow = new SapODataClient(sap.url, { timeoutMs: 150 });
    await slow.fetchCsrfToken(MATDOC);
    sap.faults.hang(400, { phase: "after" });
    const timedOut = await slow.create(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-5" });
    expect(timedOut.ok === false && timedOut.failure.code).toBe("TIMEOUT");
    expect(sap.materialDocuments()).toHaveLength(1);
    const replay = await client.create(MATDOC, "A_MaterialDocumentHeader", issue(), { idempotencyKey: "od-5" });
    expect(replay.ok && replay.replayed).toBe(true);
    expect(sap.materialDocuments()).toHaveLength(1);
  });
});
