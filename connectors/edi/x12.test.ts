import { describe, expect, it } from "vitest";
import type { FormattedSegment, GroupData } from "x12-parser";
import { EdiError } from "./errors";
import { SAMPLE_SUPPLIER_ASN } from "./samples";
import { SUPPLIER_ASN_JSON_SCHEMA, supplierAsnPayloadSchema, type SupplierAsnPayload } from "./schema";
import { readFixture, x12ParserElements, x12ParserGroups, x12ParserSegments } from "./test-support";
import { toX12Unit } from "./units";
import { asnToX12, build824, build997, parse824, parse997, parseX12Asn, readX12, tokenizeX12, type X12EnvelopeOptions } from "./x12";

const NOW = new Date("2026-12-07T10:30:00Z");
const ENVELOPE: X12EnvelopeOptions = { sender: { id: "SUP100" }, receiver: { id: "ANDONBUYER" }, controlNumber: 1001, now: NOW };

const byName = (segments: FormattedSegment[], name: string) => segments.filter((s) => s.name === name);
const only = (segments: FormattedSegment[], name: string) => {
  const found = byName(segments, name);
  expect(found, `exactly one ${name}`).toHaveLength(1);
  return found[0]!;
};

/** The transaction set (ST … SE) as x12-parser sees it. */
function transactionSet(segments: FormattedSegment[]): FormattedSegment[] {
  const st = segments.findIndex((s) => s.name === "ST");
  const se = segments.findIndex((s) => s.name === "SE");
  return segments.slice(st, se + 1);
}

describe("X12 856 written by asnToX12, read by x12-parser", () => {
  it("has the envelope, counts and control numbers right", async () => {
    const segments = await x12ParserSegments(asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE));
    expect(segments.map((s) => s.name)).not.toContain("");
    const isa = only(segments, "ISA");
    expect(isa).toMatchObject({ "1": "00", "3": "00", "5": "ZZ", "6": "SUP100", "7": "ZZ", "8": "ANDONBUYER", "9": "261207", "10": "1030" });
    expect(isa).toMatchObject({ "11": "U", "12": "00401", "13": "000001001", "14": "0", "15": "P", "16": ">" });
    const gs = only(segments, "GS");
    expect(gs).toMatchObject({ "1": "SH", "2": "SUP100", "3": "ANDONBUYER", "4": "20261207", "5": "1030", "6": "1001", "7": "X", "8": "004010" });
    const st = only(segments, "ST");
    const se = only(segments, "SE");
    expect(st).toMatchObject({ "1": "856", "2": "0001" });
    expect(se["2"]).toBe(st["2"]);
    expect(Number(se["1"])).toBe(transactionSet(segments).length);
    expect(only(segments, "GE")).toMatchObject({ "1": String(byName(segments, "ST").length), "2": gs["6"] });
    expect(only(segments, "IEA")).toMatchObject({ "1": String(byName(segments, "GS").length), "2": isa["13"] });
  });

  it("carries every value of the JSON form where the 856 puts it", async () => {
    const asn = SAMPLE_SUPPLIER_ASN;
    const segments = await x12ParserSegments(asnToX12(asn, ENVELOPE));
    expect(only(segments, "BSN")).toMatchObject({ "1": "00", "2": asn.asnNumber });
    expect(only(segments, "DTM")).toMatchObject({ "1": "011", "2": asn.shipDate.replaceAll("-", "") });
    expect(only(segments, "N1")).toMatchObject({ "1": "SU", "3": "92", "4": asn.supplier });
    expect(only(segments, "PRF")["1"]).toBe(asn.purchaseOrder);
    const lins = byName(segments, "LIN");
    const sn1s = byName(segments, "SN1");
    expect(lins).toHaveLength(asn.lines.length);
    asn.lines.forEach((line, i) => {
      const lin = x12ParserElements(lins[i]!);
      expect(lin[0]).toBe(line.poLine);
      const pairs = Object.fromEntries(Array.from({ length: (lin.length - 1) / 2 }, (_, k) => [lin[1 + 2 * k], lin[2 + 2 * k]]));
      expect(pairs).toEqual({ BP: line.material, ...(line.lot ? { LT: line.lot } : {}) });
      expect(Number(sn1s[i]!["2"])).toBe(line.quantity);
      expect(sn1s[i]!["3"]).toBe(toX12Unit(line.unit));
    });
  });

  it("nests the HL levels shipment → order → items (x12-parser's grouper)", async () => {
    const out = await x12ParserGroups(asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE), {
      start: "ST",
      end: "SE",
      name: "856",
      groups: [{ start: "HL", name: "HL" }],
    });
    const transaction = out.find((item): item is GroupData => "isGroup" in item && item.name === "856");
    expect(transaction).toBeDefined();
    const levels = transaction!.data.filter((item): item is GroupData => "isGroup" in item);
    const hl = levels.map((level) => level.data[0] as FormattedSegment);
    expect(hl.map((s) => [s["1"], s["2"], s["3"]])).toEqual([
      ["1", "", "S"],
      ["2", "1", "O"],
      ["3", "2", "I"],
      ["4", "2", "I"],
    ]);
    const names = (level: GroupData) => level.data.map((s) => (s as FormattedSegment).name);
    expect(names(levels[0]!)).toEqual(["HL", "DTM", "N1"]);
    expect(names(levels[1]!)).toEqual(["HL", "PRF"]);
    expect(names(levels[2]!)).toEqual(["HL", "LIN", "SN1"]);
  });

  it("tokenizes like x12-parser, segment by segment and element by element", async () => {
    const documents = [
      asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE),
      readFixture("x12-856-third-party.edi"),
      build997(asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE), undefined, { controlNumber: 5, now: NOW }),
      build824(
        asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE),
        { status: "refused", refusals: [{ code: "PO_UNKNOWN", message: "Line 30 unknown", poLine: "20" }] },
        { controlNumber: 6, now: NOW },
      ),
    ];
    for (const text of documents) {
      const theirs = (await x12ParserSegments(text)).filter((s) => s.name !== "");
      const ours = tokenizeX12(text);
      expect(ours.map((s) => s.id)).toEqual(theirs.map((s) => s.name));
      ours.forEach((segment, i) => {
        expect(segment.elements.map((e) => e.trim())).toEqual(x12ParserElements(theirs[i]!));
      });
    }
  });

  it("reads back what it wrote: JSON → 856 → JSON", () => {
    const lines: SupplierAsnPayload["lines"] = [
      { poLine: "00010", material: "RM-4711", quantity: 0.125, unit: "KG", lot: "L1" },
      { poLine: "30", material: "ABC 12/7", quantity: 999_999.999, unit: "ZZZ" },
    ];
    const asn = { ...SAMPLE_SUPPLIER_ASN, lines };
    const { asn: back, envelope } = parseX12Asn(asnToX12(asn, { ...ENVELOPE, controlNumber: 987_654_321, usage: "T" }));
    expect(back).toEqual(asn);
    expect(envelope).toMatchObject({ interchangeControlNumber: "987654321", groupControlNumber: "987654321", transactionControlNumber: "0001", usage: "T" });
  });

  it("refuses values that contain a delimiter (X12 has no escape character)", () => {
    expect(() => asnToX12({ ...SAMPLE_SUPPLIER_ASN, asnNumber: "A*B" }, ENVELOPE)).toThrow();
    expect(supplierAsnPayloadSchema.safeParse({ ...SAMPLE_SUPPLIER_ASN, purchaseOrder: "45~00" }).success).toBe(false);
  });
});

describe("reading an 856 that another system wrote", () => {
  const text = readFixture("x12-856-third-party.edi");

  it("is a valid interchange to x12-parser (| and ^ delimiters, CRLF, pack level, segments we do not write)", async () => {
    const segments = await x12ParserSegments(text);
    const real = segments.filter((s) => s.name !== "");
    expect(real.map((s) => s.name)).toContain("MAN");
    expect(Number(only(real, "SE")["1"])).toBe(transactionSet(real).length);
    expect(only(real, "ISA")["16"]).toBe("^");
  });

  it("gives the JSON form (PO line from LIN*…*PL, lot from LT, units mapped)", () => {
    const { asn, envelope } = parseX12Asn(text);
    expect(asn).toEqual({
      asnNumber: "SN-88231",
      supplier: "SUP-100",
      shipDate: "2026-12-05",
      purchaseOrder: "4500001234",
      lines: [
        { poLine: "10", material: "RM-4711", quantity: 80.5, unit: "KG", lot: "L-2026-0815" },
        { poLine: "20", material: "RM-0815", quantity: 1200, unit: "PC" },
      ],
    });
    expect(envelope).toMatchObject({
      sender: { qualifier: "01", id: "123456789" },
      interchangeControlNumber: "000000731",
      groupControlNumber: "731",
      transactionControlNumber: "7310001",
      usage: "T",
    });
  });
});

describe("envelope checks", () => {
  const good = asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE);

  it("finds wrong counts and control numbers with the 997 / TA1 codes", () => {
    const codes = (text: string) => readX12(text).problems.map((p) => `${p.level}:${p.code}`);
    expect(codes(good)).toEqual([]);
    expect(codes(good.replace("SE*14*0001", "SE*13*0001"))).toEqual(["transaction:4"]);
    expect(codes(good.replace("SE*14*0001", "SE*14*0002"))).toEqual(["transaction:3"]);
    expect(codes(good.replace("GE*1*1001", "GE*2*1001"))).toEqual(["group:5"]);
    expect(codes(good.replace("GE*1*1001", "GE*1*1002"))).toEqual(["group:4"]);
    expect(codes(good.replace("IEA*1*000001001", "IEA*1*000001002"))).toEqual(["interchange:001"]);
    expect(codes(good.replace(/\nIEA\*1\*000001001~$/, ""))).toEqual(["interchange:023"]);
  });

  it("refuses what is not an 856 with the ASN's fields", () => {
    expect(() => parseX12Asn(good.replace("PRF*4500001234~\n", "").replace("SE*14", "SE*13"))).toThrow(/PRF/);
    expect(() => parseX12Asn(good.replace("SN1**2500*EA~\n", "").replace("SE*14", "SE*13"))).toThrow(/SN1/);
    expect(() => parseX12Asn(good.replace("BSN*00", "BSN*01"))).toThrow(EdiError);
    expect(() => parseX12Asn("GS*SH~")).toThrow(/ISA/);
  });
});

describe("997 functional acknowledgment", () => {
  const asn = asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE);

  it("accepts a good 856: x12-parser reads AK1 / AK2 / AK5 / AK9 and the counts", async () => {
    const ack = build997(asn, undefined, { controlNumber: 42, now: NOW });
    const segments = await x12ParserSegments(ack);
    expect(only(segments, "ISA")).toMatchObject({ "6": "ANDONBUYER", "8": "SUP100", "13": "000000042" });
    expect(only(segments, "GS")).toMatchObject({ "1": "FA", "6": "42" });
    expect(only(segments, "AK1")).toMatchObject({ "1": "SH", "2": "1001" });
    expect(only(segments, "AK2")).toMatchObject({ "1": "856", "2": "0001" });
    expect(only(segments, "AK5")["1"]).toBe("A");
    expect(x12ParserElements(only(segments, "AK9"))).toEqual(["A", "1", "1", "1"]);
    expect(Number(only(segments, "SE")["1"])).toBe(transactionSet(segments).length);
    expect(only(segments, "IEA")["2"]).toBe("000000042");
    const parsed = parse997(ack);
    expect(parsed.acknowledgedGroup).toEqual({ functionalId: "SH", controlNumber: "1001" });
    expect(parsed.transactions).toEqual([{ type: "856", controlNumber: "0001", status: "A", codes: [], segmentErrors: [] }]);
    expect(parsed.group).toEqual({ status: "A", included: 1, received: 1, accepted: 1, codes: [] });
  });

  it("rejects a wrong segment count with AK5*R*4 and AK9*R", async () => {
    const ack = build997(asn.replace("SE*14*0001", "SE*12*0001"), undefined, { controlNumber: 43, now: NOW });
    const segments = await x12ParserSegments(ack);
    expect(x12ParserElements(only(segments, "AK5"))).toEqual(["R", "4"]);
    expect(x12ParserElements(only(segments, "AK9"))).toEqual(["R", "1", "1", "0"]);
    expect(parse997(ack).transactions[0]).toMatchObject({ status: "R", codes: ["4"] });
  });

  it("rejects an 856 without its SN1 with AK3 / AK4 pointing at the segment", async () => {
    const broken = asn.replace("SN1**2500*EA~", "SN1**2500~");
    const ack = build997(broken, undefined, { controlNumber: 44, now: NOW });
    const segments = await x12ParserSegments(ack);
    expect(x12ParserElements(only(segments, "AK3"))).toEqual(["SN1", "13", "", "8"]);
    expect(x12ParserElements(only(segments, "AK4"))).toEqual(["3", "", "1"]);
    expect(x12ParserElements(only(segments, "AK5"))).toEqual(["R", "5"]);
    const parsed = parse997(ack);
    expect(parsed.transactions[0]!.segmentErrors).toEqual([{ segment: "SN1", position: 13, code: "8", elements: [{ position: 3, code: "1" }] }]);
  });

  it("takes an explicit verdict", () => {
    const ack = build997(
      asn,
      {
        status: "rejected",
        codes: ["5"],
        segmentErrors: [{ segment: "PRF", position: 7, code: "8", elements: [{ position: 1, reference: "324", code: "7", value: "4500001234" }] }],
      },
      { controlNumber: 45, now: NOW },
    );
    expect(parse997(ack).transactions[0]).toEqual({
      type: "856",
      controlNumber: "0001",
      status: "R",
      codes: ["5"],
      segmentErrors: [{ segment: "PRF", position: 7, code: "8", elements: [{ position: 1, reference: "324", code: "7", value: "4500001234" }] }],
    });
  });
});

describe("824 application advice", () => {
  const asn = asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE);

  it("refuses with TED codes x12-parser reads and parse824 maps back", async () => {
    const advice = build824(
      asn,
      {
        status: "refused",
        refusals: [
          { code: "PO_UNKNOWN", message: "Line 20 is not on purchase order 4500001234", poLine: "20" },
          { code: "QTY_OVER_PO", message: "Quantity 120 KG exceeds open 100 KG", poLine: "10" },
          { code: "DUPLICATE_ASN", message: "ASN ASN-2026-000123 already received" },
        ],
      },
      { controlNumber: 46, now: NOW },
    );
    const segments = await x12ParserSegments(advice);
    expect(only(segments, "GS")["1"]).toBe("AG");
    expect(x12ParserElements(only(segments, "OTI"))).toEqual([
      "TR",
      "SI",
      "ASN-2026-000123",
      "SUP100",
      "ANDONBUYER",
      "20261207",
      "1030",
      "1001",
      "0001",
      "856",
    ]);
    expect(byName(segments, "TED").map((s) => [s["1"], s["3"], s["7"]])).toEqual([
      ["133", "LIN", "20"],
      ["008", "SN1", "120"],
      ["119", "BSN", "ASN-2026-000123"],
    ]);
    expect(Number(only(segments, "SE")["1"])).toBe(transactionSet(segments).length);
    const [parsed] = parse824(advice).advices;
    expect(parsed).toMatchObject({ status: "refused", asnNumber: "ASN-2026-000123", groupControlNumber: "1001", transactionControlNumber: "0001" });
    expect(parsed!.refusals.map((r) => [r.code, r.poLine])).toEqual([
      ["PO_UNKNOWN", "20"],
      ["QTY_OVER_PO", undefined],
      ["DUPLICATE_ASN", undefined],
    ]);
  });

  it("accepts with OTI*TA and no TED", () => {
    const [parsed] = parse824(build824(asn, { status: "accepted" }, { controlNumber: 47, now: NOW })).advices;
    expect(parsed).toMatchObject({ code: "TA", status: "accepted", refusals: [] });
  });
});

describe("x12-parser quirks (where it and the X12 standard part ways)", () => {
  it("emits a nameless segment for a line break after the last terminator; readX12 ignores it", async () => {
    const text = `${asnToX12(SAMPLE_SUPPLIER_ASN, ENVELOPE)}\n`;
    const segments = await x12ParserSegments(text);
    expect(segments.at(-1)).toEqual({ name: "" });
    expect(readX12(text).problems).toEqual([]);
  });
});

describe("the SUPPLIER_ASN JSON Schema", () => {
  it("is a draft 2020-12 object schema with the required fields", () => {
    expect(SUPPLIER_ASN_JSON_SCHEMA).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      required: ["asnNumber", "supplier", "shipDate", "purchaseOrder", "lines"],
    });
  });
});
