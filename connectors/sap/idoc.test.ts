import { describe, expect, it } from "vitest";
import { IdocParseError, parseIdoc, segmentNumbers, toIdocXml, type Idoc, type Matmas05 } from "./idoc";
import { goodsMovementSample, productionOrderSample, readSample } from "./test-support";

function parseError(input: string | object, format?: "json" | "xml"): IdocParseError {
  try {
    parseIdoc(input, { format });
  } catch (error) {
    if (error instanceof IdocParseError) return error;
    throw error;
  }
  throw new Error("expected an IdocParseError");
}

const MATERIAL_MASTER: Matmas05 = parseIdoc({
  idocType: "MATMAS05",
  control: { DOCNUM: "0000000000903311", MESTYP: "MATMAS", SNDPRN: "ERPCLNT100", RCVPRN: "ODOO_HAM", CREDAT: "20261123", CRETIM: "070000" },
  E1MARAM: {
    MSGFN: "005",
    MATNR: "RM-9001",
    MTART: "ROH",
    MEINS: "KG",
    MATKL: "RM-CHEM",
    E1MAKTM: [{ SPRAS: "E", MAKTX: "Hardener H-12 & catalyst <fast>" }],
    E1MARCM: [{ WERKS: "1000", XCHPF: "X", DISMM: "PD", E1MARDM: [{ LGORT: "0001" }] }],
    E1MARMM: [{ MEINH: "DR", UMREZ: "20", UMREN: "1" }],
  },
}) as Matmas05;

describe("parseIdoc: JSON form", () => {
  it("reads the LOIPRO01 sample with its nested operations and components", () => {
    const idoc = productionOrderSample();
    expect(idoc.idocType).toBe("LOIPRO01");
    expect(idoc.control).toEqual({
      DOCNUM: "0000000004711123",
      MESTYP: "LOIPRO",
      SNDPRN: "ERPCLNT100",
      RCVPRN: "ODOO_HAM",
      CREDAT: "20261123",
      CRETIM: "081502",
    });
    expect(idoc.E1AFKOL.AUFNR).toBe("000001004711");
    expect(idoc.E1AFKOL.E1AFFLL?.[0]?.E1AFVOL?.map((op) => op.VORNR)).toEqual(["0010", "0020"]);
    expect(idoc.E1AFKOL.E1RESBL?.map((c) => [c.MATNR, c.BDMNG, c.CHARG])).toEqual([
      ["RM-4711", "500.000", ""],
      ["RM-0815", "250.000", "B2026-118"],
    ]);
  });

  it("reads the MBGMCR sample and drops its status_error annotation", () => {
    const idoc = goodsMovementSample();
    expect(idoc.E1BP2017_GM_CODE.GM_CODE).toBe("03");
    expect(idoc.E1BP2017_GM_ITEM_CREATE).toEqual([
      { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "512", ENTRY_UOM: "PC", ORDERID: "000001004711" },
    ]);
    expect(idoc).not.toHaveProperty("status_error");
  });

  it("accepts JSON text as well as objects, and pads short IDoc numbers to 16 digits", () => {
    const sample = readSample("sap-mbgmcr-goods-movement.json");
    const text = JSON.stringify({ ...sample, control: { ...(sample.control as object), DOCNUM: "4712001" } });
    expect(parseIdoc(text).control.DOCNUM).toBe("0000000004712001");
  });

  it("keeps fields it does not model as long as they are plain strings", () => {
    const sample = readSample("sap-mbgmcr-goods-movement.json");
    const idoc = parseIdoc({ ...sample, E1BP2017_GM_HEAD_01: { PSTNG_DATE: "20261123", VER_GR_GI_SLIP: "1" } });
    expect(idoc).toMatchObject({ E1BP2017_GM_HEAD_01: { VER_GR_GI_SLIP: "1" } });
  });

  it("lists everything that is wrong with an invalid IDoc", () => {
    const error = parseError({
      idocType: "MBGMCR03",
      control: { DOCNUM: "12AB", MESTYP: "LOIPRO", SNDPRN: "ODOO_HAM" },
      E1BP2017_GM_HEAD_01: { PSTNG_DATE: "20261131" },
      E1BP2017_GM_CODE: { GM_CODE: "09" },
      E1BP2017_GM_ITEM_CREATE: [{ PLANT: "1000", MOVE_TYPE: "261", ENTRY_QNT: "-5", E1FOO: { X: "1" } }],
    });
    expect(error.issues).toEqual(
      expect.arrayContaining([
        "control.DOCNUM: must be an IDoc number (up to 16 digits)",
        "control.RCVPRN: is required",
        "control.MESTYP: must be MBGMCR for MBGMCR03 (got LOIPRO)",
        "E1BP2017_GM_HEAD_01.PSTNG_DATE: must be a date YYYYMMDD",
        "E1BP2017_GM_CODE.GM_CODE: must be a goods movement code 01…07",
        "E1BP2017_GM_ITEM_CREATE[0].ENTRY_QNT: must be a non-negative quantity with at most 3 decimals",
        "E1BP2017_GM_ITEM_CREATE[0].MATERIAL: is required (MATERIAL or MATERIAL_LONG)",
        "E1BP2017_GM_ITEM_CREATE[0].E1FOO: unknown segment in E1BP2017_GM_ITEM_CREATE (only plain string fields may be added)",
      ]),
    );
    expect(error.issues).toHaveLength(8);
    expect(error.message).toMatch(/^Invalid IDoc: control\.DOCNUM/);
  });

  it("rejects unknown IDoc types, non-objects and bad JSON text", () => {
    expect(parseError({ idocType: "ORDERS05", control: {} }).issues).toEqual(['idocType: must be one of LOIPRO01, MBGMCR03, MATMAS05 (got "ORDERS05")']);
    expect(parseError([1, 2]).issues).toEqual(["an IDoc must be an object with idocType, control and its segments"]);
    expect(parseError("{ not json").issues[0]).toMatch(/^not valid JSON/);
  });

  it("rejects field values longer than the SAP field", () => {
    const sample = readSample("sap-mbgmcr-goods-movement.json");
    const error = parseError({ ...sample, E1BP2017_GM_ITEM_CREATE: [{ MATERIAL: "RM-4711", PLANT: "10000", MOVE_TYPE: "261", ENTRY_QNT: "1" }] });
    expect(error.issues).toEqual(["E1BP2017_GM_ITEM_CREATE[0].PLANT: must be at most 4 characters"]);
  });

  it("checks IDOCTYP and TABNAM when the control record carries them", () => {
    const sample = readSample("sap-loipro01-production-order.json");
    const control = sample.control as Record<string, string>;
    expect(parseIdoc({ ...sample, control: { ...control, TABNAM: "EDI_DC40", IDOCTYP: "LOIPRO01" } }).control).toEqual(productionOrderSample().control);
    expect(parseError({ ...sample, control: { ...control, IDOCTYP: "LOIPRO02" } }).issues).toEqual([
      'control.IDOCTYP: "LOIPRO02" does not match idocType LOIPRO01',
    ]);
  });
});

describe("IDoc XML", () => {
  const idocs: Idoc[] = [productionOrderSample(), goodsMovementSample(), MATERIAL_MASTER];

  it.each(idocs.map((idoc) => [idoc.idocType, idoc] as const))("round-trips %s: JSON → XML → JSON", (_, idoc) => {
    const xml = toIdocXml(idoc);
    expect(xml).toContain(`<${idoc.idocType}>`);
    expect(xml).toContain('<IDOC BEGIN="1">');
    expect(xml).toContain('<EDI_DC40 SEGMENT="1">');
    expect(xml).toContain(`<IDOCTYP>${idoc.idocType}</IDOCTYP>`);
    expect(parseIdoc(xml)).toEqual(idoc);
  });

  it("escapes markup characters in field values", () => {
    const xml = toIdocXml(MATERIAL_MASTER);
    expect(xml).toContain("<MAKTX>Hardener H-12 &amp; catalyst &lt;fast&gt;</MAKTX>");
    expect((parseIdoc(xml) as Matmas05).E1MARAM.E1MAKTM?.[0]?.MAKTX).toBe("Hardener H-12 & catalyst <fast>");
  });

  it("writes goods movements inside the E1MBGMCR root segment, as the BAPI IDoc type defines", () => {
    const xml = toIdocXml(goodsMovementSample());
    expect(xml).toMatch(/<E1MBGMCR SEGMENT="1">\s*<E1BP2017_GM_HEAD_01 SEGMENT="1">/);
  });

  it("reads IDoc XML as SAP writes it (full control record, E1MBGMCR with TESTRUN, one item)", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<MBGMCR03>
  <IDOC BEGIN="1">
    <EDI_DC40 SEGMENT="1">
      <TABNAM>EDI_DC40</TABNAM><MANDT>100</MANDT><DOCNUM>0000000004712001</DOCNUM><DOCREL>750</DOCREL>
      <DIRECT>2</DIRECT><IDOCTYP>MBGMCR03</IDOCTYP><MESTYP>MBGMCR</MESTYP><SNDPOR>ODOOPORT</SNDPOR>
      <SNDPRT>LS</SNDPRT><SNDPRN>ODOO_HAM</SNDPRN><RCVPOR>SAPERP</RCVPOR><RCVPRT>LS</RCVPRT>
      <RCVPRN>ERPCLNT100</RCVPRN><CREDAT>20261123</CREDAT><CRETIM>101500</CRETIM>
    </EDI_DC40>
    <E1MBGMCR SEGMENT="1">
      <TESTRUN></TESTRUN>
      <E1BP2017_GM_HEAD_01 SEGMENT="1"><PSTNG_DATE>20261123</PSTNG_DATE></E1BP2017_GM_HEAD_01>
      <E1BP2017_GM_CODE SEGMENT="1"><GM_CODE>03</GM_CODE></E1BP2017_GM_CODE>
      <E1BP2017_GM_ITEM_CREATE SEGMENT="1">
        <MATERIAL>RM-4711</MATERIAL><PLANT>1000</PLANT><STGE_LOC>0001</STGE_LOC><MOVE_TYPE>261</MOVE_TYPE>
        <ENTRY_QNT>  12.000 </ENTRY_QNT><ENTRY_UOM>PC</ENTRY_UOM><ORDERID>000001004711</ORDERID>
      </E1BP2017_GM_ITEM_CREATE>
    </E1MBGMCR>
  </IDOC>
</MBGMCR03>`;
    expect(parseIdoc(xml)).toEqual({
      idocType: "MBGMCR03",
      control: {
        DOCNUM: "0000000004712001",
        MESTYP: "MBGMCR",
        SNDPRN: "ODOO_HAM",
        RCVPRN: "ERPCLNT100",
        MANDT: "100",
        DOCREL: "750",
        DIRECT: "2",
        SNDPOR: "ODOOPORT",
        SNDPRT: "LS",
        RCVPOR: "SAPERP",
        RCVPRT: "LS",
        CREDAT: "20261123",
        CRETIM: "101500",
      },
      E1MBGMCR: { TESTRUN: "" },
      E1BP2017_GM_HEAD_01: { PSTNG_DATE: "20261123" },
      E1BP2017_GM_CODE: { GM_CODE: "03" },
      E1BP2017_GM_ITEM_CREATE: [
        { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "12.000", ENTRY_UOM: "PC", ORDERID: "000001004711" },
      ],
    });
  });

  it("also reads goods movements whose segments are not wrapped in E1MBGMCR", () => {
    const sample = goodsMovementSample();
    const twoItems = { ...sample, E1BP2017_GM_ITEM_CREATE: [...sample.E1BP2017_GM_ITEM_CREATE, { ...sample.E1BP2017_GM_ITEM_CREATE[0], ENTRY_QNT: "3" }] };
    const xml = toIdocXml(parseIdoc(twoItems)).replace(/<\/?E1MBGMCR[^>]*>/g, "");
    expect(xml).not.toContain("E1MBGMCR");
    expect(parseIdoc(xml)).toEqual(parseIdoc(twoItems));
  });

  it("refuses a segment that may occur only once appearing twice", () => {
    const xml = toIdocXml(goodsMovementSample()).replace(
      '<E1BP2017_GM_CODE SEGMENT="1">',
      '<E1BP2017_GM_CODE SEGMENT="1"><GM_CODE>03</GM_CODE></E1BP2017_GM_CODE><E1BP2017_GM_CODE SEGMENT="1">',
    );
    expect(parseError(xml).issues).toEqual(["IDOC: segment E1BP2017_GM_CODE may occur only once"]);
  });

  it("explains XML that is not a valid IDoc", () => {
    const valid = toIdocXml(productionOrderSample());
    expect(parseError("<LOIPRO01><IDOC></LOIPRO01>").issues[0]).toMatch(/^not well-formed XML/);
    expect(parseError("<ORDERS05><IDOC/></ORDERS05>").issues).toEqual(["unsupported IDoc basic type <ORDERS05> (supported: LOIPRO01, MBGMCR03, MATMAS05)"]);
    expect(parseError(valid.replace("</IDOC>", "</IDOC><IDOC/>")).issues).toEqual([
      "expected exactly one <IDOC> element in <LOIPRO01>, found 2 (send one IDoc per request)",
    ]);
    expect(parseError(valid.replace("<E1AFFLL", '<E1ZZCUST SEGMENT="1"><X>1</X></E1ZZCUST><E1AFFLL')).issues).toEqual([
      "IDOC/E1AFKOL: unknown segment E1ZZCUST",
    ]);
    expect(parseError(valid.replace("<IDOCTYP>LOIPRO01</IDOCTYP>", "<IDOCTYP>LOIPRO02</IDOCTYP>")).issues).toEqual([
      'control.IDOCTYP: "LOIPRO02" does not match idocType LOIPRO01',
    ]);
    expect(parseError(valid.replace("<GAMNG>250.000</GAMNG>", "<GAMNG>many</GAMNG>")).issues).toEqual([
      "E1AFKOL.GAMNG: must be a non-negative quantity with at most 3 decimals",
    ]);
    expect(parseError(valid.replace(/<EDI_DC40 SEGMENT="1">[\s\S]*<\/EDI_DC40>/, "")).issues).toEqual(["IDOC: control record EDI_DC40 is missing"]);
  });

  it("reads a string as XML or JSON as told by the format option", () => {
    expect(parseError(JSON.stringify(readSample("sap-loipro01-production-order.json")), "xml").issues[0]).toMatch(
      /^(not well-formed XML|expected exactly one root)/,
    );
    expect(parseError(toIdocXml(productionOrderSample()), "json").issues[0]).toMatch(/^not valid JSON/);
  });
});

describe("segmentNumbers", () => {
  it("numbers data segments in storage order (EDIDD-SEGNUM)", () => {
    expect([...segmentNumbers(goodsMovementSample())]).toEqual([
      ["E1MBGMCR", "000001"],
      ["E1BP2017_GM_HEAD_01", "000002"],
      ["E1BP2017_GM_CODE", "000003"],
      ["E1BP2017_GM_ITEM_CREATE[0]", "000004"],
    ]);
    const order = segmentNumbers(productionOrderSample());
    expect(order.get("E1AFKOL")).toBe("000001");
    expect(order.get("E1AFKOL.E1AFFLL[0].E1AFVOL[1]")).toBe("000004");
    expect(order.get("E1AFKOL.E1RESBL[1]")).toBe("000006");
  });
});
