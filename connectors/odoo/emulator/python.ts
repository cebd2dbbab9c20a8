/**
 * Just enough of Python's text conventions to reproduce Odoo's messages byte for byte:
 * `repr()` of JSON-like values and the wording of TypeError for missing arguments.
 */

/** Python type name of a JSON value, as in `'int' object has no attribute 'items'`. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  return "dict";
}

/** `repr(str)`: single quotes unless the text contains a single quote and no double quote. */
function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = "";
  for (const char of text) {
    if (char === "\\") out += "\\\\";
    else if (char === quote) out += `\\${quote}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else out += char;
  }
  return `${quote}${out}${quote}`;
}

/** `repr()` of a JSON value decoded by Python's json module (arrays are lists, objects dicts). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : value > 0 ? "inf" : "-inf";
  if (typeof value === "string") return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${reprString(key)}: ${pyRepr(item)}`).join(", ")}}`;
}

/** `repr(tuple)`, e.g. a normalised domain leaf `('name', 'ilike', 'gear')` or `(4211,)`. */
export function pyTuple(items: readonly unknown[]): string {
  if (items.length === 1) return `(${pyRepr(items[0])},)`;
  return `(${items.map(pyRepr).join(", ")})`;
}

/** Recordset repr as Odoo prints it: `mrp.production(9312,)`, `product.product(1, 2)`. */
export function recordsetRepr(model: string, ids: readonly number[]): string {
  return `${model}${pyTuple(ids)}`;
}

/** Python 3.10+ wording: `f() missing 2 required positional arguments: 'a' and 'b'`. */
export function missingArgumentsMessage(callable: string, names: readonly string[]): string {
  const quoted = names.map((name) => `'${name}'`);
  const list =
    quoted.length === 1
      ? quoted[0]
      : quoted.length === 2
        ? `${quoted[0]} and ${quoted[1]}`
        : `${quoted.slice(0, -1).join(", ")}, and ${quoted[quoted.length - 1]}`;
  const noun = names.length === 1 ? "argument" : "arguments";
  return `${callable}() missing ${names.length} required positional ${noun}: ${list}`;
}
