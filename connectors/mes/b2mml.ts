import { XMLBuilder, XMLParser } from "fast-xml-parser";

/**
 * B2MML V0600 (MESA, ISA-95 / IEC 62264) messages the MES speaks, built and read with
 * fast-xml-parser. Element names and their order follow the V0600 schema types:
 *
 *   ProcessProductionSchedule / ChangeProductionSchedule   ApplicationArea, DataArea(Process|Change, ProductionSchedule+)
 *     ProductionSchedule   ID, Location, PublishedDate, ProductionRequest+
 *     ProductionRequest    ID, Description, ProductProductionRuleID, Version, Location, StartTime, EndTime,
 *                          SegmentRequirement+, RequestState
 *     SegmentRequirement   ID, ProcessSegmentID, Description, EarliestStartTime, LatestEndTime,
 *                          EquipmentRequirement(EquipmentID), MaterialRequirement*(MaterialDefinitionID,
 *                          MaterialUse, Quantity(QuantityString, DataType, UnitOfMeasure)), SegmentState
 *   AcknowledgeProductionSchedule  ApplicationArea, DataArea(Acknowledge(OriginalApplicationArea,
 *                          ResponseCriteria/ChangeStatus(Code, Description)), ProductionSchedule)
 *   ConfirmBOD             ApplicationArea, DataArea(Confirm(OriginalApplicationArea,
 *                          ResponseCriteria/ChangeStatus(Code=Rejected, Description, ReasonCode, Reason)), BOD*)
 *   ShowProductionPerformance  ApplicationArea, DataArea(Show, ProductionPerformance*)
 *     ProductionPerformance  ID, Location, PublishedDate, ProductionScheduleID, ProductionResponse
 *     ProductionResponse   ID, ProductionRequestID, ProductProductionRuleID, Version, SegmentResponse, ResponseState
 *     SegmentResponse      ID, ProcessSegmentID, ActualStartTime, ActualEndTime, ProductionData*,
 *                          EquipmentActual(EquipmentID), MaterialActual*(MaterialDefinitionID, MaterialUse,
 *                          Quantity), SegmentState
 *
 * Conventions of this MES (documented in README.md): the order number is the ProductionRequest ID
 * and the ProductionSchedule ID; the plant is Location/EquipmentID at level Site; the material is
 * ProductProductionRuleID and the BOM revision its Version; each operation is a SegmentRequirement
 * whose ID is the operation number; the order quantity is a MaterialRequirement with MaterialUse
 * "Produced" in every segment, components are MaterialUse "Consumed"; a segment that is not released
 * has SegmentState "Forecast". In a performance, yield is a MaterialActual "Produced", scrap a
 * MaterialActual with MaterialUse "Other" and OtherValue="Scrap"; SegmentState "Completed" marks the
 * final confirmation of the operation.
 */

export const B2MML_NS = "http://www.mesa.org/xml/B2MML-V0600";

export const SCHEDULE_VERBS = ["Process", "Change"] as const;
export type ScheduleVerb = (typeof SCHEDULE_VERBS)[number];

export interface ApplicationArea {
  sender: string;
  creationDateTime: string;
  bodId: string;
}

export interface ScheduleSegment {
  operation: string;
  description?: string;
  workCentre?: string;
  earliestStart?: string;
  latestEnd?: string;
  state?: string;
  produced: { material?: string; quantity?: string; unit?: string }[];
  consumed: { material?: string; quantity?: string; unit?: string }[];
}

export interface ScheduleRequest {
  orderNumber: string;
  description?: string;
  plant?: string;
  material?: string;
  bomRevision?: string;
  startTime?: string;
  endTime?: string;
  requestState?: string;
  segments: ScheduleSegment[];
}

export interface ProductionScheduleMessage {
  verb: ScheduleVerb;
  applicationArea: ApplicationArea;
  schedules: { id?: string; requests: ScheduleRequest[] }[];
}

export class B2mmlError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "B2mmlError";
  }
}

// ---------------------------------------------------------------------------------------------
// XML plumbing
// ---------------------------------------------------------------------------------------------

const REPEATABLE = new Set([
  "ProductionSchedule",
  "ProductionRequest",
  "SegmentRequirement",
  "EquipmentRequirement",
  "MaterialRequirement",
  "ProductionPerformance",
  "ProductionResponse",
  "SegmentResponse",
  "EquipmentActual",
  "MaterialActual",
  "ProductionData",
  "Quantity",
  "Value",
  "BOD",
  "Receiver",
  "ResponseCriteria",
  "Reason",
  "Description",
  "Note",
  "MaterialDefinitionID",
  "EquipmentID",
  "ProcessSegmentID",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  isArray: (name) => REPEATABLE.has(name),
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, suppressEmptyNode: true });

type Node = Record<string, unknown>;

/** Builds a B2MML document: `body` keys in schema order; undefined values are left out. */
export function buildDocument(root: string, body: Node): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { "@_xmlns": B2MML_NS, ...(prune(body) as Node) } })}`;
}

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Node)
        .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
        .map(([k, v]) => [k, prune(v)]),
    );
  }
  return value;
}

/** Parses a B2MML document; answers its root element name and content. */
export function parseDocument(xml: string): { root: string; node: Node } {
  let parsed: Node;
  try {
    parsed = parser.parse(xml, true) as Node;
  } catch (error) {
    throw new B2mmlError("MES-B2MML-001", `Message is not well-formed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const roots = Object.keys(parsed).filter((key) => !key.startsWith("?"));
  const root = roots[0];
  if (roots.length !== 1 || !root) throw new B2mmlError("MES-B2MML-001", "Message must have exactly one root element");
  const node = parsed[root];
  return { root, node: node && typeof node === "object" ? (node as Node) : {} };
}

function child(node: unknown, name: string): Node | undefined {
  if (!node || typeof node !== "object") return undefined;
  const value = (node as Node)[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  return typeof first === "object" ? (first as Node) : { "#text": String(first) };
}

function children(node: unknown, name: string): Node[] {
  if (!node || typeof node !== "object") return [];
  const value = (node as Node)[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (item && typeof item === "object" ? (item as Node) : { "#text": item === null ? "" : String(item) }));
}

/** Text of an element (also of one that carries attributes). */
export function text(node: unknown, name?: string): string | undefined {
  const target = name === undefined ? node : child(node, name);
  if (target === undefined || target === null) return undefined;
  if (typeof target !== "object") return String(target);
  const value = (target as Node)["#text"];
  return value === undefined ? "" : String(value);
}

function attribute(node: unknown, name: string): string | undefined {
  if (!node || typeof node !== "object") return undefined;
  const value = (node as Node)[`@_${name}`];
  return value === undefined ? undefined : String(value);
}

// ---------------------------------------------------------------------------------------------
// Application area
// ---------------------------------------------------------------------------------------------

export function applicationAreaXml(area: ApplicationArea): Node {
  return { Sender: { LogicalID: area.sender, ConfirmationCode: "OnError" }, CreationDateTime: area.creationDateTime, BODID: area.bodId };
}

export function readApplicationArea(node: unknown): ApplicationArea | undefined {
  const area = child(node, "ApplicationArea");
  if (!area) return undefined;
  return {
    sender: text(child(area, "Sender"), "LogicalID") ?? "",
    creationDateTime: text(area, "CreationDateTime") ?? "",
    bodId: text(area, "BODID") ?? "",
  };
}

// ---------------------------------------------------------------------------------------------
// Production schedule (in)
// ---------------------------------------------------------------------------------------------

export interface QuantityXml {
  quantity: string;
  unit: string;
}

export function quantityXml({ quantity, unit }: QuantityXml): Node {
  return { QuantityString: quantity, DataType: "decimal", UnitOfMeasure: unit };
}

function readQuantity(node: unknown): { quantity?: string; unit?: string } {
  const quantity = children(node, "Quantity")[0];
  return { quantity: text(quantity, "QuantityString"), unit: text(quantity, "UnitOfMeasure") };
}

function siteXml(plant: string | undefined): Node | undefined {
  return plant === undefined ? undefined : { EquipmentID: plant, EquipmentElementLevel: "Site" };
}

export function productionScheduleXml(verb: ScheduleVerb, area: ApplicationArea, schedule: { id: string; plant?: string; requests: Node[] }): string {
  return buildDocument(`${verb}ProductionSchedule`, {
    ApplicationArea: applicationAreaXml(area),
    DataArea: {
      [verb]: "",
      ProductionSchedule: { ID: schedule.id, Location: siteXml(schedule.plant), PublishedDate: area.creationDateTime, ProductionRequest: schedule.requests },
    },
  });
}

/** Reads a Process/ChangeProductionSchedule BOD. Throws B2mmlError (MES-B2MML-*) for what is not one. */
export function parseProductionSchedule(xml: string): ProductionScheduleMessage {
  const { root, node } = parseDocument(xml);
  const verb = SCHEDULE_VERBS.find((v) => root === `${v}ProductionSchedule`);
  if (!verb) throw new B2mmlError("MES-B2MML-001", `Root element ${root} is not a ProcessProductionSchedule or ChangeProductionSchedule`);
  const applicationArea = readApplicationArea(node);
  if (!applicationArea?.bodId) throw new B2mmlError("MES-B2MML-002", "ApplicationArea/BODID is missing");
  const dataArea = child(node, "DataArea");
  const schedules = children(dataArea, "ProductionSchedule").map((schedule) => ({
    id: text(schedule, "ID"),
    requests: children(schedule, "ProductionRequest").map((request) => readRequest(request, text(child(schedule, "Location"), "EquipmentID"))),
  }));
  if (schedules.length === 0) throw new B2mmlError("MES-B2MML-002", "DataArea/ProductionSchedule is missing");
  const requests = schedules.flatMap((s) => s.requests);
  if (requests.length === 0) throw new B2mmlError("MES-B2MML-002", "ProductionSchedule/ProductionRequest is missing");
  for (const request of requests) {
    if (!request.orderNumber) throw new B2mmlError("MES-B2MML-002", "ProductionRequest/ID is missing");
    if (request.segments.length === 0) throw new B2mmlError("MES-B2MML-002", `ProductionRequest ${request.orderNumber} has no SegmentRequirement`);
    for (const segment of request.segments) {
      if (!segment.operation) throw new B2mmlError("MES-B2MML-002", `SegmentRequirement/ID is missing in ProductionRequest ${request.orderNumber}`);
    }
  }
  return { verb, applicationArea, schedules };
}

function readRequest(request: Node, schedulePlant: string | undefined): ScheduleRequest {
  return {
    orderNumber: text(request, "ID") ?? "",
    description: text(request, "Description"),
    plant: text(child(request, "Location"), "EquipmentID") ?? schedulePlant,
    material: text(request, "ProductProductionRuleID"),
    bomRevision: text(request, "Version"),
    startTime: text(request, "StartTime"),
    endTime: text(request, "EndTime"),
    requestState: text(request, "RequestState"),
    segments: children(request, "SegmentRequirement").map((segment) => {
      const materials = children(segment, "MaterialRequirement").map((requirement) => ({
        use: text(requirement, "MaterialUse"),
        material: text(requirement, "MaterialDefinitionID"),
        ...readQuantity(requirement),
      }));
      const strip = ({ use: _use, ...rest }: (typeof materials)[number]) => rest;
      return {
        operation: text(segment, "ID") ?? "",
        description: text(segment, "Description"),
        workCentre: text(children(segment, "EquipmentRequirement")[0], "EquipmentID"),
        earliestStart: text(segment, "EarliestStartTime"),
        latestEnd: text(segment, "LatestEndTime"),
        state: text(segment, "SegmentState"),
        produced: materials.filter((m) => m.use === "Produced").map(strip),
        consumed: materials.filter((m) => m.use === "Consumed").map(strip),
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Acknowledge / ConfirmBOD (answers)
// ---------------------------------------------------------------------------------------------

export interface AcknowledgedRequest {
  orderNumber: string;
  requestState: string;
  /** The MES status of the order after the message (ProductionRequest/Description). */
  mesStatus: string;
}

export interface Acknowledgement {
  applicationArea: ApplicationArea;
  originalBodId: string;
  code: string;
  description: string;
  scheduleId?: string;
  requests: AcknowledgedRequest[];
}

export function acknowledgeXml(
  area: ApplicationArea,
  original: ApplicationArea,
  code: "Accepted" | "Modified",
  description: string,
  scheduleId: string,
  requests: AcknowledgedRequest[],
): string {
  return buildDocument("AcknowledgeProductionSchedule", {
    ApplicationArea: applicationAreaXml(area),
    DataArea: {
      Acknowledge: { OriginalApplicationArea: applicationAreaXml(original), ResponseCriteria: { ChangeStatus: { Code: code, Description: description } } },
      ProductionSchedule: {
        ID: scheduleId,
        ProductionRequest: requests.map((r) => ({ ID: r.orderNumber, Description: r.mesStatus, RequestState: r.requestState })),
      },
    },
  });
}

export function parseAcknowledge(xml: string): Acknowledgement {
  const { root, node } = parseDocument(xml);
  if (root !== "AcknowledgeProductionSchedule") throw new B2mmlError("MES-B2MML-001", `expected AcknowledgeProductionSchedule, got ${root}`);
  const dataArea = child(node, "DataArea");
  const acknowledge = child(dataArea, "Acknowledge");
  const status = child(children(acknowledge, "ResponseCriteria")[0], "ChangeStatus");
  const schedule = children(dataArea, "ProductionSchedule")[0];
  return {
    applicationArea: readApplicationArea(node) ?? { sender: "", creationDateTime: "", bodId: "" },
    originalBodId: text(child(acknowledge, "OriginalApplicationArea"), "BODID") ?? "",
    code: text(status, "Code") ?? "",
    description: text(status, "Description") ?? "",
    scheduleId: text(schedule, "ID"),
    requests: children(schedule, "ProductionRequest").map((request) => ({
      orderNumber: text(request, "ID") ?? "",
      mesStatus: text(request, "Description") ?? "",
      requestState: text(request, "RequestState") ?? "",
    })),
  };
}

export interface BodError {
  code: string;
  message: string;
}

export interface Rejection {
  applicationArea: ApplicationArea;
  originalBodId?: string;
  /** ChangeStatus/ReasonCode: the first error's code. */
  code: string;
  message: string;
  errors: BodError[];
}

export function confirmBodXml(area: ApplicationArea, original: ApplicationArea | undefined, errors: readonly BodError[]): string {
  const first = errors[0] ?? { code: "MES-000", message: "rejected" };
  const originalXml = original ? applicationAreaXml(original) : undefined;
  return buildDocument("ConfirmBOD", {
    ApplicationArea: applicationAreaXml(area),
    DataArea: {
      Confirm: {
        OriginalApplicationArea: originalXml,
        ResponseCriteria: {
          ChangeStatus: {
            Code: "Rejected",
            Description: errors.length === 1 ? first.message : `${errors.length} errors; first: ${first.message}`,
            ReasonCode: first.code,
            Reason: errors.map((e) => e.message),
          },
        },
      },
      BOD: errors.map((e) => ({ OriginalApplicationArea: originalXml, Description: e.message, Note: e.code })),
    },
  });
}

export function parseConfirmBod(xml: string): Rejection {
  const { root, node } = parseDocument(xml);
  if (root !== "ConfirmBOD") throw new B2mmlError("MES-B2MML-001", `expected ConfirmBOD, got ${root}`);
  const dataArea = child(node, "DataArea");
  const confirm = child(dataArea, "Confirm");
  const status = child(children(confirm, "ResponseCriteria")[0], "ChangeStatus");
  const errors = children(dataArea, "BOD").map((bod) => ({ code: text(bod, "Note") ?? "", message: text(bod, "Description") ?? "" }));
  return {
    applicationArea: readApplicationArea(node) ?? { sender: "", creationDateTime: "", bodId: "" },
    originalBodId: text(child(confirm, "OriginalApplicationArea"), "BODID"),
    code: text(status, "ReasonCode") ?? errors[0]?.code ?? "",
    message: text(status, "Description") ?? errors[0]?.message ?? "",
    errors,
  };
}

// ---------------------------------------------------------------------------------------------
// Production performance (out)
// ---------------------------------------------------------------------------------------------

export interface PerformanceRecord {
  /** ProductionPerformance/ID, e.g. MESPERF-0000001. */
  id: string;
  plant: string;
  publishedDate: string;
  /** ProductionResponse/ID: the MES confirmation number. */
  confirmationId: string;
  orderNumber: string;
  material: string;
  bomRevision?: string;
  operation: string;
  workCentre: string;
  actualStart: string;
  actualEnd: string;
  yield: string;
  scrap: string;
  unit: string;
  /** SegmentState: Completed (final confirmation) or Running. */
  segmentState: "Completed" | "Running";
  /** ResponseState: the order after this confirmation (Running or Completed). */
  responseState: string;
  overDelivery: boolean;
}

export function productionPerformanceNode(p: PerformanceRecord): Node {
  return {
    ID: p.id,
    Location: siteXml(p.plant),
    PublishedDate: p.publishedDate,
    ProductionScheduleID: p.orderNumber,
    ProductionResponse: [
      {
        ID: p.confirmationId,
        ProductionRequestID: p.orderNumber,
        ProductProductionRuleID: p.material,
        Version: p.bomRevision,
        SegmentResponse: [
          {
            ID: p.operation,
            ProcessSegmentID: p.operation,
            ActualStartTime: p.actualStart,
            ActualEndTime: p.actualEnd,
            ProductionData: p.overDelivery ? [{ ID: "OverDelivery", Value: [{ ValueString: "true", DataType: "boolean" }] }] : [],
            EquipmentActual: [{ EquipmentID: p.workCentre }],
            MaterialActual: [
              { MaterialDefinitionID: p.material, MaterialUse: "Produced", Quantity: [quantityXml({ quantity: p.yield, unit: p.unit })] },
              {
                MaterialDefinitionID: p.material,
                MaterialUse: { "#text": "Other", "@_OtherValue": "Scrap" },
                Quantity: [quantityXml({ quantity: p.scrap, unit: p.unit })],
              },
            ],
            SegmentState: p.segmentState,
          },
        ],
        ResponseState: p.responseState,
      },
    ],
  };
}

export function showProductionPerformanceXml(area: ApplicationArea, records: readonly PerformanceRecord[]): string {
  return buildDocument("ShowProductionPerformance", {
    ApplicationArea: applicationAreaXml(area),
    DataArea: { Show: "", ProductionPerformance: records.map(productionPerformanceNode) },
  });
}

/** Reads the ProductionPerformance documents of a ShowProductionPerformance (or ProcessProductionPerformance). */
export function parseProductionPerformances(xml: string): PerformanceRecord[] {
  const { root, node } = parseDocument(xml);
  if (!root.endsWith("ProductionPerformance")) throw new B2mmlError("MES-B2MML-001", `expected a ProductionPerformance BOD, got ${root}`);
  return children(child(node, "DataArea"), "ProductionPerformance").map((performance) => {
    const response = children(performance, "ProductionResponse")[0];
    const segment = children(response, "SegmentResponse")[0];
    const actuals = children(segment, "MaterialActual");
    const quantityOf = (use: string) => {
      const actual = actuals.find((a) => materialUseOf(a) === use);
      return actual ? readQuantity(actual) : {};
    };
    const produced = quantityOf("Produced");
    const scrap = quantityOf("Scrap");
    const state = text(segment, "SegmentState");
    return {
      id: text(performance, "ID") ?? "",
      plant: text(child(performance, "Location"), "EquipmentID") ?? "",
      publishedDate: text(performance, "PublishedDate") ?? "",
      confirmationId: text(response, "ID") ?? "",
      orderNumber: text(response, "ProductionRequestID") ?? "",
      material: text(response, "ProductProductionRuleID") ?? "",
      bomRevision: text(response, "Version") || undefined,
      operation: text(segment, "ID") ?? "",
      workCentre: text(children(segment, "EquipmentActual")[0], "EquipmentID") ?? "",
      actualStart: text(segment, "ActualStartTime") ?? "",
      actualEnd: text(segment, "ActualEndTime") ?? "",
      yield: produced.quantity ?? "0",
      scrap: scrap.quantity ?? "0",
      unit: produced.unit ?? scrap.unit ?? "",
      segmentState: state === "Completed" ? "Completed" : "Running",
      responseState: text(response, "ResponseState") ?? "",
      overDelivery: children(segment, "ProductionData").some(
        (d) => text(d, "ID") === "OverDelivery" && text(children(d, "Value")[0], "ValueString") === "true",
      ),
    };
  });
}

/** MaterialUse of an actual; "Other" with OtherValue answers the OtherValue (e.g. Scrap). */
function materialUseOf(actual: Node): string {
  const use = child(actual, "MaterialUse");
  return text(use) === "Other" ? (attribute(use, "OtherValue") ?? "Other") : (text(use) ?? "");
}

/** Quantities as B2MML QuantityString: plain decimal, at most 3 decimals, no exponent. */
export function formatQuantity(value: number): string {
  return String(Number(value.toFixed(3)));
}
