/**
 * Units of measure between the buyer's ERP codes (the JSON form, e.g. PC, KG) and the EDI code lists:
 * ANSI X12 data element 355 (Unit or Basis for Measurement Code) and UN/ECE Recommendation 20
 * (EDIFACT data element 6411). A code without a mapping passes through unchanged, so that the
 * receiving system (not the EDI translator) refuses it as "unit of measure not mapped" and a person
 * can correct the JSON form.
 */

/** ERP unit → [X12 355, UN/ECE Rec 20]. */
export const UNIT_TABLE: Readonly<Record<string, { x12: string; edifact: string }>> = {
  PC: { x12: "EA", edifact: "PCE" },
  KG: { x12: "KG", edifact: "KGM" },
  M: { x12: "MR", edifact: "MTR" },
  L: { x12: "LT", edifact: "LTR" },
};

/** Further EDI codes read as an ERP unit (X12 PC = piece; Rec 20 H87 = piece, EA = each). */
const X12_ALIASES: Readonly<Record<string, string>> = { PC: "PC" };
const EDIFACT_ALIASES: Readonly<Record<string, string>> = { H87: "PC", EA: "PC" };

const fromX12 = new Map<string, string>([...Object.entries(UNIT_TABLE).map(([erp, codes]) => [codes.x12, erp] as const), ...Object.entries(X12_ALIASES)]);
const fromEdifact = new Map<string, string>([
  ...Object.entries(UNIT_TABLE).map(([erp, codes]) => [codes.edifact, erp] as const),
  ...Object.entries(EDIFACT_ALIASES),
]);

export const toX12Unit = (erpUnit: string): string => UNIT_TABLE[erpUnit]?.x12 ?? erpUnit;
export const toEdifactUnit = (erpUnit: string): string => UNIT_TABLE[erpUnit]?.edifact ?? erpUnit;
export const fromX12Unit = (code: string): string => fromX12.get(code) ?? code;
export const fromEdifactUnit = (code: string): string => fromEdifact.get(code) ?? code;
