import type { EdifactLibSegment } from "edifact";
import { describe, expect, it } from "vitest";
import {
  asnToEdifact,
  buildAperak,
  buildContrl,
  parseAperak,
  parseContrl,
  parseEdifactAsn,
  readEdifact,
  tokenizeEdifact,
  type EdifactEnvelopeOptions,
} from "./edifact";
import { SAMPLE_SUPPLIER_ASN } from "./samples";
import type { SupplierAsnPayload } from "./schema";
import { edifactLibSegments, edifactTableErrors, readFixture } from "./test-support";
import { toEdifactUnit } from "./units";

const NOW = new Date("2026-12-07T10:30:00Z");
const ENVELOPE: EdifactEnvelopeOptions = { sender: { id: "SUP200" }, recipient: { id: "ANDONBUYER" }, controlReference: 2001, now: NOW };

const byName = (segments: EdifactLibSegment[], name: string) => segments.filter((s) => s.name === name);
const only = (segments: EdifactLibSegment[], name: string) => {
  const found = byName(segments, name);
  expect(found, `exactly one ${name}`).toHaveLength(1);
  return found[0]!;
};
/** The message UNH … UNT as the library sees it. */
const message = (segments: EdifactLibSegment[]) =>
  segments.slice(
    segments.findIndex((s) => s.name === "UNH"),
    segments.findIndex((s) => s.name === "UNT") + 1,
  );

describe("DESADV written by asnToEdifact, read by the edifact library", () => {
  it("passes the library's element validation and its DESADV segment table", () => {
    const segments = edifactLibSegments(asnToEdifact(SAMPLE_SUPPLIER_ASN, ENVELOPE));
    expect(edifactTableErrors(segments, "DESADV")).toEqual([]);
  });

  it("the library's checks do fail: LIN outside a CPS group, a too long part number", () => {
    const text = asnToEdifact(SAMPLE_SUPPLIER_ASN, ENVELOPE);
    expect(edifactTableErrors(edifactLibSegments(text.replace("CPS+1'\n", "")), "DESADV")[0]).toMatch(/^LIN: /);
    expect(() => edifactLibSegments(text.replace("LIN+1++RM-4711:BP", `LIN+1++${"X".repeat(36)}:BP`))).toThrow(/Could not accept/);
  });

  it("has the envelope, counts and references right", () => {
    const segments = edifactLibSegments(asnToEdifact(SAMPLE_SUPPLIER_ASN, ENVELOPE));
    expect(only(segments, "UNB").elements).toEqual([["UNOC", "3"], ["SUP200", "ZZZ"], ["ANDONBUYER", "ZZZ"], ["261207", "1030"], ["2001"]]);
    expect(only(segments, "UNH").elements).toEqual([["1"], ["DESADV", "D", "96A", "UN"]]);
    const unt = only(segments, "UNT").elements;
    expect(Number(unt[0]![0])).toBe(message(segments).length);
    expect(unt[1]).toEqual(["1"]);
    expect(only(segments, "UNZ").elements).toEqual([[String(byName(segments, "UNH").length)], ["2001"]]);
  });

  it("carries every value of the JSON form where the DESADV puts it", () => {
    const asn = SAMPLE_SUPPLIER_ASN;
    const segments = edifactLibSegments(asnToEdifact(asn, ENVELOPE));
    expect(only(segments, "BGM").elements).toEqual([["351"], [asn.asnNumber], ["9"]]);
    expect(byName(segments, "DTM").map((s) => s.elements[0])).toContainEqual(["11", asn.shipDate.replaceAll("-", ""), "102"]);
    expect(only(segments, "NAD").elements).toEqual([["SU"], [asn.supplier, "", "92"]]);
    const rffs = byName(segments, "RFF").map((s) => s.elements[0]);
    expect(rffs[0]).toEqual(["ON", asn.purchaseOrder]);
    expect(rffs.slice(1)).toEqual(asn.lines.map((l) => ["ON", asn.purchaseOrder, l.poLine]));
    expect(byName(segments, "LIN").map((s) => s.elements[2])).toEqual(asn.lines.map((l) => [l.material, "BP"]));
    expect(byName(segments, "QTY").map((s) => s.elements[0])).toEqual(asn.lines.map((l) => ["12", String(l.quantity), toEdifactUnit(l.unit)]));
    expect(byName(segments, "PIA").map((s) => s.elements[1])).toEqual(asn.lines.filter((l) => l.lot).map((l) => [l.lot, "NB"]));
  });

  it("tokenizes like the library, segment by segment and component by component", () => {
    const asn = asnToEdifact(SAMPLE_SUPPLIER_ASN, ENVELOPE);
    const documents = [
      asn,
      readFixture("edifact-desadv-third-party.edi"),
      buildContrl(asn, undefined, { controlReference: 7, now: NOW }),
      buildAperak(
        asn,
        { status: "refused", refusals: [{ code: "OTHER", message: "Text with + and : and ' and ? inside" }] },
        { controlReference: 8, now: NOW },
      ),
    ];
    for (const text of documents) {
      const theirs = edifactLibSegments(text);
      const ours = tokenizeEdifact(text).segments;
      expect(ours.map((s) => ({ name: s.tag, elements: s.elements }))).toEqual(theirs);
    }
  });

  it("reads back what it wrote: JSON → DESADV → JSON", () => {
    const lines: SupplierAsnPayload["lines"] = [
      { poLine: "00010", material: "RM 4711/B", quantity: 0.125, unit: "KG", lot: "L1" },
      { poLine: "30", material: "X", quantity: 999_999.999, unit: "ZZZ" },
    ];
    const asn = { ...SAMPLE_SUPPLIER_ASN, lines };
    const { asn: back, envelope } = parseEdifactAsn(asnToEdifact(asn, { ...ENVELOPE, controlReference: 12_345_678_901_234, test: true }));
    expect(back).toEqual(asn);
    expect(envelope).toMatchObject({ controlReference: "12345678901234", messageReference: "1", test: true });
  });
});

describe("reading a DESADV that another system wrote", () => {
  const text = readFixture("edifact-desadv-third-party.edi");

  it("conforms to the library's DESADV table (no UNA, CRLF, escaped +, packaging, GIN, CNT)", () => {
    const segments = edifactLibSegments(text);
    expect(edifactTableErrors(segments, "DESADV")).toEqual([]);
    expect(only(segments, "UNT").elements[0]).toEqual([String(message(segments).length)]);
    expect(byName(segments, "NAD")[0]!.elements[3]).toEqual(["Fixings+Europe BV"]);
  });

  it("gives the JSON form (material from PIA …:BP, lots from PIA …:NB and GIN+BX, units mapped)", () => {
    const { asn, envelope } = parseEdifactAsn(text);
    expect(asn).toEqual({
      asnNumber: "DN-2026-4471",
      supplier: "SUP-200",
      shipDate: "2026-12-06",
      purchaseOrder: "4500001300",
      lines: [
        { poLine: "10", material: "RM-2000", quantity: 1.5, unit: "M", lot: "B-77/1" },
        { poLine: "20", material: "RM-2001", quantity: 250, unit: "PC", lot: "B-78" },
      ],
    });
    expect(envelope).toMatchObject({ sender: { id: "4012345000009", qualifier: "14" }, controlReference: "20417", messageReference: "ME000001" });
  });

  it("honours the decimal mark of UNA (the library passes 12,75 through as text)", () => {
    const comma = readFixture("edifact-desadv-decimal-comma.edi");
    expect(byName(edifactLibSegments(comma), "QTY")[0]!.elements[0]).toEqual(["12", "12,75", "MTR"]);
    expect(parseEdifactAsn(comma).asn.lines[0]).toMatchObject({ quantity: 12.75, unit: "M" });
  });
});

describe("envelope checks", () => {
  const good = asnToEdifact(SAMPLE_SUPPLIER_ASN, ENVELOPE);
  const codes = (text: string) => readEdifact(text).problems.map((p) => `${p.level}:${p.code}`);

  it("finds wrong counts and references (0085: 28 references, 29 counts, 13 missing)", () => {
    expect(codes(good)).toEqual([]);
    expect(codes(good.replace("UNT+15+1'", "UNT+14+1'"))).toEqual(["transaction:29"]);
    expect(codes(good.replace("UNT+15+1'", "UNT+15+2'"))).toEqual(["transaction:28"]);
    expect(codes(good.replace("UNZ+1+2001'", "UNZ+2+2001'"))).toEqual(["interchange:29"]);
    expect(codes(good.replace("UNZ+1+2001'", "UNZ+1+2002'"))).toEqual(["interchange:28"]);
    expect(codes(good.replace("\nUNZ+1+2001'", ""))).toEqual(["interchange:13"]);
  });

  it("refuses a DESADV without the ASN's fields", () => {
    expect(() => parseEdifactAsn(good.replace("QTY+12:2500:PCE'\n", "").replace("UNT+15", "UNT+14"))).toThrow(/QTY/);
    expect(() => parseEdifactAsn(good.replace("BGM+351", "BGM+220"))).toThrow(/351/);
  });
});

describe("CONTRL syntax and service report", () => {
  const asn = asnToEdifact(SAMPLE_SUPPLIER_ASN, ENVELOPE);

  it("acknowledges a good DESADV: UCI action 7 for the interchange, UCM 7 for the message", () => {
    const contrl = buildContrl(asn, undefined, { controlReference: 9001, now: NOW });
    const segments = edifactLibSegments(contrl);
    expect(only(segments, "UNB").elements.slice(1, 3)).toEqual([
      ["ANDONBUYER", "ZZZ"],
      ["SUP200", "ZZZ"],
    ]);
    expect(only(segments, "UNH").elements).toEqual([["1"], ["CONTRL", "D", "3", "UN"]]);
    expect(only(segments, "UCI").elements).toEqual([["2001"], ["SUP200", "ZZZ"], ["ANDONBUYER", "ZZZ"], ["7"]]);
    expect(only(segments, "UCM").elements).toEqual([["1"], ["DESADV", "D", "96A", "UN"], ["7"]]);
    expect(Number(only(segments, "UNT").elements[0]![0])).toBe(message(segments).length);
    expect(parseContrl(contrl)).toMatchObject({
      subject: { controlReference: "2001", action: "7" },
      messages: [{ reference: "1", type: "DESADV", action: "7" }],
    });
  });

  it("rejects a message whose segment count is wrong (UCM action 4, 0085 = 29, UNT)", () => {
    const contrl = buildContrl(asn.replace("UNT+15+1'", "UNT+13+1'"), undefined, { controlReference: 9002, now: NOW });
    expect(only(edifactLibSegments(contrl), "UCM").elements).toEqual([["1"], ["DESADV", "D", "96A", "UN"], ["4"], ["29"], ["UNT"]]);
    expect(parseContrl(contrl).messages[0]).toMatchObject({ action: "4", code: "29" });
  });

  it("rejects a DESADV without quantity with UCS / UCD at the segment", () => {
    const broken = asn.replace("QTY+12:2500:PCE'", "QTY+21:2500:PCE'");
    const contrl = buildContrl(broken, undefined, { controlReference: 9003, now: NOW });
    const segments = edifactLibSegments(contrl);
    expect(only(segments, "UCM").elements.slice(2)).toEqual([["4"], ["13"]]);
    expect(only(segments, "UCS").elements).toEqual([["12"], ["13"]]);
    expect(parseContrl(contrl).messages[0]!.segmentErrors).toEqual([{ position: 12, code: "13" }]);
  });
});

describe("APERAK application error and acknowledgement", () => {
  const asn = asnToEdifact(SAMPLE_SUPPLIER_ASN, ENVELOPE);

  it("refuses: conforms to the library's APERAK table and parseAperak maps the codes back", () => {
    const aperak = buildAperak(
      asn,
      {
        status: "refused",
        refusals: [
          { code: "PO_UNKNOWN", message: "Line 20 is not on purchase order 4500001234", poLine: "20" },
          { code: "DUPLICATE_ASN", message: "ASN ASN-2026-000123 already received on 2026-12-06 (interchange 1999)" },
        ],
      },
      { controlReference: 9004, now: NOW },
    );
    const segments = edifactLibSegments(aperak);
    expect(edifactTableErrors(segments, "APERAK")).toEqual([]);
    expect(only(segments, "BGM").elements).toEqual([["12E", "", "9"], ["AP9004"], ["27"]]);
    expect(byName(segments, "ERC").map((s) => s.elements[0])).toEqual([
      ["POUNKN", "", "ZZZ"],
      ["DUPASN", "", "ZZZ"],
    ]);
    expect(Number(only(segments, "UNT").elements[0]![0])).toBe(message(segments).length);
    const parsed = parseAperak(aperak);
    expect(parsed).toMatchObject({ status: "refused", asnNumber: "ASN-2026-000123", subjectControlReference: "2001", subjectMessageReference: "1" });
    expect(parsed.refusals.map((r) => [r.code, r.poLine, r.message])).toEqual([
      ["PO_UNKNOWN", "20", "Line 20 is not on purchase order 4500001234"],
      ["DUPLICATE_ASN", undefined, "ASN ASN-2026-000123 already received on 2026-12-06 (interchange 1999)"],
    ]);
  });

  it("accepts with BGM function 6 and no ERC", () => {
    const aperak = buildAperak(asn, { status: "accepted" }, { controlReference: 9005, now: NOW });
    expect(edifactTableErrors(edifactLibSegments(aperak), "APERAK")).toEqual([]);
    expect(parseAperak(aperak)).toMatchObject({ status: "accepted", function: "6", refusals: [] });
  });
});
