import { ApiError } from "../rest-emulator/http";
import type { InspectionResultPayload, QualityHoldPayload, StockType } from "./schema";

/**
 * The emulated QMS/LIMS: plants, materials with inspection plans, batches with their stock type and
 * quality hold, inspection lots with characteristics, results and usage decisions, and the outbound
 * feed of QUALITY_HOLD and INSPECTION_RESULT messages. Business rules raise ApiError with the QMS's
 * own codes (QA-…); the HTTP layer renders them as problem+json.
 */

export type LotOrigin = "01" | "04";
export type LotStatus = "OPEN" | "IN_PROCESS" | "RESULTS_COMPLETE" | "DECIDED";

export interface CharacteristicDef {
  characteristic: string;
  description: string;
  unit: string;
  lowerLimit?: number;
  upperLimit?: number;
}

export interface QmsMaterial {
  material: string;
  description: string;
  baseUnit: string;
  /** Plants where the material has an inspection plan. */
  plants: string[];
  plan: CharacteristicDef[];
}

export interface QmsPlant {
  plant: string;
  site: string;
  name: string;
}

export interface CharacteristicResult {
  measuredValue: number;
  inSpec: boolean;
  recordedAt: string;
  recordedBy?: string;
  remark?: string;
}

export interface LotCharacteristic extends CharacteristicDef {
  result?: CharacteristicResult;
}

export interface UsageDecision {
  code: string;
  valuation: "A" | "R";
  text: string;
  targetStockType: "UNRESTRICTED" | "BLOCKED";
  decidedAt: string;
  decidedBy?: string;
}

export interface InspectionLot {
  inspectionLot: string;
  origin: LotOrigin;
  material: string;
  plant: string;
  batch: string;
  storageLocation: string;
  quantity: number;
  unit: string;
  status: LotStatus;
  createdAt: string;
  characteristics: LotCharacteristic[];
  usageDecision?: UsageDecision;
}

export interface QualityHold {
  holdNumber: string;
  status: "ON_HOLD" | "RELEASED";
  material: string;
  plant: string;
  batch: string;
  storageLocation: string;
  reason: string;
  reasonCode?: string;
  inspectionLot?: string;
  fromStockType: StockType;
  holdStockType: "BLOCKED" | "QUALITY_INSPECTION";
  placedAt: string;
  releasedAt?: string;
  releaseReason?: string;
  releaseStockType?: StockType;
  usageDecisionCode?: string;
}

export interface QmsBatch {
  material: string;
  plant: string;
  batch: string;
  storageLocation: string;
  quantity: number;
  unit: string;
  stockType: StockType;
  /** The hold currently in force, if any. */
  holdNumber?: string;
}

export type OutboundInterface = "QUALITY_HOLD" | "INSPECTION_RESULT";

export interface OutboundEvent {
  seq: number;
  interface: OutboundInterface;
  occurredAt: string;
  /** Business key for Andon: batch for QUALITY_HOLD, inspection lot for INSPECTION_RESULT. */
  businessKey: string;
  payload: QualityHoldPayload | InspectionResultPayload;
}

export const USAGE_DECISION_CODES: Readonly<Record<string, { valuation: "A" | "R"; text: string }>> = {
  A01: { valuation: "A", text: "Accepted" },
  A02: { valuation: "A", text: "Accepted with concession (deviation approved)" },
  R01: { valuation: "R", text: "Rejected – return to supplier" },
  R02: { valuation: "R", text: "Rejected – scrap" },
  R03: { valuation: "R", text: "Rejected – rework" },
};

const batchKey = (material: string, plant: string, batch: string) => `${material}|${plant}|${batch}`;

export interface CreateLotInput {
  origin: LotOrigin;
  material: string;
  plant: string;
  batch: string;
  storageLocation?: string;
  quantity: number;
  unit: string;
}

export interface ResultInput {
  characteristic: string;
  measuredValue: number;
  remark?: string;
}

export interface HoldInput {
  material: string;
  plant: string;
  batch: string;
  reason: string;
  reasonCode?: string;
  inspectionLot?: string;
  targetStockType?: "BLOCKED" | "QUALITY_INSPECTION";
}

export interface ReleaseInput {
  material: string;
  plant: string;
  batch: string;
  reason?: string;
}

export class QmsState {
  readonly plants = new Map<string, QmsPlant>();
  readonly materials = new Map<string, QmsMaterial>();
  readonly batches = new Map<string, QmsBatch>();
  readonly lots = new Map<string, InspectionLot>();
  readonly holds = new Map<string, QualityHold>();
  readonly events: OutboundEvent[] = [];
  readonly nextLotNumber: Record<LotOrigin, number> = { "01": 4455, "04": 1201 };
  nextHoldNumber = 1;

  constructor(private readonly now: () => Date) {}

  private stamp(): string {
    return this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  private emit(iface: OutboundInterface, businessKey: string, payload: QualityHoldPayload | InspectionResultPayload): OutboundEvent {
    const event: OutboundEvent = { seq: this.events.length + 1, interface: iface, occurredAt: payload.occurredAt, businessKey, payload };
    this.events.push(event);
    return event;
  }

  // --- look-ups -------------------------------------------------------------------------------

  batch(material: string, plant: string, batch: string): QmsBatch | undefined {
    return this.batches.get(batchKey(material, plant, batch));
  }

  requireBatch(material: string, plant: string, batch: string): QmsBatch {
    const found = this.batch(material, plant, batch);
    if (!found) throw new ApiError(404, "QA-BATCH-UNKNOWN", `Batch ${batch} of material ${material} in plant ${plant} is unknown to QMS`);
    return found;
  }

  requireLot(inspectionLot: string): InspectionLot {
    const lot = this.lots.get(inspectionLot);
    if (!lot) throw new ApiError(404, "QA-LOT-UNKNOWN", `Inspection lot ${inspectionLot} does not exist`);
    return lot;
  }

  private requirePlantAndMaterial(material: string, plant: string): QmsMaterial {
    if (!this.plants.has(plant)) throw new ApiError(422, "QA-PLANT-UNKNOWN", `Plant ${plant} is not a QMS site`);
    const master = this.materials.get(material);
    if (!master) throw new ApiError(422, "QA-MATERIAL-UNKNOWN", `Material ${material} is unknown to QMS`);
    if (!master.plants.includes(plant)) throw new ApiError(422, "QA-NO-PLAN", `Material ${material} has no inspection plan in plant ${plant}`);
    return master;
  }

  /** Inspection lots of a batch, newest first. */
  lotsOfBatch(material: string, plant: string, batch: string): InspectionLot[] {
    return [...this.lots.values()].filter((l) => l.material === material && l.plant === plant && l.batch === batch).reverse();
  }

  // --- inspection lots ------------------------------------------------------------------------

  /**
   * Creates an inspection lot (origin 01 goods receipt, 04 production) with the characteristics of
   * the material's plan. A batch not yet known to QMS is created in quality-inspection stock (as a
   * goods receipt with QM active posts it); an existing batch keeps its stock type.
   */
  createInspectionLot(input: CreateLotInput): InspectionLot {
    const master = this.requirePlantAndMaterial(input.material, input.plant);
    if (input.unit !== master.baseUnit) {
      throw new ApiError(422, "QA-UNIT-INVALID", `Unit ${input.unit} is not the base unit ${master.baseUnit} of material ${input.material}`);
    }
    const open = this.lotsOfBatch(input.material, input.plant, input.batch).find((l) => l.status !== "DECIDED");
    if (open) throw new ApiError(409, "QA-LOT-OPEN", `Batch ${input.batch} already has inspection lot ${open.inspectionLot} without usage decision`);
    const existing = this.batch(input.material, input.plant, input.batch);
    const storageLocation = input.storageLocation ?? existing?.storageLocation ?? "0001";
    if (!existing) {
      this.batches.set(batchKey(input.material, input.plant, input.batch), {
        material: input.material,
        plant: input.plant,
        batch: input.batch,
        storageLocation,
        quantity: input.quantity,
        unit: input.unit,
        stockType: "QUALITY_INSPECTION",
      });
    }
    const number = this.nextLotNumber[input.origin]++;
    const lot: InspectionLot = {
      inspectionLot: `${input.origin}${String(number).padStart(10, "0")}`,
      origin: input.origin,
      material: input.material,
      plant: input.plant,
      batch: input.batch,
      storageLocation,
      quantity: input.quantity,
      unit: input.unit,
      status: "OPEN",
      createdAt: this.stamp(),
      characteristics: master.plan.map((c) => ({ ...c })),
    };
    this.lots.set(lot.inspectionLot, lot);
    return lot;
  }

  /** Records (or corrects) results; emits INSPECTION_RESULT when the last characteristic gets one. */
  recordResults(inspectionLot: string, results: ResultInput[], recordedBy?: string): { lot: InspectionLot; event?: OutboundEvent } {
    const lot = this.requireLot(inspectionLot);
    if (lot.usageDecision) {
      throw new ApiError(
        409,
        "QA-UD-EXISTS",
        `Usage decision ${lot.usageDecision.code} made for inspection lot ${inspectionLot}: results can no longer be changed`,
      );
    }
    for (const input of results) {
      if (!lot.characteristics.some((c) => c.characteristic === input.characteristic)) {
        throw new ApiError(422, "QA-CHAR-UNKNOWN", `Characteristic ${input.characteristic} is not in the inspection plan of lot ${inspectionLot}`);
      }
    }
    const at = this.stamp();
    for (const input of results) {
      const char = lot.characteristics.find((c) => c.characteristic === input.characteristic)!;
      const inSpec =
        (char.lowerLimit === undefined || input.measuredValue >= char.lowerLimit) && (char.upperLimit === undefined || input.measuredValue <= char.upperLimit);
      char.result = {
        measuredValue: input.measuredValue,
        inSpec,
        recordedAt: at,
        ...(recordedBy ? { recordedBy } : {}),
        ...(input.remark ? { remark: input.remark } : {}),
      };
    }
    const complete = lot.characteristics.every((c) => c.result);
    lot.status = complete ? "RESULTS_COMPLETE" : "IN_PROCESS";
    const event = complete ? this.emit("INSPECTION_RESULT", lot.inspectionLot, this.inspectionResultPayload(lot)) : undefined;
    return { lot, event };
  }

  /**
   * The usage decision: every characteristic needs a result; an out-of-spec result can be accepted
   * only with a concession code (A02). A → the lot quantity to unrestricted (a hold on the batch is
   * released); R → blocked (the batch is put on hold if it is not). Making the same decision again
   * changes nothing and answers the decision already made.
   */
  makeUsageDecision(
    inspectionLot: string,
    input: { code: string; text?: string; decidedBy?: string },
  ): { lot: InspectionLot; unchanged: boolean; events: OutboundEvent[] } {
    const lot = this.requireLot(inspectionLot);
    if (lot.usageDecision) {
      if (lot.usageDecision.code === input.code) return { lot, unchanged: true, events: [] };
      throw new ApiError(409, "QA-UD-EXISTS", `Usage decision ${lot.usageDecision.code} already made for inspection lot ${inspectionLot}`);
    }
    const code = USAGE_DECISION_CODES[input.code];
    if (!code)
      throw new ApiError(422, "QA-UD-CODE-UNKNOWN", `Usage decision code ${input.code} does not exist (${Object.keys(USAGE_DECISION_CODES).join(", ")})`);
    const missing = lot.characteristics.find((c) => !c.result);
    if (missing) {
      throw new ApiError(
        409,
        "QA-CHAR-OPEN",
        `Characteristic ${missing.characteristic} (${missing.description}) of inspection lot ${inspectionLot} has no result`,
      );
    }
    const outOfSpec = lot.characteristics.find((c) => c.result && !c.result.inSpec);
    if (outOfSpec && input.code === "A01") {
      throw new ApiError(
        409,
        "QA-UD-CONFLICT",
        `Characteristic ${outOfSpec.characteristic} (${outOfSpec.description}) is out of specification: accept only with concession code A02`,
      );
    }
    const at = this.stamp();
    const targetStockType = code.valuation === "A" ? "UNRESTRICTED" : "BLOCKED";
    lot.usageDecision = {
      code: input.code,
      valuation: code.valuation,
      text: input.text ?? code.text,
      targetStockType,
      decidedAt: at,
      ...(input.decidedBy ? { decidedBy: input.decidedBy } : {}),
    };
    lot.status = "DECIDED";
    const events = [this.emit("INSPECTION_RESULT", lot.inspectionLot, this.inspectionResultPayload(lot))];
    const batch = this.requireBatch(lot.material, lot.plant, lot.batch);
    const hold = batch.holdNumber ? this.holds.get(batch.holdNumber) : undefined;
    if (code.valuation === "A") {
      if (hold) events.push(this.release(batch, hold, `Usage decision ${input.code} (${code.text}) for inspection lot ${lot.inspectionLot}`, input.code, lot));
      else batch.stockType = "UNRESTRICTED";
    } else if (!hold) {
      events.push(
        this.hold(batch, {
          reason: `Usage decision ${input.code} (${code.text}) for inspection lot ${lot.inspectionLot}`,
          reasonCode: "UD-REJECT",
          inspectionLot: lot.inspectionLot,
          targetStockType: "BLOCKED",
          usageDecisionCode: input.code,
        }),
      );
    } else {
      hold.usageDecisionCode = input.code;
    }
    return { lot, unchanged: false, events };
  }

  // --- holds ----------------------------------------------------------------------------------

  placeHold(input: HoldInput): { hold: QualityHold; event: OutboundEvent } {
    const batch = this.requireBatch(input.material, input.plant, input.batch);
    if (batch.holdNumber)
      throw new ApiError(409, "QA-BATCH-ON-HOLD", `Batch ${input.batch} of material ${input.material} is already on hold (${batch.holdNumber})`);
    if (input.inspectionLot) {
      const lot = this.requireLot(input.inspectionLot);
      if (lot.material !== batch.material || lot.plant !== batch.plant || lot.batch !== batch.batch) {
        throw new ApiError(
          422,
          "QA-LOT-MISMATCH",
          `Inspection lot ${input.inspectionLot} belongs to batch ${lot.batch} of material ${lot.material} in plant ${lot.plant}`,
        );
      }
    }
    const event = this.hold(batch, { ...input, targetStockType: input.targetStockType ?? "BLOCKED" });
    return { hold: this.holds.get(batch.holdNumber!)!, event };
  }

  /**
   * Lifts the hold of a batch. Refused when the batch is not on hold, when an inspection lot of the
   * batch has out-of-spec results and no usage decision, or when its last usage decision rejected
   * it. Released to quality-inspection stock while an inspection lot is still undecided.
   */
  releaseHold(input: ReleaseInput): { hold: QualityHold; event: OutboundEvent } {
    const batch = this.requireBatch(input.material, input.plant, input.batch);
    const hold = batch.holdNumber ? this.holds.get(batch.holdNumber) : undefined;
    if (!hold) throw new ApiError(409, "QA-BATCH-NOT-ON-HOLD", `Batch ${input.batch} of material ${input.material} is not on hold`);
    const lots = this.lotsOfBatch(batch.material, batch.plant, batch.batch);
    for (const lot of lots) {
      const outOfSpec = lot.characteristics.find((c) => c.result && !c.result.inSpec);
      if (!lot.usageDecision && outOfSpec) {
        throw new ApiError(
          409,
          "QA-UD-MISSING",
          `Inspection characteristic ${outOfSpec.characteristic} out of specification without usage decision (lot ${lot.inspectionLot})`,
        );
      }
    }
    const latest = lots[0];
    if (latest?.usageDecision?.valuation === "R") {
      throw new ApiError(
        409,
        "QA-UD-REJECTED",
        `Batch ${batch.batch} was rejected by usage decision ${latest.usageDecision.code} (lot ${latest.inspectionLot}); release needs a new inspection lot`,
      );
    }
    const event = this.release(
      batch,
      hold,
      input.reason ?? "Released by quality",
      undefined,
      lots.find((l) => !l.usageDecision),
    );
    return { hold, event };
  }

  private hold(
    batch: QmsBatch,
    input: { reason: string; reasonCode?: string; inspectionLot?: string; targetStockType: "BLOCKED" | "QUALITY_INSPECTION"; usageDecisionCode?: string },
  ): OutboundEvent {
    const at = this.stamp();
    const hold: QualityHold = {
      holdNumber: `QH${String(this.nextHoldNumber++).padStart(8, "0")}`,
      status: "ON_HOLD",
      material: batch.material,
      plant: batch.plant,
      batch: batch.batch,
      storageLocation: batch.storageLocation,
      reason: input.reason,
      ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
      ...(input.inspectionLot ? { inspectionLot: input.inspectionLot } : {}),
      ...(input.usageDecisionCode ? { usageDecisionCode: input.usageDecisionCode } : {}),
      fromStockType: batch.stockType,
      holdStockType: input.targetStockType,
      placedAt: at,
    };
    this.holds.set(hold.holdNumber, hold);
    batch.holdNumber = hold.holdNumber;
    const from = batch.stockType;
    batch.stockType = input.targetStockType;
    return this.emit("QUALITY_HOLD", batch.batch, {
      holdNumber: hold.holdNumber,
      action: "HOLD",
      material: batch.material,
      plant: batch.plant,
      batch: batch.batch,
      storageLocation: batch.storageLocation,
      fromStockType: from,
      targetStockType: input.targetStockType,
      quantity: batch.quantity,
      unit: batch.unit,
      reason: input.reason,
      ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}),
      ...(input.inspectionLot ? { inspectionLot: input.inspectionLot } : {}),
      ...(input.usageDecisionCode ? { usageDecisionCode: input.usageDecisionCode } : {}),
      occurredAt: at,
    });
  }

  private release(
    batch: QmsBatch,
    hold: QualityHold,
    reason: string,
    usageDecisionCode: string | undefined,
    openLot: InspectionLot | undefined,
  ): OutboundEvent {
    const at = this.stamp();
    const target: StockType = usageDecisionCode ? "UNRESTRICTED" : openLot ? "QUALITY_INSPECTION" : "UNRESTRICTED";
    const from = batch.stockType;
    Object.assign(
      hold,
      { status: "RELEASED", releasedAt: at, releaseReason: reason, releaseStockType: target },
      usageDecisionCode ? { usageDecisionCode } : {},
    );
    batch.holdNumber = undefined;
    batch.stockType = target;
    const inspectionLot = openLot?.inspectionLot ?? hold.inspectionLot;
    return this.emit("QUALITY_HOLD", batch.batch, {
      holdNumber: hold.holdNumber,
      action: "RELEASE",
      material: batch.material,
      plant: batch.plant,
      batch: batch.batch,
      storageLocation: batch.storageLocation,
      fromStockType: from,
      targetStockType: target,
      quantity: batch.quantity,
      unit: batch.unit,
      reason,
      ...(hold.reasonCode ? { reasonCode: hold.reasonCode } : {}),
      ...(inspectionLot ? { inspectionLot } : {}),
      ...(usageDecisionCode ? { usageDecisionCode } : {}),
      occurredAt: at,
    });
  }

  // --- outbound forms -------------------------------------------------------------------------

  inspectionResultPayload(lot: InspectionLot): InspectionResultPayload {
    const ud = lot.usageDecision;
    return {
      inspectionLot: lot.inspectionLot,
      origin: lot.origin,
      material: lot.material,
      plant: lot.plant,
      batch: lot.batch,
      storageLocation: lot.storageLocation,
      lotQuantity: lot.quantity,
      unit: lot.unit,
      status: ud ? "DECIDED" : "RESULTS_COMPLETE",
      results: lot.characteristics.map((c) => ({
        characteristic: c.characteristic,
        description: c.description,
        unit: c.unit,
        ...(c.lowerLimit === undefined ? {} : { lowerLimit: c.lowerLimit }),
        ...(c.upperLimit === undefined ? {} : { upperLimit: c.upperLimit }),
        measuredValue: c.result!.measuredValue,
        inSpec: c.result!.inSpec,
      })),
      ...(ud
        ? {
            usageDecisionCode: ud.code,
            usageDecision: ud.valuation,
            usageDecisionText: ud.text,
            targetStockType: ud.targetStockType,
            decidedAt: ud.decidedAt,
            ...(ud.decidedBy ? { decidedBy: ud.decidedBy } : {}),
          }
        : {}),
      occurredAt: ud?.decidedAt ?? this.stamp(),
    };
  }

  /** Seeds or overwrites a batch (control endpoint, tests). */
  putBatch(batch: Omit<QmsBatch, "holdNumber">): QmsBatch {
    const existing = this.batch(batch.material, batch.plant, batch.batch);
    const next: QmsBatch = { ...batch, ...(existing?.holdNumber ? { holdNumber: existing.holdNumber } : {}) };
    this.batches.set(batchKey(batch.material, batch.plant, batch.batch), next);
    return next;
  }
}
