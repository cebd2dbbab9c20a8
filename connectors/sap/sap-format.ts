/**
 * Small helpers for SAP's external data formats: ALPHA conversion of keys, DATS/TIMS, and QUAN
 * quantities. Quantities are handled as integer thousandths ("milli-units") so that stock arithmetic
 * is exact: IDoc quantity fields (QUAN 13,3) carry at most three decimals.
 */

/**
 * ALPHA input conversion (CONVERSION_EXIT_ALPHA_INPUT): purely numeric keys are left-padded with
 * zeros to the field length ("1004711" → "000001004711" for AUFNR); anything else is kept as is.
 */
export function alphaIn(value: string, length: number): string {
  const trimmed = value.trim();
  return /^\d+$/.test(trimmed) && trimmed.length <= length ? trimmed.padStart(length, "0") : trimmed;
}

/** ALPHA output conversion: strips leading zeros of purely numeric keys ("000001004711" → "1004711"). */
export function alphaOut(value: string): string {
  return /^\d+$/.test(value) ? value.replace(/^0+(?=\d)/, "") : value;
}

/** True for a real calendar date in SAP DATS format (YYYYMMDD). */
export function isSapDate(value: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** True for a valid SAP TIMS value (HHMMSS). */
export function isSapTime(value: string): boolean {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(value);
  return m !== null && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3]) < 60;
}

/** DATS (YYYYMMDD) of a moment, in UTC (the emulated system runs on UTC). */
export function toSapDate(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll("-", "");
}

/** TIMS (HHMMSS) of a moment, in UTC. */
export function toSapTime(at: Date): string {
  return at.toISOString().slice(11, 19).replaceAll(":", "");
}

/** Fiscal year and period of a DATS date, for a calendar-year fiscal year variant (K4). */
export function fiscalPeriodOf(sapDate: string): { year: number; period: number } {
  return { year: Number(sapDate.slice(0, 4)), period: Number(sapDate.slice(4, 6)) };
}

/** A decimal quantity as IDocs carry it: digits, optional fraction of at most three digits. */
export const QUANTITY_PATTERN = /^\s*\d{1,13}(\.\d{0,3})?\s*$/;

/** Parses an IDoc quantity ("512", "250.000", " 12.5 ") into thousandths. */
export function parseQuantity(value: string): number {
  if (!QUANTITY_PATTERN.test(value)) throw new Error(`not a quantity: ${JSON.stringify(value)}`);
  const [whole = "0", fraction = ""] = value.trim().split(".");
  return Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
}

/**
 * Decimal places SAP shows for a unit of measure (T006-ANDEC). Countable units have none; weights,
 * volumes and lengths three. Unknown units default to three.
 */
const UNIT_DECIMALS: Readonly<Record<string, number>> = { PC: 0, EA: 0, ST: 0, PAL: 0, CAR: 0, BOX: 0 };

/**
 * Renders thousandths the way SAP writes a quantity into a message variable: with the unit's
 * decimals ("12" PC, "12.500" KG). SAP would also apply the user's decimal notation and thousands
 * separators; the emulator uses "." and no separator.
 */
export function formatQuantity(milli: number, unit: string): string {
  const decimals = UNIT_DECIMALS[unit] ?? 3;
  const shown = milli % 1000 === 0 || decimals === 3 ? decimals : 3;
  return (milli / 1000).toFixed(shown);
}

/** Thousandths back to a plain number (for APIs and JSON). */
export function fromMilli(milli: number): number {
  return milli / 1000;
}

/** A number (possibly fractional) to thousandths, rounded to three decimals. */
export function toMilli(quantity: number): number {
  return Math.round(quantity * 1000);
}
