import { ApiError } from "../rest-emulator/http";
import { type MaintWorkOrderPayload, type Reservation, WORK_ORDER_STATUSES, type WorkOrderStatus } from "./schema";

/**
 * The emulated CMMS: equipment, spare parts, work orders (CREATED → RELEASED → IN_PROGRESS →
 * COMPLETED → CLOSED, forward only), spare-part reservations and consumption against a work order,
 * and the outbound feed: MAINT_WORK_ORDER (the work order with status and reservations) and
 * SPARE_PARTS_USAGE (each consumption as MBGMCR03 goods issue 261 against the order). Business rules
 * raise ApiError with the CMMS's own codes (CM-…).
 */

export interface Equipment {
  equipment: string;
  description: string;
  serialNumber?: string;
  functionalLocation: string;
  plant: string;
}

export interface SparePart {
  material: string;
  description: string;
  baseUnit: string;
  plants: string[];
}

export interface Consumption {
  document: string;
  material: string;
  quantity: number;
  unit: string;
  storageLocation: string;
  batch?: string;
  reservation: string;
  item: string;
  postedAt: string;
}

export interface StatusChange {
  status: WorkOrderStatus;
  at: string;
  source: "CMMS" | "ERP";
}

export interface WorkOrder {
  workOrder: string;
  plant: string;
  equipment: string;
  description: string;
  maintenanceType: "CORRECTIVE" | "PREVENTIVE";
  priority: "1" | "2" | "3" | "4";
  status: WorkOrderStatus;
  plannedStart: string;
  plannedEnd?: string;
  reservations: Reservation[];
  consumptions: Consumption[];
  statusHistory: StatusChange[];
  createdAt: string;
  changedAt: string;
}

/** MBGMCR03 IDoc (JSON form, as connectors/sap reads it): a goods issue 261 to the maintenance order. */
export interface SparePartsUsagePayload {
  idocType: "MBGMCR03";
  control: { DOCNUM: string; MESTYP: "MBGMCR"; SNDPRN: string; RCVPRN: string };
  E1BP2017_GM_HEAD_01: { PSTNG_DATE: string; DOC_DATE: string; REF_DOC_NO: string; HEADER_TXT: string };
  E1BP2017_GM_CODE: { GM_CODE: "03" };
  E1BP2017_GM_ITEM_CREATE: {
    MATERIAL: string;
    PLANT: string;
    STGE_LOC: string;
    MOVE_TYPE: "261";
    ENTRY_QNT: string;
    ENTRY_UOM: string;
    ORDERID: string;
    RESERV_NO: string;
    RES_ITEM: string;
    BATCH?: string;
  }[];
}

export type OutboundEvent =
  | { seq: number; interface: "MAINT_WORK_ORDER"; occurredAt: string; businessKey: string; payload: MaintWorkOrderPayload }
  | { seq: number; interface: "SPARE_PARTS_USAGE"; occurredAt: string; businessKey: string; payload: SparePartsUsagePayload };

export interface CreateWorkOrderInput {
  equipment: string;
  description: string;
  maintenanceType?: "CORRECTIVE" | "PREVENTIVE";
  priority?: "1" | "2" | "3" | "4";
  plannedStart: string;
  plannedEnd?: string;
}

const rank = (status: WorkOrderStatus) => WORK_ORDER_STATUSES.indexOf(status);
const round = (value: number) => Math.round(value * 1000) / 1000;
/** The ERP's order number: the work order number zero-padded to 12 (SAP AUFNR). */
export const erpOrderOf = (workOrder: string) => workOrder.padStart(12, "0");

export class CmmsState {
  readonly equipment = new Map<string, Equipment>();
  readonly parts = new Map<string, SparePart>();
  readonly workOrders = new Map<string, WorkOrder>();
  readonly events: OutboundEvent[] = [];
  /** Per plant: the next work order number. */
  readonly nextWorkOrder = new Map<string, number>();
  nextReservation = 51001;
  nextDocnum = 7_100_001;
  nextConsumption = 1;
  /** IDoc partner names: sender per plant, receiving ERP. */
  sender = (plant: string) => `CMMS_${plant}`;
  receiver = "ERPCLNT100";

  constructor(private readonly now: () => Date) {}

  private stamp(): string {
    return this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  requireWorkOrder(workOrder: string): WorkOrder {
    const found = this.workOrders.get(workOrder);
    if (!found) throw new ApiError(404, "CM-WO-UNKNOWN", `Work order ${workOrder} does not exist`);
    return found;
  }

  private requirePart(material: string, plant: string): SparePart {
    const part = this.parts.get(material);
    if (!part) throw new ApiError(422, "CM-MATERIAL-UNKNOWN", `Material ${material} is not a spare part in the CMMS`);
    if (!part.plants.includes(plant)) throw new ApiError(422, "CM-MATERIAL-PLANT", `Spare part ${material} is not stocked in plant ${plant}`);
    return part;
  }

  private requireOpen(wo: WorkOrder, action: string): void {
    if (wo.status === "CLOSED") throw new ApiError(409, "CM-WO-CLOSED", `Work order ${wo.workOrder} closed: no ${action} possible`);
  }

  createWorkOrder(input: CreateWorkOrderInput): { workOrder: WorkOrder; event: OutboundEvent } {
    const equipment = this.equipment.get(input.equipment);
    if (!equipment) throw new ApiError(422, "CM-EQUIPMENT-UNKNOWN", `Equipment ${input.equipment} does not exist`);
    if (input.plannedEnd && input.plannedEnd < input.plannedStart) throw new ApiError(422, "CM-DATES", "Planned end is before planned start");
    const number = this.nextWorkOrder.get(equipment.plant) ?? 1;
    this.nextWorkOrder.set(equipment.plant, number + 1);
    const at = this.stamp();
    const wo: WorkOrder = {
      workOrder: String(number),
      plant: equipment.plant,
      equipment: equipment.equipment,
      description: input.description,
      maintenanceType: input.maintenanceType ?? "CORRECTIVE",
      priority: input.priority ?? "3",
      status: "CREATED",
      plannedStart: input.plannedStart,
      ...(input.plannedEnd ? { plannedEnd: input.plannedEnd } : {}),
      reservations: [],
      consumptions: [],
      statusHistory: [{ status: "CREATED", at, source: "CMMS" }],
      createdAt: at,
      changedAt: at,
    };
    this.workOrders.set(wo.workOrder, wo);
    return { workOrder: wo, event: this.emitWorkOrder(wo) };
  }

  /**
   * Sets the status, forward only. The same status again changes nothing (idempotent status sync);
   * a status behind the current one is refused. A change made in the CMMS is published
   * (MAINT_WORK_ORDER); one synchronised from the ERP is recorded, not echoed back.
   */
  setStatus(workOrder: string, status: WorkOrderStatus, source: "CMMS" | "ERP" = "CMMS"): { workOrder: WorkOrder; changed: boolean; event?: OutboundEvent } {
    const wo = this.requireWorkOrder(workOrder);
    if (status === wo.status) return { workOrder: wo, changed: false };
    if (rank(status) < rank(wo.status)) {
      throw new ApiError(409, "CM-STATUS-BACKWARD", `Work order ${workOrder} cannot go back from ${wo.status} to ${status}`);
    }
    const at = this.stamp();
    wo.status = status;
    wo.changedAt = at;
    wo.statusHistory.push({ status, at, source });
    return { workOrder: wo, changed: true, ...(source === "CMMS" ? { event: this.emitWorkOrder(wo) } : {}) };
  }

  reserve(
    workOrder: string,
    input: { material: string; quantity: number; unit?: string; storageLocation?: string },
  ): { workOrder: WorkOrder; reservation: Reservation; event: OutboundEvent } {
    const wo = this.requireWorkOrder(workOrder);
    this.requireOpen(wo, "reservation");
    if (wo.status === "COMPLETED") throw new ApiError(409, "CM-WO-COMPLETED", `Work order ${workOrder} is completed: no new reservations`);
    const part = this.requirePart(input.material, wo.plant);
    const unit = input.unit ?? part.baseUnit;
    if (unit !== part.baseUnit) throw new ApiError(422, "CM-UNIT-INVALID", `Unit ${unit} is not the unit ${part.baseUnit} of spare part ${part.material}`);
    const existing = wo.reservations[0];
    const reservation: Reservation = {
      reservation: existing?.reservation ?? String(this.nextReservation++).padStart(10, "0"),
      item: String(wo.reservations.length + 1).padStart(4, "0"),
      material: part.material,
      quantity: input.quantity,
      unit,
      storageLocation: input.storageLocation ?? "0001",
      withdrawnQuantity: 0,
    };
    wo.reservations.push(reservation);
    wo.changedAt = this.stamp();
    return { workOrder: wo, reservation, event: this.emitWorkOrder(wo) };
  }

  /**
   * Consumption of a reserved spare part: refused on a closed work order, on one not yet released,
   * and for a part without reservation. Posts against the part's first reservation item with an
   * open quantity (else the last one: more than reserved may be issued). → SPARE_PARTS_USAGE.
   */
  consume(
    workOrder: string,
    input: { material: string; quantity: number; unit?: string; storageLocation?: string; batch?: string },
  ): { workOrder: WorkOrder; consumption: Consumption; event: OutboundEvent } {
    const wo = this.requireWorkOrder(workOrder);
    this.requireOpen(wo, "goods issue");
    if (wo.status === "CREATED") throw new ApiError(409, "CM-WO-NOT-RELEASED", `Work order ${workOrder} is not released: no goods issue possible`);
    const items = wo.reservations.filter((r) => r.material === input.material);
    if (items.length === 0) throw new ApiError(409, "CM-PART-NOT-RESERVED", `Part ${input.material} not reserved for work order ${workOrder}`);
    const item = items.find((r) => r.withdrawnQuantity < r.quantity) ?? items.at(-1)!;
    const unit = input.unit ?? item.unit;
    if (unit !== item.unit)
      throw new ApiError(422, "CM-UNIT-INVALID", `Unit ${unit} is not the unit ${item.unit} of reservation ${item.reservation}/${item.item}`);
    item.withdrawnQuantity = round(item.withdrawnQuantity + input.quantity);
    const at = this.stamp();
    const consumption: Consumption = {
      document: `GI${String(this.nextConsumption++).padStart(8, "0")}`,
      material: input.material,
      quantity: input.quantity,
      unit,
      storageLocation: input.storageLocation ?? item.storageLocation ?? "0001",
      ...(input.batch ? { batch: input.batch } : {}),
      reservation: item.reservation,
      item: item.item,
      postedAt: at,
    };
    wo.consumptions.push(consumption);
    wo.changedAt = at;
    const day = at.slice(0, 10).replaceAll("-", "");
    const payload: SparePartsUsagePayload = {
      idocType: "MBGMCR03",
      control: { DOCNUM: String(this.nextDocnum++).padStart(16, "0"), MESTYP: "MBGMCR", SNDPRN: this.sender(wo.plant), RCVPRN: this.receiver },
      E1BP2017_GM_HEAD_01: { PSTNG_DATE: day, DOC_DATE: day, REF_DOC_NO: consumption.document, HEADER_TXT: `WO ${wo.workOrder} spare parts` },
      E1BP2017_GM_CODE: { GM_CODE: "03" },
      E1BP2017_GM_ITEM_CREATE: [
        {
          MATERIAL: consumption.material,
          PLANT: wo.plant,
          STGE_LOC: consumption.storageLocation,
          MOVE_TYPE: "261",
          ENTRY_QNT: String(consumption.quantity),
          ENTRY_UOM: consumption.unit,
          ORDERID: erpOrderOf(wo.workOrder),
          RESERV_NO: consumption.reservation,
          RES_ITEM: consumption.item,
          ...(consumption.batch ? { BATCH: consumption.batch } : {}),
        },
      ],
    };
    return { workOrder: wo, consumption, event: this.emit({ interface: "SPARE_PARTS_USAGE", businessKey: wo.workOrder, payload }) };
  }

  workOrderPayload(wo: WorkOrder): MaintWorkOrderPayload {
    const equipment = this.equipment.get(wo.equipment)!;
    return {
      workOrder: wo.workOrder,
      erpOrder: erpOrderOf(wo.workOrder),
      plant: wo.plant,
      equipment: equipment.equipment,
      equipmentDescription: equipment.description,
      ...(equipment.serialNumber ? { equipmentSerialNumber: equipment.serialNumber } : {}),
      functionalLocation: equipment.functionalLocation,
      description: wo.description,
      maintenanceType: wo.maintenanceType,
      priority: wo.priority,
      status: wo.status,
      plannedStart: wo.plannedStart,
      ...(wo.plannedEnd ? { plannedEnd: wo.plannedEnd } : {}),
      reservations: wo.reservations.map((r) => ({ ...r })),
      changedAt: wo.changedAt,
    };
  }

  private emitWorkOrder(wo: WorkOrder): OutboundEvent {
    return this.emit({ interface: "MAINT_WORK_ORDER", businessKey: wo.workOrder, payload: this.workOrderPayload(wo) });
  }

  private emit(
    event:
      | { interface: "MAINT_WORK_ORDER"; businessKey: string; payload: MaintWorkOrderPayload }
      | { interface: "SPARE_PARTS_USAGE"; businessKey: string; payload: SparePartsUsagePayload },
  ): OutboundEvent {
    const full = { seq: this.events.length + 1, occurredAt: this.stamp(), ...event } as OutboundEvent;
    this.events.push(full);
    return full;
  }
}
