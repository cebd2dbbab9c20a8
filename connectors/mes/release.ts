import { createHash } from "node:crypto";
import { type ApplicationArea, formatQuantity, productionScheduleXml, quantityXml, type ScheduleRequest } from "./b2mml";
import type { ProdordRelease } from "./schema";

/**
 * PRODORD_RELEASE JSON → B2MML Process/ChangeProductionSchedule (what the replay handler and the
 * connector send), and SAP LOIPRO01 (JSON form of the IDoc) → PRODORD_RELEASE JSON.
 */

const startOf = (date: string) => `${date}T00:00:00`;
const endOf = (date: string) => `${date}T23:59:59`;

function segmentNodes(order: ProdordRelease): Record<string, unknown>[] {
  const quantity = formatQuantity(order.quantity);
  const firstOperation = order.operations[0]?.operation;
  return order.operations.map((op) => ({
    ID: op.operation,
    ProcessSegmentID: op.operation,
    Description: op.description,
    EarliestStartTime: op.plannedStart ? startOf(op.plannedStart) : undefined,
    LatestEndTime: op.plannedEnd ? endOf(op.plannedEnd) : undefined,
    EquipmentRequirement: [{ EquipmentID: op.workCentre }],
    MaterialRequirement: [
      { MaterialDefinitionID: order.material, MaterialUse: "Produced", Quantity: [quantityXml({ quantity, unit: order.unit })] },
      ...(order.components ?? [])
        .filter((c) => (c.operation ?? firstOperation) === op.operation)
        .map((c) => ({
          MaterialDefinitionID: c.material,
          MaterialUse: "Consumed",
          Quantity: [quantityXml({ quantity: formatQuantity(c.quantity), unit: c.unit })],
        })),
    ],
    SegmentState: op.released === false ? "Forecast" : "Released",
  }));
}

/** The ProductionRequest element of one order. */
export function productionRequestNode(order: ProdordRelease): Record<string, unknown> {
  const released = order.operations.some((op) => op.released !== false);
  return {
    ID: order.orderNumber,
    ProductProductionRuleID: order.material,
    Version: order.bomRevision,
    Location: { EquipmentID: order.plant, EquipmentElementLevel: "Site" },
    StartTime: startOf(order.plannedStart),
    EndTime: endOf(order.plannedEnd),
    SegmentRequirement: segmentNodes(order),
    RequestState: released ? "Released" : "Forecast",
  };
}

/** A BODID that is the same for every attempt with the same idempotency key. */
export function bodIdFor(idempotencyKey: string): string {
  return idempotencyKey.length <= 64 && /^[\w.:-]+$/.test(idempotencyKey)
    ? idempotencyKey
    : createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40);
}

export interface ScheduleXmlOptions {
  /** Sender's logical ID (default ANDON). */
  sender?: string;
  bodId: string;
  creationDateTime?: string;
}

/** The B2MML message that releases (or re-releases, releaseType "change") the order in the MES. */
export function prodordReleaseToB2mml(order: ProdordRelease, options: ScheduleXmlOptions): string {
  const area: ApplicationArea = {
    sender: options.sender ?? "ANDON",
    bodId: options.bodId,
    creationDateTime: options.creationDateTime ?? new Date().toISOString(),
  };
  return productionScheduleXml(order.releaseType === "change" ? "Change" : "Process", area, {
    id: order.orderNumber,
    plant: order.plant,
    requests: [productionRequestNode(order)],
  });
}

/** The same order as the MES reads it from B2MML (used to seed orders without HTTP). */
export function prodordReleaseToScheduleRequest(order: ProdordRelease): ScheduleRequest {
  const quantity = formatQuantity(order.quantity);
  const firstOperation = order.operations[0]?.operation;
  return {
    orderNumber: order.orderNumber,
    plant: order.plant,
    material: order.material,
    bomRevision: order.bomRevision,
    startTime: startOf(order.plannedStart),
    endTime: endOf(order.plannedEnd),
    segments: order.operations.map((op) => ({
      operation: op.operation,
      description: op.description,
      workCentre: op.workCentre,
      earliestStart: op.plannedStart ? startOf(op.plannedStart) : undefined,
      latestEnd: op.plannedEnd ? endOf(op.plannedEnd) : undefined,
      state: op.released === false ? "Forecast" : "Released",
      produced: [{ material: order.material, quantity, unit: order.unit }],
      consumed: (order.components ?? [])
        .filter((c) => (c.operation ?? firstOperation) === op.operation)
        .map((c) => ({ material: c.material, quantity: formatQuantity(c.quantity), unit: c.unit })),
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// LOIPRO01 → PRODORD_RELEASE
// ---------------------------------------------------------------------------------------------

type Segment = Record<string, unknown>;

const field = (segment: Segment | undefined, name: string): string | undefined => {
  const value = segment?.[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};
const list = (segment: Segment | undefined, name: string): Segment[] => {
  const value = segment?.[name];
  return Array.isArray(value) ? (value as Segment[]) : value && typeof value === "object" ? [value as Segment] : [];
};
const isoOf = (sapDate: string | undefined) =>
  sapDate && /^\d{8}$/.test(sapDate) ? `${sapDate.slice(0, 4)}-${sapDate.slice(4, 6)}-${sapDate.slice(6, 8)}` : undefined;

/**
 * Maps the JSON form of a LOIPRO01 IDoc (E1AFKOL header, E1AFFLL/E1AFVOL operations, E1RESBL
 * reservations) to a PRODORD_RELEASE payload. Components whose quantity is zero are dropped; the
 * BOM revision comes from E1AFKOL-REVLV when present. Throws when a mandatory field is missing.
 */
export function prodordReleaseFromLoipro01(idoc: { E1AFKOL?: Segment }, overrides: Partial<ProdordRelease> = {}): ProdordRelease {
  const header = idoc.E1AFKOL;
  const required = (name: string) => {
    const value = field(header, name);
    if (value === undefined) throw new Error(`LOIPRO01: E1AFKOL-${name} is missing`);
    return value;
  };
  const operations = list(header, "E1AFFLL")
    .flatMap((sequence) => list(sequence, "E1AFVOL"))
    .map((op) => ({ operation: field(op, "VORNR") ?? "", workCentre: field(op, "ARBPL") ?? "", description: field(op, "LTXA1") }));
  const components = list(header, "E1RESBL")
    .map((item) => ({ material: field(item, "MATNR") ?? "", quantity: Number(field(item, "BDMNG") ?? 0), unit: field(item, "MEINS") ?? "" }))
    .filter((c) => c.material && c.quantity > 0);
  const revision = field(header, "REVLV");
  return {
    orderNumber: required("AUFNR"),
    plant: required("WERKS"),
    material: required("MATNR"),
    quantity: Number(required("GAMNG")),
    unit: required("GMEIN"),
    ...(revision ? { bomRevision: revision } : {}),
    plannedStart: isoOf(required("GSTRP")) ?? "",
    plannedEnd: isoOf(required("GLTRP")) ?? "",
    operations,
    ...(components.length > 0 ? { components } : {}),
    ...overrides,
  };
}
