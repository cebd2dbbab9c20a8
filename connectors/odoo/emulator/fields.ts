/**
 * Field definitions and value conversion, after `odoo/fields.py`: `convert_to_cache` (what
 * `create`/`write` accept, and the ValueError/TypeError they raise) and `convert_to_read` (what
 * `read` answers: many2one as `[id, display_name]`, empty values as `false`).
 */
import { raise } from "./exceptions";
import { pyRepr, pyTypeName } from "./python";

/** A stored value. `false` is Odoo's "empty" (SQL NULL) for every type but boolean and numbers. */
export type StoredValue = string | number | boolean | readonly number[];
export type Row = Readonly<Record<string, StoredValue>> & { readonly id: number };

export type Selection = readonly (readonly [value: string, label: string])[];

interface FieldBase {
  /** Label (`string=`), used in Odoo's NOT NULL message. */
  readonly string: string;
  readonly required?: boolean;
}

export type ScalarField = FieldBase &
  (
    | { readonly type: "char" | "text" | "html" | "integer" | "float" | "boolean" | "date" | "datetime" }
    | { readonly type: "selection"; readonly selection: Selection }
    | {
        readonly type: "many2one";
        readonly relation: string;
        /** Odoo's default: `restrict` for required fields, else `set null`. */
        readonly ondelete?: "set null" | "restrict" | "cascade";
      }
  );

export type X2ManyField = FieldBase &
  ({ readonly type: "one2many"; readonly relation: string; readonly inverse: string } | { readonly type: "many2many"; readonly relation: string });

export type FieldSpec = ScalarField | X2ManyField;

export const isX2Many = (field: FieldSpec): field is X2ManyField => field.type === "one2many" || field.type === "many2many";

const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DATETIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/;
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Python truthiness of a JSON value. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** `datetime.strptime` strictness: the date must exist ("day is out of range for month"). */
function checkCalendar(value: string, format: string, y: number, m: number, d: number, time: readonly number[] = [0, 0, 0]): void {
  const [hh = 0, mm = 0, ss = 0] = time;
  if (m < 1 || m > 12 || hh > 23 || mm > 59 || ss > 61) {
    throw raise.builtin("ValueError", `time data ${pyRepr(value)} does not match format '${format}'`);
  }
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (d < 1 || probe.getUTCMonth() !== m - 1) throw raise.builtin("ValueError", "day is out of range for month");
}

/** `fields.Date.to_date`: keeps the first 10 characters, then `strptime(value, '%Y-%m-%d')`. */
export function toOdooDate(value: unknown): string | false {
  if (!truthy(value)) return false;
  if (typeof value !== "string") throw raise.builtin("TypeError", `'${pyTypeName(value)}' object is not subscriptable`);
  const head = value.slice(0, 10);
  const match = DATE_RE.exec(head);
  if (!match) throw raise.builtin("ValueError", `time data ${pyRepr(head)} does not match format '%Y-%m-%d'`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  checkCalendar(head, "%Y-%m-%d", y, m, d);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/**
 * `fields.Datetime.to_datetime`: `'%Y-%m-%d %H:%M:%S'` (UTC, no `T`, no zone), or a bare date
 * meaning midnight. Stored and answered as `YYYY-MM-DD HH:MM:SS`.
 */
export function toOdooDatetime(value: unknown): string | false {
  if (!truthy(value)) return false;
  if (typeof value !== "string") throw raise.builtin("TypeError", `'${pyTypeName(value)}' object is not subscriptable`);
  if (value.length <= 10) {
    const date = toOdooDate(value);
    return date === false ? false : `${date} 00:00:00`;
  }
  const match = DATETIME_RE.exec(value);
  if (!match) throw raise.builtin("ValueError", `time data ${pyRepr(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
  const n = match.slice(1).map(Number) as [number, number, number, number, number, number];
  checkCalendar(value, "%Y-%m-%d %H:%M:%S", n[0], n[1], n[2], n.slice(3));
  return `${pad(n[0], 4)}-${pad(n[1])}-${pad(n[2])} ${pad(n[3])}:${pad(n[4])}:${pad(n[5])}`;
}

export function formatDatetime(date: Date): string {
  return date.toISOString().slice(0, 19).replace("T", " ");
}

const PY_FLOAT = /^\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf(inity)?|nan)\s*$/i;
const PY_INT = /^\s*[+-]?\d+\s*$/;

/** `float(value or 0.0)`. */
function toFloat(value: unknown): number {
  if (!truthy(value)) return 0;
  if (typeof value === "number") return value;
  if (value === true) return 1;
  if (typeof value === "string") {
    if (!PY_FLOAT.test(value)) throw raise.builtin("ValueError", `could not convert string to float: ${pyRepr(value)}`);
    return Number(
      value
        .trim()
        .toLowerCase()
        .replace(/^([+-]?)inf(inity)?$/, "$1Infinity"),
    );
  }
  throw raise.builtin("TypeError", `float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
}

/** `int(value or 0)`. */
function toInteger(value: unknown): number {
  if (!truthy(value)) return 0;
  if (typeof value === "number") return Math.trunc(value);
  if (value === true) return 1;
  if (typeof value === "string") {
    if (!PY_INT.test(value)) throw raise.builtin("ValueError", `invalid literal for int() with base 10: ${pyRepr(value)}`);
    return Number(value.trim());
  }
  throw raise.builtin("TypeError", `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`);
}

/**
 * Value accepted by `create`/`write` for a scalar field, as stored. `qualified` is the field's repr
 * (`mrp.production.product_id`) used in Odoo's "Wrong value for ..." message.
 */
export function convertToCache(field: ScalarField, qualified: string, value: unknown): StoredValue {
  switch (field.type) {
    case "char":
    case "text":
    case "html":
      // Char.convert_to_cache: None/False stay empty, anything else goes through str().
      if (value === null || value === undefined || value === false) return false;
      return typeof value === "string" ? value : pyRepr(value);
    case "integer":
      return toInteger(value);
    case "float":
      return toFloat(value);
    case "boolean":
      return truthy(value);
    case "date":
      return toOdooDate(value);
    case "datetime":
      return toOdooDatetime(value);
    case "selection":
      if (typeof value === "string" && field.selection.some(([key]) => key === value)) return value;
      if (!truthy(value)) return false;
      throw raise.builtin("ValueError", `Wrong value for ${qualified}: ${pyRepr(value)}`);
    case "many2one":
      if (value === false || value === null || value === undefined) return false;
      if (typeof value === "number" && Number.isInteger(value)) return value === 0 ? false : value;
      throw raise.builtin("ValueError", `Wrong value for ${qualified}: ${pyRepr(value)}`);
  }
}

/** Empty value of a freshly created record for a field without default. */
export function emptyValue(field: FieldSpec): StoredValue {
  switch (field.type) {
    case "integer":
    case "float":
      return 0;
    case "boolean":
      return false;
    case "one2many":
    case "many2many":
      return [];
    default:
      return false;
  }
}
