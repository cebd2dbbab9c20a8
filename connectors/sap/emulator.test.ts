import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSapEmulator, type SapEmulator } from "./emulator";
import { parseIdoc, toIdocXml, type Loipro01 } from "./idoc";
import { classifyIdocStatus } from "./status";
import {
  applicationRecords,
  goodsMovement,
  goodsMovementSample,
  postIdoc,
  postRaw,
  productionOrderSample,
  readSample,
  sampleItem,
  sendIdoc,
} from "./test-support";

/**
 * Contract tests: the real emulator on a random port, spoken to over HTTP, must answer with SAP's
 * statuses and messages. The clock is fixed on 2026-11-23 (the samples' date): the open MM period
 * is 2026/11 (and 2026/10).
 */

const NOW = new Date("2026-11-23T09:30:00Z");
let sap: SapEmulator;

beforeAll(async () => {
  sap = await startSapEmulator({ port: 0, now: () => NOW });
});
afterAll(async () => {
  await sap.close();
});
beforeEach(() => {
  sap.reset();
});

const RM4711_1000_0001 = { material: "RM-4711", plant: "1000", storageLocation: "0001" };

describe("goods movements (MBGMCR03)", () => {
  it("the sample (issue of 512 PC with 500 in stock) ends in 51 with M7 021 and SAP's text", async () => {
    expect(sap.stock(RM4711_1000_0001)).toBe(500);
    const answer = await sendIdoc(sap.url, readSample("sap-mbgmcr-goods-movement.json"));

    expect(answer).toMatchObject({ docnum: "0000000004712001", idocType: "MBGMCR03", sender: "ODOO_HAM", status: "51" });
    expect(answer.statusRecords.map((r) => r.STATUS)).toEqual(["50", "64", "62", "51"]);
    expect(answer.statusRecords.map((r) => r.COUNTR)).toEqual(["000001", "000002", "000003", "000004"]);
    expect(answer.statusRecords.at(-1)).toMatchObject({
      DOCNUM: "0000000004712001",
      STATUS: "51",
      MSGTY: "E",
      MSGID: "M7",
      MSGNO: "021",
      MSGV1: "SL Unrestricted-use",
      MSGV2: "12",
      MSGV3: "PC",
      MSGV4: "RM-4711 1000 0001",
      STATXT: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
      SEGNUM: "000004",
      LOGDAT: "20261123",
      LOGTIM: "093000",
    });
    expect(answer.materialDocument).toBeUndefined();
    expect(classifyIdocStatus(answer.statusRecords)).toMatchObject({ category: "business", code: "M7-021" });
    expect(sap.stock(RM4711_1000_0001)).toBe(500);
    expect(sap.materialDocuments()).toEqual([]);
  });

  it("the same issue of 500 PC posts (53), draws a material document and empties the stock", async () => {
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "500" })]));

    expect(answer.status).toBe("53");
    expect(answer.statusRecords.map((r) => r.STATUS)).toEqual(["50", "64", "62", "53"]);
    const [posted] = applicationRecords(answer);
    expect(posted).toMatchObject({ MSGTY: "S", MSGID: "MIGO", MSGNO: "012" });
    expect(posted?.STATXT).toMatch(/^Material document 49\d{8} posted$/);
    expect(answer.materialDocument).toEqual({ number: posted?.MSGV1, year: "2026" });
    expect(answer.applicationObject).toEqual({ objectType: "BUS2017", key: `${posted?.MSGV1}2026` });
    expect(classifyIdocStatus(answer.statusRecords)).toBeNull();

    expect(sap.stock(RM4711_1000_0001)).toBe(0);
    expect(sap.materialDocuments()).toEqual([
      expect.objectContaining({
        number: posted?.MSGV1,
        year: "2026",
        postingDate: "20261123",
        reference: "WH/OUT/00412",
        items: [
          expect.objectContaining({ movementType: "261", material: "RM-4711", quantity: 500_000, unit: "PC", debitCredit: "H", orderId: "000001004711" }),
        ],
      }),
    ]);
  });

  it("numbers material documents consecutively", async () => {
    const first = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]));
    const second = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]));
    expect(Number(second.materialDocument?.number)).toBe(Number(first.materialDocument?.number) + 1);
  });

  it("a goods receipt (101) for a production order increases stock", async () => {
    const receipt = goodsMovement(
      [{ MATERIAL: "FG-2200-A", PLANT: "1000", STGE_LOC: "0003", MOVE_TYPE: "101", ENTRY_QNT: "250", ENTRY_UOM: "PC", ORDERID: "1004711" }],
      {},
      "02",
    );
    const answer = await sendIdoc(sap.url, receipt);
    expect(answer.status).toBe("53");
    expect(sap.stock({ material: "FG-2200-A", plant: "1000", storageLocation: "0003" })).toBe(370);
    expect(sap.materialDocuments()[0]?.items[0]).toMatchObject({ debitCredit: "S", quantity: 250_000 });
  });

  it("a transfer posting (311) moves stock between storage locations, and is short like an issue", async () => {
    const transfer = (quantity: string) => goodsMovement([sampleItem({ MOVE_TYPE: "311", ENTRY_QNT: quantity, ORDERID: "", MOVE_STLOC: "0002" })], {}, "04");
    expect((await sendIdoc(sap.url, transfer("100"))).status).toBe("53");
    expect(sap.stock(RM4711_1000_0001)).toBe(400);
    expect(sap.stock({ ...RM4711_1000_0001, storageLocation: "0002" })).toBe(140);

    const short = await sendIdoc(sap.url, transfer("450"));
    expect(applicationRecords(short)).toEqual([expect.objectContaining({ STATUS: "51", STATXT: "Deficit of SL Unrestricted-use 50 PC : RM-4711 1000 0001" })]);
    expect(sap.stock(RM4711_1000_0001)).toBe(400);
  });

  it("posts all items or none: the second item is short after the first took the stock", async () => {
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "300" }), sampleItem({ ENTRY_QNT: "300" })]));
    expect(applicationRecords(answer)).toEqual([
      expect.objectContaining({
        STATUS: "51",
        MSGID: "M7",
        MSGNO: "021",
        MSGV2: "100",
        SEGNUM: "000005",
        STATXT: "Deficit of SL Unrestricted-use 100 PC : RM-4711 1000 0001",
      }),
    ]);
    expect(sap.stock(RM4711_1000_0001)).toBe(500);
  });

  it("writes one 51 record per failing item", async () => {
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem({ PLANT: "2000" }), sampleItem({ ENTRY_QNT: "1" }), sampleItem({ MATERIAL: "RM-0000" })]));
    expect(applicationRecords(answer).map((r) => [r.STATUS, `${r.MSGID} ${r.MSGNO}`, r.SEGNUM])).toEqual([
      ["51", "M7 002", "000004"],
      ["51", "M3 305", "000006"],
    ]);
  });

  it("material not maintained in the plant → 51 M7 002", async () => {
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem({ PLANT: "2000", ORDERID: "2001001" })]));
    expect(applicationRecords(answer)).toEqual([
      expect.objectContaining({
        STATUS: "51",
        MSGID: "M7",
        MSGNO: "002",
        MSGV1: "RM-4711",
        MSGV2: "2000",
        STATXT: "Material RM-4711 not maintained in plant 2000",
      }),
    ]);
  });

  it("unknown material → 51 M3 305", async () => {
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem({ MATERIAL: "RM-9999" })]));
    expect(applicationRecords(answer)).toEqual([
      expect.objectContaining({ MSGID: "M3", MSGNO: "305", STATXT: "The material RM-9999 does not exist or is not activated" }),
    ]);
  });

  it("posting period closed → 51 M7 053; the previous period is still open", async () => {
    const closed = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })], { PSTNG_DATE: "20260915" }));
    expect(applicationRecords(closed)).toEqual([
      expect.objectContaining({
        STATUS: "51",
        MSGID: "M7",
        MSGNO: "053",
        STATXT: "Posting only possible in periods 2026/11 and 2026/10 in company code 1000",
        SEGNUM: "000002",
      }),
    ]);
    const previous = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })], { PSTNG_DATE: "20261031" }));
    expect(previous.status).toBe("53");

    sap.setPostingPeriod("1000", { year: 2026, period: 12 });
    const afterClosing = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })], { PSTNG_DATE: "20261031" }));
    expect(applicationRecords(afterClosing)[0]?.STATXT).toBe("Posting only possible in periods 2026/12 and 2026/11 in company code 1000");
  });

  it("a batch-managed material without batch → 51 M7 018; with batch the batch stock is checked", async () => {
    const resin = (fields: Record<string, string>) => sampleItem({ MATERIAL: "RM-0815", ENTRY_UOM: "KG", ENTRY_QNT: "50", ...fields });
    const noBatch = await sendIdoc(sap.url, goodsMovement([resin({})]));
    expect(applicationRecords(noBatch)).toEqual([expect.objectContaining({ MSGID: "M7", MSGNO: "018", STATXT: "Enter batch", SEGFLD: "BATCH" })]);

    const short = await sendIdoc(sap.url, goodsMovement([resin({ BATCH: "B2026-097", ENTRY_QNT: "40.25" })]));
    expect(applicationRecords(short)[0]?.STATXT).toBe("Deficit of BA Unrestricted-use 4.750 KG : RM-0815 1000 0001 B2026-097");

    const posted = await sendIdoc(sap.url, goodsMovement([resin({ BATCH: "B2026-118", ENTRY_QNT: "250.5" })]));
    expect(posted.status).toBe("53");
    expect(sap.stock({ material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" })).toBe(149.5);
  });

  it("an issue (261) to an order that does not exist → 51 KO 001", async () => {
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1", ORDERID: "000009999999" })]));
    expect(applicationRecords(answer)).toEqual([
      expect.objectContaining({ MSGID: "KO", MSGNO: "001", STATXT: "Order 9999999 does not exist", SEGFLD: "ORDERID" }),
    ]);
    const withoutOrder = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1", ORDERID: "" })]));
    expect(applicationRecords(withoutOrder)[0]?.STATXT).toBe("Enter an order for movement type 261");
  });

  it("converts alternative units of measure into the base unit (10 ST of 6 M)", async () => {
    const bars = goodsMovement([
      { MATERIAL: "RM-1001", PLANT: "2000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "10", ENTRY_UOM: "ST", ORDERID: "2001001" },
    ]);
    expect((await sendIdoc(sap.url, bars)).status).toBe("53");
    expect(sap.stock({ material: "RM-1001", plant: "2000", storageLocation: "0001" })).toBe(1140);
    const unknownUnit = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_UOM: "KG" })]));
    expect(applicationRecords(unknownUnit)[0]?.STATXT).toBe("Unit of measure KG is not defined for material RM-4711");
  });

  it("a test run (TESTRUN = X) checks and answers 53 without posting", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "10" })]);
    const answer = await sendIdoc(sap.url, { ...idoc, E1MBGMCR: { TESTRUN: "X" } });
    expect(answer.status).toBe("53");
    expect(sap.stock(RM4711_1000_0001)).toBe(500);
    expect(sap.materialDocuments()).toHaveLength(0);
  });
});

describe("test run header (X-SAP-TestRun: X)", () => {
  it("checks an IDoc against the real stock without storing it: refused or 53, no status log, the real IDoc still posts", async () => {
    const post = (idoc: unknown, testRun: boolean) =>
      fetch(`${sap.url}/sap/idoc/inbound`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(testRun ? { "x-sap-testrun": "X" } : {}) },
        body: JSON.stringify(idoc),
      }).then((r) => r.json() as Promise<{ status: string; docnum: string; statusRecords: { STATXT: string }[] }>);
    const tooMuch = goodsMovement([sampleItem({ ENTRY_QNT: "600" })]);
    expect((await post(tooMuch, true)).status).toBe("51");
    const fine = goodsMovement([sampleItem({ ENTRY_QNT: "10" })]);
    const checked = await post(fine, true);
    expect(checked.status).toBe("53");
    expect(checked.statusRecords.at(-1)?.STATXT).toMatch(/^Test run/);
    expect(sap.stock(RM4711_1000_0001)).toBe(500);
    expect(sap.materialDocuments()).toHaveLength(0);
    expect(sap.idocStatus(checked.docnum)).toEqual([]);
    expect((await post(fine, false)).status).toBe("53");
    expect(sap.stock(RM4711_1000_0001)).toBe(490);
  });
});

describe("production orders (LOIPRO01)", () => {
  it("the sample creates/updates order 1004711 with its operations and components (53)", async () => {
    const answer = await sendIdoc(sap.url, readSample("sap-loipro01-production-order.json"));
    expect(answer).toMatchObject({
      docnum: "0000000004711123",
      idocType: "LOIPRO01",
      status: "53",
      applicationObject: { objectType: "BUS2005", key: "000001004711" },
    });
    expect(applicationRecords(answer)).toEqual([expect.objectContaining({ STATUS: "53", MSGTY: "S", STATXT: "Production order 1004711 saved" })]);
    expect(sap.order("1004711")).toMatchObject({
      aufnr: "000001004711",
      plant: "1000",
      material: "FG-2200-A",
      quantity: 250_000,
      systemStatus: ["REL"],
      operations: [
        { vornr: "0010", workCenter: "WC-CUT-01", text: "Cut blanks" },
        { vornr: "0020", workCenter: "WC-WELD-02", text: "Weld frame" },
      ],
      components: [
        { material: "RM-4711", quantity: 500_000, unit: "PC", storageLocation: "0001", batch: "" },
        { material: "RM-0815", quantity: 250_000, unit: "KG", storageLocation: "0001", batch: "B2026-118" },
      ],
    });
  });

  it("creates a new order, which goods movements can then post against", async () => {
    const sample = productionOrderSample();
    const order: Loipro01 = {
      ...sample,
      control: { ...sample.control, DOCNUM: "0000000004711124" },
      E1AFKOL: { ...sample.E1AFKOL, AUFNR: "000001004799", GAMNG: "10" },
    };
    expect((await sendIdoc(sap.url, order)).status).toBe("53");
    expect(sap.order("1004799")?.quantity).toBe(10_000);
    expect((await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "5", ORDERID: "1004799" })]))).status).toBe("53");
  });

  it("a material not maintained in the order's plant → 51 M7 002 on the failing segment", async () => {
    const sample = productionOrderSample();
    const wrongPlant: Loipro01 = { ...sample, E1AFKOL: { ...sample.E1AFKOL, WERKS: "2000" } };
    const answer = await sendIdoc(sap.url, wrongPlant);
    expect(answer.status).toBe("51");
    expect(applicationRecords(answer).map((r) => [r.STATXT, r.SEGNUM])).toEqual([
      ["Material FG-2200-A not maintained in plant 2000", "000001"],
      ["Material RM-4711 not maintained in plant 2000", "000005"],
      ["Material RM-0815 not maintained in plant 2000", "000006"],
    ]);
    expect(sap.order("1004711")?.plant).toBe("1000");
  });
});

describe("material masters (MATMAS05)", () => {
  const materialMaster = (docnum: string, fields: Record<string, unknown> = {}) => ({
    idocType: "MATMAS05",
    control: { DOCNUM: docnum, MESTYP: "MATMAS", SNDPRN: "PLM_HAM", RCVPRN: "ERPCLNT100" },
    E1MARAM: {
      MSGFN: "005",
      MATNR: "RM-9100",
      MTART: "ROH",
      MEINS: "KG",
      E1MAKTM: [
        { SPRAS: "D", MAKTX: "Härter" },
        { SPRAS: "E", MAKTX: "Hardener" },
      ],
      E1MARCM: [{ WERKS: "2000", XCHPF: "X" }],
      ...fields,
    },
  });

  it("creates a material (53), which can then be received in its plant", async () => {
    const answer = await sendIdoc(sap.url, materialMaster("903001"));
    expect(applicationRecords(answer)).toEqual([expect.objectContaining({ STATUS: "53", MSGID: "M3", MSGNO: "800", STATXT: "Material RM-9100 created" })]);
    expect(sap.material("RM-9100")).toMatchObject({ description: "Hardener", baseUnit: "KG" });
    expect(sap.material("RM-9100")?.plants.get("2000")?.batchManaged).toBe(true);

    const receipt = goodsMovement(
      [{ MATERIAL: "RM-9100", PLANT: "2000", STGE_LOC: "0001", BATCH: "B1", MOVE_TYPE: "501", ENTRY_QNT: "25", ENTRY_UOM: "KG" }],
      {},
      "05",
    );
    expect((await sendIdoc(sap.url, receipt)).status).toBe("53");
    expect(sap.stock({ material: "RM-9100", plant: "2000", storageLocation: "0001", batch: "B1" })).toBe(25);
  });

  it("changes an existing material (M3 801) and extends it to a plant", async () => {
    const answer = await sendIdoc(sap.url, materialMaster("903002", { MATNR: "RM-4711", MEINS: "PC", E1MARCM: [{ WERKS: "2000" }] }));
    expect(applicationRecords(answer)[0]).toMatchObject({ STATUS: "53", STATXT: "Material RM-4711 changed" });
    const issue = await sendIdoc(sap.url, goodsMovement([sampleItem({ PLANT: "2000", ORDERID: "2001001", ENTRY_QNT: "1" })]));
    expect(applicationRecords(issue)[0]?.STATXT).toBe("Deficit of SL Unrestricted-use 1 PC : RM-4711 2000 0001");
  });

  it("refuses plants that do not exist (Monterrey runs Odoo, not SAP)", async () => {
    const answer = await sendIdoc(sap.url, materialMaster("903003", { E1MARCM: [{ WERKS: "3000" }] }));
    expect(applicationRecords(answer)).toEqual([expect.objectContaining({ STATUS: "51", STATXT: "Plant 3000 does not exist", SEGNUM: "000004" })]);
    expect(sap.material("RM-9100")).toBeUndefined();
  });
});

describe("XML and JSON", () => {
  it.each([
    ["MBGMCR03 (51)", () => goodsMovementSample()],
    ["MBGMCR03 (53)", () => goodsMovement([sampleItem({ ENTRY_QNT: "20" })])],
    ["LOIPRO01 (53)", () => productionOrderSample()],
  ])("give the same answer for %s", async (_, build) => {
    const idoc = build();
    const fromJson = await sendIdoc(sap.url, idoc, { format: "json" });
    const stockAfterJson = sap.stockRows();
    sap.reset();
    const fromXml = await sendIdoc(sap.url, idoc, { format: "xml" });
    expect(fromXml).toEqual(fromJson);
    expect(sap.stockRows()).toEqual(stockAfterJson);
  });

  it("accepts text/xml and content types with parameters", async () => {
    const response = await postRaw(sap.url, toIdocXml(goodsMovementSample()), "text/xml; charset=utf-8");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe("51");
  });
});

describe("inputs that are not IDocs", () => {
  it("answer 400 with the list of problems, not status records", async () => {
    const response = await postIdoc(sap.url, { ...readSample("sap-mbgmcr-goods-movement.json"), E1BP2017_GM_CODE: { GM_CODE: "99" } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string; details: { issues: string[] } } };
    expect(body.error.code).toBe("INVALID_IDOC");
    expect(body.error.details.issues).toEqual(["E1BP2017_GM_CODE.GM_CODE: must be a goods movement code 01…07"]);
    expect(body).not.toHaveProperty("statusRecords");
    expect(sap.counters().processed).toBe(0);
  });

  it("malformed JSON and XML are 400 too; other content types 415", async () => {
    expect((await postRaw(sap.url, "{", "application/json")).status).toBe(400);
    const xml = await postRaw(sap.url, "<MBGMCR03><IDOC>", "application/xml");
    expect(xml.status).toBe(400);
    expect(((await xml.json()) as { error: { message: string } }).error.message).toMatch(/not well-formed XML/);
    expect((await postRaw(sap.url, JSON.stringify(goodsMovementSample()), "text/plain")).status).toBe(415);
  });

  it("unknown routes are 404 and other methods on the inbound endpoint 405", async () => {
    expect((await fetch(`${sap.url}/sap/idoc/outbound`)).status).toBe(404);
    expect((await fetch(`${sap.url}/sap/idoc/inbound`)).status).toBe(405);
  });
});

describe("the same IDoc sent again without an Idempotency-Key", () => {
  it("is not posted twice: an IDoc already posted ends in 68", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "100" })]);
    expect((await sendIdoc(sap.url, idoc)).status).toBe("53");
    const again = await sendIdoc(sap.url, idoc);
    expect(again.status).toBe("68");
    expect(again.statusRecords.map((r) => [r.COUNTR, r.STATUS])).toEqual([
      ["000005", "50"],
      ["000006", "68"],
    ]);
    expect(again.statusRecords.at(-1)).toMatchObject({
      MSGID: "ZSAPEMU",
      MSGNO: "001",
      STATXT: `IDoc ${idoc.control.DOCNUM} from partner ODOO_HAM already posted; not processed again`,
    });
    expect(classifyIdocStatus(again.statusRecords)).toMatchObject({ category: "business", code: "ZSAPEMU-001" });
    expect(sap.stock(RM4711_1000_0001)).toBe(400);
    expect(sap.materialDocuments()).toHaveLength(1);
  });

  it("is processed again after a 51 (like BD87), so it posts once the stock is there", async () => {
    const sample = readSample("sap-mbgmcr-goods-movement.json");
    expect((await sendIdoc(sap.url, sample)).status).toBe("51");
    sap.adjustStock(RM4711_1000_0001, 12);
    const retry = await sendIdoc(sap.url, sample);
    expect(retry.status).toBe("53");
    expect(sap.stock(RM4711_1000_0001)).toBe(0);

    expect(sap.idocStatus("4712001").map((r) => r.STATUS)).toEqual(["50", "64", "62", "51", "50", "64", "62", "53"]);
    const log = await fetch(`${sap.url}/sap/idoc/0000000004712001?sender=ODOO_HAM`);
    expect(((await log.json()) as { statusRecords: unknown[] }).statusRecords).toHaveLength(8);
  });

  it("from another sender with the same DOCNUM is a different IDoc", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "100" })]);
    await sendIdoc(sap.url, idoc);
    const other = parseIdoc({ ...idoc, control: { ...idoc.control, SNDPRN: "WMS_HAM" } });
    expect((await sendIdoc(sap.url, other)).status).toBe("53");
    expect(sap.stock(RM4711_1000_0001)).toBe(300);
  });
});

describe("state inspection over HTTP", () => {
  it("lists stock and reports health", async () => {
    const stock = (await (await fetch(`${sap.url}/sap/stock?material=RM-4711&plant=1000`)).json()) as {
      stock: { storageLocation: string; quantity: number }[];
    };
    expect(stock.stock.map((row) => [row.storageLocation, row.quantity])).toEqual([
      ["0001", 500],
      ["0002", 40],
    ]);
    expect(await (await fetch(`${sap.url}/sap/health`)).json()).toEqual({ status: "ok" });
  });
});
