import { readFileSync } from "node:fs";
import path from "node:path";
import { Validator } from "@cfworker/json-schema";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMesClient } from "./client";
import { startMesEmulator, type MesEmulator } from "./emulator";
import { prodordReleaseFromLoipro01, prodordReleaseToB2mml } from "./release";
import { PRODORD_CONFIRM_SAMPLE, PRODORD_RELEASE_SAMPLE } from "./samples";
import { PRODORD_CONFIRM_PAYLOAD_SCHEMA, PRODORD_RELEASE_PAYLOAD_SCHEMA } from "./schema";
import { emitConfirmation } from "./source";

/**
 * Contract: the B2MML the connector sends and the MES answers, read back by a separately configured
 * fast-xml-parser (namespace-aware paths, no code of ours), and the exported JSON Schemas checked
 * by @cfworker/json-schema against the samples.
 */

const NS = "http://www.mesa.org/xml/B2MML-V0600";
// Independent reading: keep namespace prefixes, arrays only where XML repeats, attributes with "$".
const independent = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "$",
  parseTagValue: false,
  isArray: (name) => ["ProductionRequest", "SegmentRequirement", "MaterialRequirement", "MaterialActual", "BOD", "ProductionPerformance"].includes(name),
});
// biome-ignore lint/suspicious/noExplicitAny: free navigation in parsed XML trees
type Tree = Record<string, any>;
const read = (xml: string) => independent.parse(xml) as Tree;

const loipro = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "sap-loipro01-production-order.json"), "utf8")) as Tree;

let mes: MesEmulator;
beforeAll(async () => {
  mes = await startMesEmulator({ now: () => new Date("2026-11-24T08:30:00Z") });
});
afterAll(async () => {
  await mes.close();
});
beforeEach(() => mes.reset());

describe("PRODORD_RELEASE → B2MML ProcessProductionSchedule", () => {
  it("maps the shared LOIPRO01 sample field by field", () => {
    const order = prodordReleaseFromLoipro01(loipro);
    const header = loipro.E1AFKOL;
    expect(order).toMatchObject({
      orderNumber: header.AUFNR,
      plant: header.WERKS,
      material: header.MATNR,
      quantity: Number(header.GAMNG),
      unit: header.GMEIN,
      plannedStart: "2026-11-24",
      plannedEnd: "2026-11-26",
    });
    expect(order.operations.map((op) => [op.operation, op.workCentre, op.description])).toEqual(
      header.E1AFFLL[0].E1AFVOL.map((op: Tree) => [op.VORNR, op.ARBPL, op.LTXA1]),
    );
    expect(order.components).toEqual(header.E1RESBL.map((c: Tree) => ({ material: c.MATNR, quantity: Number(c.BDMNG), unit: c.MEINS })));

    const xml = prodordReleaseToB2mml(order, { bodId: "BOD-1", sender: "ERPCLNT100", creationDateTime: "2026-11-23T08:15:02Z" });
    const root = read(xml).ProcessProductionSchedule;
    expect(root.$xmlns).toBe(NS);
    expect(root.ApplicationArea).toMatchObject({ Sender: { LogicalID: "ERPCLNT100" }, BODID: "BOD-1", CreationDateTime: "2026-11-23T08:15:02Z" });
    expect(root.DataArea).toHaveProperty("Process");
    const request = root.DataArea.ProductionSchedule.ProductionRequest[0];
    expect(request).toMatchObject({
      ID: header.AUFNR,
      ProductProductionRuleID: "FG-2200-A",
      Location: { EquipmentID: "1000", EquipmentElementLevel: "Site" },
      StartTime: "2026-11-24T00:00:00",
      EndTime: "2026-11-26T23:59:59",
      RequestState: "Released",
    });
    expect(request.SegmentRequirement.map((s: Tree) => [s.ID, s.EquipmentRequirement.EquipmentID, s.SegmentState])).toEqual([
      ["0010", "WC-CUT-01", "Released"],
      ["0020", "WC-WELD-02", "Released"],
    ]);
    const first = request.SegmentRequirement[0].MaterialRequirement;
    expect(first.map((m: Tree) => [m.MaterialDefinitionID, m.MaterialUse, m.Quantity.QuantityString, m.Quantity.UnitOfMeasure])).toEqual([
      ["FG-2200-A", "Produced", "250", "PC"],
      ["RM-4711", "Consumed", "500", "PC"],
      ["RM-0815", "Consumed", "250", "KG"],
    ]);
    // The element order of a SegmentRequirement follows the B2MML V0600 sequence.
    const segmentXml = xml.slice(xml.indexOf("<SegmentRequirement>"), xml.indexOf("</SegmentRequirement>"));
    const order_ = ["<ID>", "<ProcessSegmentID>", "<Description>", "<EquipmentRequirement>", "<MaterialRequirement>", "<SegmentState>"].map((tag) =>
      segmentXml.indexOf(tag),
    );
    expect(order_).toEqual([...order_].sort((a, b) => a - b));
  });

  it("the MES acknowledges the sample; the answer reads as an AcknowledgeProductionSchedule", async () => {
    const response = await fetch(`${mes.url}/mes/b2mml/production-schedule`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: prodordReleaseToB2mml(PRODORD_RELEASE_SAMPLE, { bodId: "BOD-2", sender: "ERPCLNT100" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/xml/);
    const ack = read(await response.text()).AcknowledgeProductionSchedule;
    expect(ack.$xmlns).toBe(NS);
    expect(ack.ApplicationArea.Sender.LogicalID).toBe("MES");
    expect(ack.DataArea.Acknowledge.OriginalApplicationArea.BODID).toBe("BOD-2");
    expect(ack.DataArea.Acknowledge.ResponseCriteria.ChangeStatus.Code).toBe("Accepted");
    expect(ack.DataArea.ProductionSchedule.ProductionRequest[0]).toEqual({ ID: "1004711", Description: "RELEASED", RequestState: "Released" });
  });

  it("a refusal is a ConfirmBOD with ChangeStatus Rejected, the MES's reason code and one BOD per error", async () => {
    const xml = prodordReleaseToB2mml(
      { ...PRODORD_RELEASE_SAMPLE, unit: "ST", operations: [{ operation: "0010", workCentre: "WC-NOPE-9" }], components: undefined },
      { bodId: "BOD-3" },
    );
    const response = await fetch(`${mes.url}/mes/b2mml/production-schedule`, { method: "POST", headers: { "content-type": "application/xml" }, body: xml });
    expect(response.status).toBe(422);
    const confirm = read(await response.text()).ConfirmBOD;
    expect(confirm.$xmlns).toBe(NS);
    expect(confirm.DataArea.Confirm.OriginalApplicationArea.BODID).toBe("BOD-3");
    const status = confirm.DataArea.Confirm.ResponseCriteria.ChangeStatus;
    expect(status.Code).toBe("Rejected");
    expect(status.ReasonCode).toBe("MES-UOM-001");
    expect(confirm.DataArea.BOD.map((b: Tree) => b.Note).sort()).toEqual(["MES-EQP-001", "MES-UOM-001"]);
  });
});

describe("PRODORD_CONFIRM from B2MML ProductionPerformance", () => {
  it("the performance the MES publishes reads as B2MML, and the payload matches it", async () => {
    await createMesClient(mes.url).releaseOrder(PRODORD_RELEASE_SAMPLE, { idempotencyKey: "r-1" });
    const emitted = await emitConfirmation(mes.url, {
      order: "1004711",
      operation: "0010",
      yield: 120,
      scrap: 3,
      start: "2026-11-24T05:00:00Z",
      end: "2026-11-24T08:30:00Z",
    });
    const show = read(emitted.xml).ShowProductionPerformance;
    expect(show.$xmlns).toBe(NS);
    expect(show.DataArea).toHaveProperty("Show");
    const performance = show.DataArea.ProductionPerformance[0];
    expect(performance.ID).toBe(emitted.performanceId);
    const response = performance.ProductionResponse;
    expect(response).toMatchObject({ ProductionRequestID: "1004711", ProductProductionRuleID: "FG-2200-A", Version: "A", ResponseState: "Running" });
    const segment = response.SegmentResponse;
    expect(segment).toMatchObject({
      ID: "0010",
      ActualStartTime: "2026-11-24T06:00:00+01:00",
      ActualEndTime: "2026-11-24T09:30:00+01:00",
      EquipmentActual: { EquipmentID: "WC-CUT-01" },
      SegmentState: "Running",
    });
    const [produced, scrap] = segment.MaterialActual;
    expect(produced).toMatchObject({ MaterialUse: "Produced", Quantity: { QuantityString: "120", UnitOfMeasure: "PC" } });
    expect(scrap).toMatchObject({ MaterialUse: { "#text": "Other", $OtherValue: "Scrap" }, Quantity: { QuantityString: "3", UnitOfMeasure: "PC" } });

    expect(emitted.payload).toEqual({ ...PRODORD_CONFIRM_SAMPLE, ConfirmationText: `MES ${response.ID}` });
  });
});

describe("payload JSON Schemas (checked by @cfworker/json-schema)", () => {
  const validate = (schema: object, value: unknown) => new Validator(schema as never, "2020-12").validate(value);

  it("PRODORD_RELEASE: the sample is valid, a missing work centre or a zero quantity is not, an ST unit still is (the MES refuses it)", () => {
    expect(PRODORD_RELEASE_PAYLOAD_SCHEMA).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object" });
    expect(validate(PRODORD_RELEASE_PAYLOAD_SCHEMA, PRODORD_RELEASE_SAMPLE).valid).toBe(true);
    expect(validate(PRODORD_RELEASE_PAYLOAD_SCHEMA, { ...PRODORD_RELEASE_SAMPLE, quantity: 0 }).valid).toBe(false);
    expect(validate(PRODORD_RELEASE_PAYLOAD_SCHEMA, { ...PRODORD_RELEASE_SAMPLE, operations: [{ operation: "0010" }] }).valid).toBe(false);
    expect(validate(PRODORD_RELEASE_PAYLOAD_SCHEMA, { ...PRODORD_RELEASE_SAMPLE, colour: "red" }).valid).toBe(false);
    expect(validate(PRODORD_RELEASE_PAYLOAD_SCHEMA, { ...PRODORD_RELEASE_SAMPLE, unit: "ST" }).valid).toBe(true);
  });

  it("PRODORD_CONFIRM: the sample is valid; field names are ProdnOrdConf2's", () => {
    expect(validate(PRODORD_CONFIRM_PAYLOAD_SCHEMA, PRODORD_CONFIRM_SAMPLE).valid).toBe(true);
    expect(validate(PRODORD_CONFIRM_PAYLOAD_SCHEMA, { ...PRODORD_CONFIRM_SAMPLE, ConfirmationYieldQuantity: 120 }).valid).toBe(false);
    expect(validate(PRODORD_CONFIRM_PAYLOAD_SCHEMA, { ...PRODORD_CONFIRM_SAMPLE, FinalConfirmationType: "DONE" }).valid).toBe(false);
    const properties = Object.keys((PRODORD_CONFIRM_PAYLOAD_SCHEMA as { properties: object }).properties);
    expect(properties).toEqual(
      expect.arrayContaining([
        "OrderID",
        "OrderOperation",
        "ConfirmationYieldQuantity",
        "ConfirmationScrapQuantity",
        "ConfirmationUnit",
        "WorkCenter",
        "PostingDate",
        "FinalConfirmationType",
      ]),
    );
  });
});
