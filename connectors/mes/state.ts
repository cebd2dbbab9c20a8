import type { ScheduleRequest, ScheduleVerb } from "./b2mml";
import { MES_TO_B2MML_STATE, MES_TO_SAP_STATUS, MES_UNITS, type MesOperationStatus, type MesOrderStatus } from "./schema";

/**
 * The emulated MES: its equipment model (sites and work centres), the production orders it received
 * from the ERP, and the confirmations recorded at the shop-floor terminals. Business rules raise
 * MesError with the MES's own message codes (see README.md).
 */

export class MesError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status of the REST answer (B2MML refusals always answer 422 with a ConfirmBOD). */
    readonly status = 422,
  ) {
    super(message);
    this.name = "MesError";
  }
}

/** Several refusals of one message (a ConfirmBOD lists each). */
export class MesErrors extends Error {
  constructor(readonly errors: readonly MesError[]) {
    super(errors.map((e) => `${e.code} ${e.message}`).join("; "));
    this.name = "MesErrors";
  }
}

export interface Site {
  plant: string;
  timeZone: string;
  workCentres: Set<string>;
}

export interface MesComponent {
  material: string;
  quantity: number;
  unit: string;
  operation: string;
}

export interface MesOperation {
  operation: string;
  workCentre: string;
  description?: string;
  plannedStart?: string;
  plannedEnd?: string;
  status: MesOperationStatus;
  confirmedYield: number;
  confirmedScrap: number;
}

export interface MesOrder {
  orderNumber: string;
  plant: string;
  material: string;
  quantity: number;
  unit: string;
  bomRevision?: string;
  plannedStart?: string;
  plannedEnd?: string;
  status: MesOrderStatus;
  operations: MesOperation[];
  components: MesComponent[];
  /** How many releases changed the order (1 after the first). */
  revision: number;
  receivedAt: string;
  changedAt: string;
}

export interface MesConfirmation {
  /** MES confirmation number, e.g. MESCONF-0000001. */
  id: string;
  /** Position in the performance feed (1, 2, …). */
  sequence: number;
  performanceId: string;
  orderNumber: string;
  operation: string;
  plant: string;
  material: string;
  bomRevision?: string;
  workCentre: string;
  yield: number;
  scrap: number;
  unit: string;
  start: string;
  end: string;
  final: boolean;
  /** The confirmation exceeded the open quantity (within the MES's over-delivery tolerance). */
  overDelivery: boolean;
  recordedAt: string;
  /** Order status after this confirmation. */
  orderStatus: MesOrderStatus;
}

export interface ConfirmationInput {
  order: string;
  operation: string;
  yield: number;
  scrap?: number;
  /** ISO instants; default: end = now, start = end − 1 h. */
  start?: string;
  end?: string;
  /** Final confirmation of the operation; default: when the open quantity is used up. */
  final?: boolean;
}

/** Seeded equipment model: the MES sites of the demo plants (Hamburg 1000, Monterrey MTY). */
export const SEED_SITES: readonly { plant: string; timeZone: string; workCentres: readonly string[] }[] = [
  { plant: "1000", timeZone: "Europe/Berlin", workCentres: ["WC-CUT-01", "WC-WELD-02", "WC-ASSY-03", "WC-PAINT-04", "WC-PACK-05"] },
  { plant: "MTY", timeZone: "America/Monterrey", workCentres: ["WC-MOLD-01", "WC-TRIM-02", "WC-PACK-01"] },
];

/** Orders are keyed without leading zeros (SAP's ALPHA conversion output). */
export function normalizeOrder(orderNumber: string): string {
  return orderNumber.replace(/^0+(?=.)/, "");
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

function dateOf(value: string | undefined): string | undefined {
  return value?.match(/^\d{4}-\d{2}-\d{2}/)?.[0];
}

/** The content of one ProductionRequest in the MES's terms (after the B2MML mapping). */
interface ReleaseContent {
  orderNumber: string;
  plant: string;
  material: string;
  quantity: number;
  unit: string;
  bomRevision?: string;
  plannedStart?: string;
  plannedEnd?: string;
  operations: { operation: string; workCentre: string; description?: string; plannedStart?: string; plannedEnd?: string; released: boolean }[];
  components: MesComponent[];
}

export interface ReleaseResult {
  order: MesOrder;
  outcome: "created" | "changed" | "unchanged";
}

export class MesState {
  readonly sites = new Map<string, Site>();
  readonly orders = new Map<string, MesOrder>();
  readonly confirmations: MesConfirmation[] = [];

  constructor(
    private readonly now: () => Date,
    /** Over-delivery the MES lets an operator confirm beyond the open quantity, in % of the order quantity. */
    readonly overDeliveryTolerancePercent = 10,
  ) {
    for (const site of SEED_SITES) this.addSite(site.plant, site.timeZone, site.workCentres);
  }

  addSite(plant: string, timeZone: string, workCentres: readonly string[] = []): Site {
    const site = this.sites.get(plant) ?? { plant, timeZone, workCentres: new Set<string>() };
    site.timeZone = timeZone;
    for (const wc of workCentres) site.workCentres.add(wc);
    this.sites.set(plant, site);
    return site;
  }

  order(orderNumber: string): MesOrder | undefined {
    return this.orders.get(normalizeOrder(orderNumber));
  }

  // -------------------------------------------------------------------------------------------
  // Production schedule in (PRODORD_RELEASE)
  // -------------------------------------------------------------------------------------------

  /**
   * Applies the requests of one Process/ChangeProductionSchedule: all or nothing. Throws MesErrors
   * with every refusal found.
   */
  receiveSchedule(verb: ScheduleVerb, requests: readonly ScheduleRequest[]): ReleaseResult[] {
    const errors: MesError[] = [];
    const contents = requests.map((request) => this.contentOf(request, errors));
    const seen = new Set<string>();
    for (const content of contents) {
      if (!content) continue;
      if (seen.has(content.orderNumber)) errors.push(new MesError("MES-ORD-001", `Production request ${content.orderNumber} occurs twice in the schedule`));
      seen.add(content.orderNumber);
      this.checkRelease(verb, content, errors);
    }
    if (errors.length > 0) throw new MesErrors(errors);
    return contents.map((content) => this.apply(verb, content as ReleaseContent));
  }

  private contentOf(request: ScheduleRequest, errors: MesError[]): ReleaseContent | undefined {
    const orderNumber = normalizeOrder(request.orderNumber);
    const before = errors.length;
    const first = request.segments.find((s) => s.produced.length > 0)?.produced[0];
    if (!request.plant) errors.push(new MesError("MES-B2MML-002", `ProductionRequest ${orderNumber}: Location/EquipmentID (site) is missing`));
    if (!request.material) errors.push(new MesError("MES-B2MML-002", `ProductionRequest ${orderNumber}: ProductProductionRuleID (material) is missing`));
    if (!first?.quantity || !first.unit) {
      errors.push(
        new MesError("MES-B2MML-002", `ProductionRequest ${orderNumber}: no MaterialRequirement with MaterialUse Produced, Quantity and UnitOfMeasure`),
      );
    }
    const quantity = Number(first?.quantity);
    const unit = first?.unit ?? "";
    if (first?.quantity && (!Number.isFinite(quantity) || quantity <= 0)) {
      errors.push(new MesError("MES-QTY-001", `Order ${orderNumber}: quantity ${first.quantity} must be greater than zero`));
    }
    if (unit && !isMesUnit(unit)) errors.push(unknownUnit(unit, `order ${orderNumber}`));
    const site = request.plant ? this.sites.get(request.plant) : undefined;
    if (request.plant && !site) errors.push(new MesError("MES-EQP-002", `Site ${request.plant} is not defined in the MES equipment model`));
    const operations: ReleaseContent["operations"] = [];
    const components: MesComponent[] = [];
    for (const segment of request.segments) {
      if (operations.some((op) => op.operation === segment.operation)) {
        errors.push(new MesError("MES-OPR-005", `Order ${orderNumber}: operation ${segment.operation} occurs twice`));
      }
      const workCentre = segment.workCentre ?? "";
      if (!workCentre)
        errors.push(new MesError("MES-B2MML-002", `Order ${orderNumber} operation ${segment.operation}: EquipmentRequirement/EquipmentID is missing`));
      else if (site && !site.workCentres.has(workCentre)) {
        errors.push(
          new MesError("MES-EQP-001", `Work centre ${workCentre} (operation ${segment.operation}) is not defined in the equipment model of site ${site.plant}`),
        );
      }
      for (const produced of segment.produced) {
        if (produced.quantity !== first?.quantity || produced.unit !== first?.unit) {
          errors.push(
            new MesError(
              "MES-B2MML-003",
              `Order ${orderNumber}: segment ${segment.operation} produces ${produced.quantity} ${produced.unit}, not the order quantity`,
            ),
          );
        }
      }
      for (const consumed of segment.consumed) {
        const componentQuantity = Number(consumed.quantity);
        if (!consumed.material || !consumed.quantity || !consumed.unit) {
          errors.push(
            new MesError(
              "MES-B2MML-002",
              `Order ${orderNumber} operation ${segment.operation}: a consumed MaterialRequirement lacks material, quantity or unit`,
            ),
          );
          continue;
        }
        if (!Number.isFinite(componentQuantity) || componentQuantity <= 0) {
          errors.push(
            new MesError("MES-QTY-001", `Order ${orderNumber}: component ${consumed.material} quantity ${consumed.quantity} must be greater than zero`),
          );
        }
        if (!isMesUnit(consumed.unit)) errors.push(unknownUnit(consumed.unit, `component ${consumed.material} of order ${orderNumber}`));
        components.push({ material: consumed.material, quantity: componentQuantity, unit: consumed.unit, operation: segment.operation });
      }
      operations.push({
        operation: segment.operation,
        workCentre,
        description: segment.description,
        plannedStart: dateOf(segment.earliestStart),
        plannedEnd: dateOf(segment.latestEnd),
        released: segment.state === undefined || segment.state === "" || segment.state === "Released",
      });
    }
    if (errors.length > before) return undefined;
    return {
      orderNumber,
      plant: request.plant ?? "",
      material: request.material ?? "",
      quantity,
      unit,
      bomRevision: request.bomRevision || undefined,
      plannedStart: dateOf(request.startTime),
      plannedEnd: dateOf(request.endTime),
      operations,
      components,
    };
  }

  private checkRelease(verb: ScheduleVerb, content: ReleaseContent, errors: MesError[]): void {
    const existing = this.orders.get(content.orderNumber);
    if (!existing) {
      if (verb === "Change") errors.push(new MesError("MES-ORD-002", `Order ${content.orderNumber} is not known to the MES; it cannot be changed`));
      return;
    }
    if (sameContent(existing, content)) return;
    if (verb === "Process") {
      errors.push(
        new MesError(
          "MES-ORD-001",
          `Order ${content.orderNumber} already exists in the MES with different content (status ${existing.status}); send a ChangeProductionSchedule to re-release it`,
        ),
      );
      return;
    }
    if (existing.material !== content.material || existing.plant !== content.plant) {
      errors.push(
        new MesError(
          "MES-ORD-001",
          `Order ${content.orderNumber} exists for material ${existing.material} in site ${existing.plant}; material and site cannot change`,
        ),
      );
    }
    if (existing.status === "DONE" || existing.status === "CLOSED") {
      errors.push(new MesError("MES-ORD-004", `Order ${content.orderNumber} has status ${existing.status} and cannot be re-released`));
      return;
    }
    const started = existing.status === "RUNNING";
    if (started && content.quantity < existing.quantity) {
      errors.push(
        new MesError(
          "MES-ORD-003",
          `Order ${content.orderNumber} is already started (RUNNING); it cannot be re-released with a lower quantity (${formatNumber(content.quantity)} < ${formatNumber(existing.quantity)} ${existing.unit})`,
        ),
      );
    }
    if (started && content.unit !== existing.unit) {
      errors.push(
        new MesError("MES-UOM-002", `Order ${content.orderNumber} is already started in ${existing.unit}; its unit cannot change to ${content.unit}`),
      );
    }
    for (const op of existing.operations) {
      const confirmed = op.confirmedYield + op.confirmedScrap > 0 || op.status === "RUNNING" || op.status === "DONE";
      const next = content.operations.find((o) => o.operation === op.operation);
      if (confirmed && !next) {
        errors.push(new MesError("MES-OPR-004", `Operation ${op.operation} of order ${content.orderNumber} has confirmations and cannot be removed`));
      } else if (confirmed && next && next.workCentre !== op.workCentre) {
        errors.push(new MesError("MES-OPR-004", `Operation ${op.operation} of order ${content.orderNumber} has confirmations; its work centre cannot change`));
      }
    }
  }

  private apply(verb: ScheduleVerb, content: ReleaseContent): ReleaseResult {
    const at = this.now().toISOString();
    const existing = this.orders.get(content.orderNumber);
    if (existing && sameContent(existing, content)) return { order: existing, outcome: "unchanged" };
    const previous = new Map(existing?.operations.map((op) => [op.operation, op]) ?? []);
    const order: MesOrder = {
      orderNumber: content.orderNumber,
      plant: content.plant,
      material: content.material,
      quantity: content.quantity,
      unit: content.unit,
      bomRevision: content.bomRevision,
      plannedStart: content.plannedStart,
      plannedEnd: content.plannedEnd,
      status: "SCHEDULED",
      operations: content.operations.map((op) => {
        const before = previous.get(op.operation);
        const started = before && (before.status === "RUNNING" || before.status === "DONE");
        return {
          operation: op.operation,
          workCentre: op.workCentre,
          description: op.description,
          plannedStart: op.plannedStart,
          plannedEnd: op.plannedEnd,
          status: started ? before.status : op.released ? "RELEASED" : "SCHEDULED",
          confirmedYield: before?.confirmedYield ?? 0,
          confirmedScrap: before?.confirmedScrap ?? 0,
        };
      }),
      components: content.components,
      revision: (existing?.revision ?? 0) + 1,
      receivedAt: existing?.receivedAt ?? at,
      changedAt: at,
    };
    order.status = orderStatusOf(order);
    this.orders.set(order.orderNumber, order);
    return { order, outcome: existing ? "changed" : verb === "Change" ? "changed" : "created" };
  }

  // -------------------------------------------------------------------------------------------
  // Confirmations (PRODORD_CONFIRM source)
  // -------------------------------------------------------------------------------------------

  /** Records an operation confirmation as an operator at the terminal would; throws MesError. */
  confirm(input: ConfirmationInput): MesConfirmation {
    const order = this.order(input.order);
    if (!order) throw new MesError("MES-ORD-002", `Order ${normalizeOrder(input.order)} is not known to the MES`, 404);
    if (order.status === "CLOSED") throw new MesError("MES-ORD-004", `Order ${order.orderNumber} is CLOSED; no more confirmations`, 409);
    const op = order.operations.find((o) => o.operation === input.operation);
    if (!op) throw new MesError("MES-OPR-001", `Operation ${input.operation} does not exist in order ${order.orderNumber}`, 404);
    if (op.status === "SCHEDULED") throw new MesError("MES-OPR-002", `Operation ${op.operation} of order ${order.orderNumber} is not released`, 409);
    if (op.status === "DONE") throw new MesError("MES-OPR-003", `Operation ${op.operation} of order ${order.orderNumber} is already finally confirmed`, 409);
    const scrap = input.scrap ?? 0;
    if (!Number.isFinite(input.yield) || !Number.isFinite(scrap) || input.yield < 0 || scrap < 0) {
      throw new MesError("MES-QTY-001", "Yield and scrap must not be negative", 400);
    }
    if (input.yield + scrap === 0 && input.final !== true) throw new MesError("MES-QTY-004", "Nothing to confirm: yield and scrap are zero", 400);
    const end = input.end ? new Date(input.end) : this.now();
    const start = input.start ? new Date(input.start) : new Date(end.getTime() - 3_600_000);
    if (Number.isNaN(end.getTime()) || Number.isNaN(start.getTime())) throw new MesError("MES-TIM-002", "start and end must be ISO date-times", 400);
    if (start > end) throw new MesError("MES-TIM-001", `Start ${start.toISOString()} is after end ${end.toISOString()}`, 400);

    const open = round3(order.quantity - op.confirmedYield - op.confirmedScrap);
    const reported = round3(input.yield + scrap);
    const tolerance = round3((order.quantity * this.overDeliveryTolerancePercent) / 100);
    if (reported > open + tolerance) {
      throw new MesError(
        "MES-QTY-002",
        `Confirmed quantity ${formatNumber(reported)} ${order.unit} exceeds the open quantity ${formatNumber(Math.max(open, 0))} ${order.unit} of operation ${op.operation} (tolerance ${this.overDeliveryTolerancePercent}%)`,
        409,
      );
    }
    op.confirmedYield = round3(op.confirmedYield + input.yield);
    op.confirmedScrap = round3(op.confirmedScrap + scrap);
    const final = input.final ?? op.confirmedYield + op.confirmedScrap >= order.quantity;
    op.status = final ? "DONE" : "RUNNING";
    order.status = orderStatusOf(order);
    order.changedAt = this.now().toISOString();

    const sequence = this.confirmations.length + 1;
    const confirmation: MesConfirmation = {
      id: `MESCONF-${String(sequence).padStart(7, "0")}`,
      sequence,
      performanceId: `MESPERF-${String(sequence).padStart(7, "0")}`,
      orderNumber: order.orderNumber,
      operation: op.operation,
      plant: order.plant,
      material: order.material,
      bomRevision: order.bomRevision,
      workCentre: op.workCentre,
      yield: input.yield,
      scrap,
      unit: order.unit,
      start: start.toISOString(),
      end: end.toISOString(),
      final,
      overDelivery: reported > open,
      recordedAt: this.now().toISOString(),
      orderStatus: order.status,
    };
    this.confirmations.push(confirmation);
    return confirmation;
  }

  close(orderNumber: string): MesOrder {
    const order = this.order(orderNumber);
    if (!order) throw new MesError("MES-ORD-002", `Order ${normalizeOrder(orderNumber)} is not known to the MES`, 404);
    if (order.status === "CLOSED") return order;
    order.status = "CLOSED";
    order.changedAt = this.now().toISOString();
    return order;
  }

  timeZoneOf(plant: string): string {
    return this.sites.get(plant)?.timeZone ?? "UTC";
  }
}

function isMesUnit(unit: string): boolean {
  return (MES_UNITS as readonly string[]).includes(unit);
}

function unknownUnit(unit: string, where: string): MesError {
  return new MesError("MES-UOM-001", `Unit of measure ${unit} (${where}) is not defined in the MES; known units: ${MES_UNITS.join(", ")}`);
}

export function formatNumber(value: number): string {
  return String(round3(value));
}

function orderStatusOf(order: MesOrder): MesOrderStatus {
  if (order.status === "CLOSED") return "CLOSED";
  const statuses = order.operations.map((op) => op.status);
  if (statuses.every((s) => s === "DONE")) return "DONE";
  if (statuses.some((s) => s === "RUNNING" || s === "DONE")) return "RUNNING";
  if (statuses.some((s) => s === "RELEASED")) return "RELEASED";
  return "SCHEDULED";
}

function sameContent(order: MesOrder, content: ReleaseContent): boolean {
  const current = {
    plant: order.plant,
    material: order.material,
    quantity: order.quantity,
    unit: order.unit,
    bomRevision: order.bomRevision,
    plannedStart: order.plannedStart,
    plannedEnd: order.plannedEnd,
    operations: order.operations.map((op) => ({
      operation: op.operation,
      workCentre: op.workCentre,
      description: op.description,
      plannedStart: op.plannedStart,
      plannedEnd: op.plannedEnd,
      released: op.status !== "SCHEDULED",
    })),
    components: order.components,
  };
  const { orderNumber: _orderNumber, ...next } = content;
  return JSON.stringify(normalize(current)) === JSON.stringify(normalize(next));
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, normalize(v)]),
    );
  }
  return value;
}

/** The JSON view of an order the MES's REST API answers. */
export function orderView(order: MesOrder) {
  return {
    orderNumber: order.orderNumber,
    plant: order.plant,
    material: order.material,
    quantity: order.quantity,
    unit: order.unit,
    bomRevision: order.bomRevision ?? null,
    plannedStart: order.plannedStart ?? null,
    plannedEnd: order.plannedEnd ?? null,
    status: order.status,
    sapStatus: MES_TO_SAP_STATUS[order.status],
    b2mmlState: MES_TO_B2MML_STATE[order.status],
    revision: order.revision,
    receivedAt: order.receivedAt,
    changedAt: order.changedAt,
    operations: order.operations.map((op) => ({
      ...op,
      openQuantity: round3(Math.max(order.quantity - op.confirmedYield - op.confirmedScrap, 0)),
    })),
    components: order.components,
  };
}
export type MesOrderView = ReturnType<typeof orderView>;
