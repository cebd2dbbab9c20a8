import { describe, expect, it } from "vitest";
import { renderMessageText, sapMessage } from "./messages";
import {
  classifyIdocStatus,
  classifyStatusRecord,
  createStatusRecord,
  currentStatus,
  describeIdocStatus,
  idocStatusRecordSchema,
  isFinalStatus,
  toEdids,
  type IdocStatusRecord,
} from "./status";

const DOCNUM = "0000000004712001";
const AT = new Date("2026-11-23T08:15:02Z");

function record(status: string, counter: number, fields: Partial<IdocStatusRecord> = {}): IdocStatusRecord {
  return { ...createStatusRecord({ docnum: DOCNUM, status, counter, at: AT }), ...fields };
}

const deficit = sapMessage("deficit", "SL Unrestricted-use", "12", "PC", "RM-4711 1000 0001");

describe("SAP messages", () => {
  it("renders M7 021 exactly as in the goods-movement sample", () => {
    expect(deficit).toEqual({
      type: "E",
      id: "M7",
      number: "021",
      v1: "SL Unrestricted-use",
      v2: "12",
      v3: "PC",
      v4: "RM-4711 1000 0001",
      text: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
    });
  });

  it("fills numbered and bare & placeholders like the ABAP MESSAGE statement", () => {
    expect(renderMessageText("Material &1 not maintained in plant &2", ["RM-4711", "2000"])).toBe("Material RM-4711 not maintained in plant 2000");
    expect(renderMessageText("& & changed", ["Order", "1004711"])).toBe("Order 1004711 changed");
    expect(renderMessageText("&2 before &1", ["a", "b"])).toBe("b before a");
  });

  it("cuts message variables to their 50 characters", () => {
    expect(sapMessage("materialUnknown", "X".repeat(60)).v1).toHaveLength(50);
  });
});

describe("status records", () => {
  it("are written like EDIDS rows: counter, log date/time, message fields and rendered text", () => {
    const written = createStatusRecord({
      docnum: DOCNUM,
      status: "51",
      counter: 4,
      at: AT,
      message: deficit,
      segnum: "000004",
      segfld: "ENTRY_QNT",
      uname: "ALEREMOTE",
    });
    expect(written).toEqual({
      DOCNUM,
      COUNTR: "000004",
      LOGDAT: "20261123",
      LOGTIM: "081502",
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
      SEGFLD: "ENTRY_QNT",
      UNAME: "ALEREMOTE",
      REPID: "",
    });
    expect(idocStatusRecordSchema.parse(written)).toEqual(written);
  });

  it("use the status description as text when there is no message", () => {
    expect(record("64", 2).STATXT).toBe("IDoc ready to be transferred to application");
    expect(createStatusRecord({ docnum: DOCNUM, status: "02", counter: 1, at: AT, text: "Error when opening an RFC connection" }).STATXT).toBe(
      "Error when opening an RFC connection",
    );
  });

  it("map to EDIDS column names (STAMID, STAMNO, STAPA1…4)", () => {
    const edids = toEdids(createStatusRecord({ docnum: DOCNUM, status: "51", counter: 4, at: AT, message: deficit }));
    expect(edids).toMatchObject({
      STATYP: "E",
      STAMID: "M7",
      STAMNO: "021",
      STAPA1: "SL Unrestricted-use",
      STAPA2: "12",
      STAPA3: "PC",
      STAPA4: "RM-4711 1000 0001",
    });
  });

  it("know the status vocabulary", () => {
    expect(describeIdocStatus("03")?.text).toBe("Data passed to port OK");
    expect(describeIdocStatus("12")?.text).toBe("Dispatch OK");
    expect(describeIdocStatus("53")).toMatchObject({ direction: "inbound", kind: "success" });
    expect(describeIdocStatus("68")).toMatchObject({ text: "Error - no further processing", kind: "error" });
    expect(describeIdocStatus("99")).toBeUndefined();
    expect(isFinalStatus("53")).toBe(true);
    expect(isFinalStatus("51")).toBe(false);
  });
});

describe("classification into Andon failures", () => {
  it("51 with an application message is a business failure coded MSGID-MSGNO", () => {
    const failure = classifyStatusRecord(record("51", 4, { MSGID: "M7", MSGNO: "021", STATXT: deficit.text, MSGV2: "12" }));
    expect(failure).toEqual({
      category: "business",
      code: "M7-021",
      message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
      details: { idocStatus: "51", docnum: DOCNUM, msgv: ["", "12", "", ""] },
    });
  });

  it("51 without a message is coded by its status", () => {
    expect(classifyStatusRecord(record("51", 4))).toMatchObject({ category: "business", code: "IDOC-51", message: "Application document not posted" });
  });

  it("02 is technical (IDOC-02), even when a message is attached", () => {
    expect(classifyStatusRecord(record("02", 1, { MSGID: "E0", MSGNO: "123", STATXT: "Error when opening an RFC connection" }))).toMatchObject({
      category: "technical",
      code: "IDOC-02",
      message: "Error when opening an RFC connection",
    });
  });

  it("68 is a (terminal) business failure; 60 a contract problem; 56, 63, 65 technical", () => {
    expect(classifyStatusRecord(record("68", 2, { MSGID: "ZSAPEMU", MSGNO: "001" }))).toMatchObject({ category: "business", code: "ZSAPEMU-001" });
    expect(classifyStatusRecord(record("68", 2))).toMatchObject({ category: "business", code: "IDOC-68" });
    expect(classifyStatusRecord(record("60", 2))).toMatchObject({ category: "business", code: "IDOC-60" });
    for (const status of ["56", "63", "65", "29"])
      expect(classifyStatusRecord(record(status, 2))).toMatchObject({ category: "technical", code: `IDOC-${status}` });
  });

  it("progress and success statuses are not failures", () => {
    for (const status of ["01", "03", "12", "30", "50", "53", "62", "64"]) expect(classifyStatusRecord(record(status, 1))).toBeNull();
  });

  it("an IDoc is classified by its current status and the first error of the final run", () => {
    const period = { MSGID: "M7", MSGNO: "053", STATXT: "Posting only possible in periods 2026/11 and 2026/10 in company code 1000" };
    const records = [
      record("50", 1),
      record("64", 2),
      record("62", 3),
      record("51", 4, { MSGID: "M7", MSGNO: "021", STATXT: deficit.text }),
      record("50", 5),
      record("62", 6),
      record("51", 7, period),
      record("51", 8, { MSGID: "M7", MSGNO: "002" }),
    ];
    expect(currentStatus([...records].reverse())).toBe("51");
    expect(classifyIdocStatus([...records].reverse())).toMatchObject({ code: "M7-053", message: period.STATXT });
    expect(classifyIdocStatus([...records, record("53", 9)])).toBeNull();
    expect(classifyIdocStatus([])).toBeNull();
  });
});
