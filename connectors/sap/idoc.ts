import type { z } from "zod";
import { IDOC_SCHEMAS, IDOC_TYPE_SPECS, IDOC_TYPES, type Idoc, type IdocType, type SegmentSpec } from "./idoc-schema";
import { IdocXmlError, idocJsonToXml, idocXmlToJson } from "./idoc-xml";

export * from "./idoc-schema";

/** An input that is not a valid IDoc; `issues` lists every problem found, one line each. */
export class IdocParseError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid IDoc: ${issues.join("; ")}`);
    this.name = "IdocParseError";
  }
}

export type IdocFormat = "json" | "xml";

export interface ParseIdocOptions {
  /** How to read a string input; by default XML when it starts with "<", JSON otherwise. */
  format?: IdocFormat;
}

/** "E1AFKOL.E1RESBL[1].BDMNG" */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  const message =
    issue.code === "invalid_type" && /received undefined/.test(issue.message)
      ? "is required"
      : issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}`
        : issue.message;
  return where ? `${where}: ${message}` : message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readText(input: string, format: IdocFormat | undefined): unknown {
  const text = input.replace(/^\uFEFF/, "");
  const asXml = format ? format === "xml" : text.trimStart().startsWith("<");
  if (asXml) {
    try {
      return idocXmlToJson(text);
    } catch (error) {
      if (error instanceof IdocXmlError) throw new IdocParseError(error.issues);
      throw error;
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new IdocParseError([`not valid JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/**
 * Reads an IDoc given as the JSON form (object or text) or as IDoc XML and returns the validated
 * JSON form. Throws IdocParseError listing everything that is wrong.
 */
export function parseIdoc(input: string | object, options: ParseIdocOptions = {}): Idoc {
  const raw = typeof input === "string" ? readText(input, options.format) : input;
  if (!isRecord(raw)) throw new IdocParseError(["an IDoc must be an object with idocType, control and its segments"]);
  const idocType = raw.idocType;
  if (typeof idocType !== "string" || !(IDOC_TYPES as readonly string[]).includes(idocType)) {
    throw new IdocParseError([`idocType: must be one of ${IDOC_TYPES.join(", ")} (got ${JSON.stringify(idocType ?? null)})`]);
  }
  const issues: string[] = [];
  let candidate: Record<string, unknown> = raw;
  if (isRecord(raw.control)) {
    // TABNAM and IDOCTYP are implied by the JSON form (idocType); accept them when consistent.
    const { TABNAM, IDOCTYP, ...control } = raw.control;
    if (TABNAM !== undefined && TABNAM !== "EDI_DC40") issues.push(`control.TABNAM: must be EDI_DC40 (got ${JSON.stringify(TABNAM)})`);
    if (IDOCTYP !== undefined && IDOCTYP !== idocType) issues.push(`control.IDOCTYP: ${JSON.stringify(IDOCTYP)} does not match idocType ${idocType}`);
    candidate = { ...raw, control };
  }
  const result = IDOC_SCHEMAS[idocType as IdocType].safeParse(candidate);
  if (!result.success) issues.push(...result.error.issues.map(describeIssue));
  if (issues.length > 0 || !result.success) throw new IdocParseError(issues);
  return result.data;
}

/** Writes an IDoc (JSON form) as IDoc XML; parseIdoc(toIdocXml(x)) deep-equals parseIdoc(x). */
export function toIdocXml(idoc: Idoc): string {
  return idocJsonToXml(idoc.idocType, idoc as unknown as Record<string, unknown>);
}

/**
 * Segment numbers (EDIDD-SEGNUM, "000001"…) in the order SAP stores the data records, keyed by the
 * segment's path in the JSON form ("E1BP2017_GM_ITEM_CREATE[0]", "E1AFKOL.E1RESBL[1]"). Status
 * records point at the failing segment with it.
 */
export function segmentNumbers(idoc: Idoc): ReadonlyMap<string, string> {
  const spec = IDOC_TYPE_SPECS[idoc.idocType];
  const numbers = new Map<string, string>();
  const next = (path: string) => numbers.set(path, String(numbers.size + 1).padStart(6, "0"));
  const walk = (value: Record<string, unknown>, specs: readonly SegmentSpec[], prefix: string) => {
    for (const child of specs) {
      const entry = value[child.name];
      if (entry === undefined) continue;
      const list = Array.isArray(entry) ? entry : [entry];
      list.forEach((item, index) => {
        const path = `${prefix}${child.name}${child.repeatable ? `[${index}]` : ""}`;
        next(path);
        if (isRecord(item)) walk(item, child.children, `${path}.`);
      });
    }
  };
  if (spec.wrapper) next(spec.wrapper);
  walk(idoc as unknown as Record<string, unknown>, spec.segments, "");
  return numbers;
}
