/**
 * Units of measure: the planning engine has its own codes (UN/ECE Rec 20 style: EA, KGM, MTR …); the
 * ERP has others (SAP-style internal codes: PC or ST for pieces, KG, M, L). A released forecast reaches
 * the ERP only in ERP units: every planning unit of its buckets must be mapped, per plant (an override)
 * or for all plants. An unmapped unit is refused ("unit of measure not mapped"), never guessed.
 */

/** The planning model's unit catalogue. */
export const PLANNING_UNITS: Readonly<Record<string, string>> = {
  EA: "each",
  KGM: "kilogram",
  MTR: "metre",
  LTR: "litre",
  BX: "box",
  PAL: "pallet",
};

/** Default mapping planning unit → ERP unit for all plants (BX and PAL are deliberately unmapped). */
export const DEFAULT_UOM_MAPPING: Readonly<Record<string, string>> = { EA: "PC", KGM: "KG", MTR: "M", LTR: "L" };

export const ALL_PLANTS = "*";

export interface UomMapping {
  /** A plant, or * for every plant without its own entry. */
  plant: string;
  planningUnit: string;
  erpUnit: string;
}

export class UomMappingTable {
  readonly #entries = new Map<string, string>();

  constructor(initial: Readonly<Record<string, string>> = DEFAULT_UOM_MAPPING) {
    for (const [planningUnit, erpUnit] of Object.entries(initial)) this.set(planningUnit, erpUnit);
  }

  static key(plant: string, planningUnit: string): string {
    return `${plant}|${planningUnit}`;
  }

  set(planningUnit: string, erpUnit: string, plant = ALL_PLANTS): void {
    this.#entries.set(UomMappingTable.key(plant, planningUnit), erpUnit);
  }

  /** Removes an entry; true if there was one. */
  remove(planningUnit: string, plant = ALL_PLANTS): boolean {
    return this.#entries.delete(UomMappingTable.key(plant, planningUnit));
  }

  /** The ERP unit for a planning unit in a plant (plant entry first, then the one for all plants). */
  toErp(plant: string, planningUnit: string): string | undefined {
    return this.#entries.get(UomMappingTable.key(plant, planningUnit)) ?? this.#entries.get(UomMappingTable.key(ALL_PLANTS, planningUnit));
  }

  /** The planning unit an ERP unit maps back from in a plant (for actuals coming back). */
  fromErp(plant: string, erpUnit: string): string | undefined {
    for (const planningUnit of Object.keys(PLANNING_UNITS)) if (this.toErp(plant, planningUnit) === erpUnit) return planningUnit;
    return undefined;
  }

  list(): UomMapping[] {
    return [...this.#entries.entries()].map(([key, erpUnit]) => {
      const [plant = ALL_PLANTS, planningUnit = ""] = key.split("|");
      return { plant, planningUnit, erpUnit };
    });
  }
}
