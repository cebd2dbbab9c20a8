import {
  type OutputUnit,
  type Schema,
  dereference,
  ignoredKeyword,
  schemaArrayKeyword,
  schemaKeyword,
  schemaMapKeyword,
  validate,
} from "@cfworker/json-schema";
import { MAX_JSON_DEPTH, exceedsJsonDepth } from "../http/json-depth";

/**
 * JSON Schema (draft 2020-12) validation of payloads, identical in the browser (live, in the
 * correction editor) and on the server (decisive). The schemas live in the database, so they are
 * interpreted, never compiled to code: @cfworker/json-schema needs no eval, which keeps
 * 'unsafe-eval' out of the Content-Security-Policy.
 *
 * Issues are `{ path, message }`: `path` is a JSON Pointer into the payload ("/" for the whole
 * payload) and `message` reads after it ("/E1BP2017_GM_ITEM_CREATE/0/PLANT must match the pattern
 * ^[0-9A-Z]{4}$"). Only the errors that say what is wrong are reported (not "a property had errors"
 * along the way), each once, in the order the schema declares its keywords.
 */
export type SchemaIssue = { path: string; message: string };

const DRAFT = "2020-12";
const DRAFT_URI = "https://json-schema.org/draft/2020-12/schema";

type Compiled = { root: Schema | boolean; lookup: Record<string, Schema | boolean> } | { error: string };

const cache = new WeakMap<object, Compiled>();

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
}

/**
 * Resolve a schema once. The validator annotates the schema objects it is given (resolved $ref
 * URIs), so it works on a copy: the caller's object (React props, a shared constant) stays as it was.
 */
function compile(schema: object | boolean): Compiled {
  try {
    const root = typeof schema === "boolean" ? schema : (structuredClone(schema) as Schema);
    return { root, lookup: dereference(root) };
  } catch (err) {
    return { error: firstLine(err) };
  }
}

function compiled(schema: object | boolean): Compiled {
  if (typeof schema !== "object" || schema === null) return compile(schema);
  let c = cache.get(schema);
  if (!c) {
    c = compile(schema);
    cache.set(schema, c);
  }
  return c;
}

function run(c: Compiled, instance: unknown): OutputUnit[] {
  if ("error" in c) throw new Error(c.error);
  return validate(instance, c.root, DRAFT, c.lookup, false).errors;
}

/** The issue of a payload or schema nested past MAX_JSON_DEPTH: the validator walks them recursively, so it is not run on them. */
const tooDeep: SchemaIssue = { path: "/", message: `must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep` };

/**
 * An interface whose targets accept different forms (PRODORD_RELEASE: mrp.production values for Odoo, a
 * production schedule for the MES) has one schema per target system: `anyOf` with, in
 * `x-andon-targets`, which alternative is whose. A payload bound for a known hop is checked against that
 * target's contract alone; without a hop (exceptions stored before hops were recorded), against any.
 */
export function schemaForHop(schema: object | boolean, hopTarget: string | null | undefined): object | boolean {
  if (typeof schema !== "object" || !hopTarget) return schema;
  const s = schema as { $schema?: string; anyOf?: unknown[]; "x-andon-targets"?: Record<string, number> };
  const index = s["x-andon-targets"]?.[hopTarget];
  const alternative = index === undefined ? undefined : s.anyOf?.[index];
  return alternative && typeof alternative === "object" ? { $schema: s.$schema, ...(alternative as object) } : schema;
}

/** Validate a payload against an interface schema (the failed hop's target's part of it). An empty list means it matches. */
export function validatePayload(schema: object | boolean, payload: unknown, hopTarget?: string | null): SchemaIssue[] {
  if (exceedsJsonDepth(payload)) return [tooDeep];
  const c = compiled(schemaForHop(schema, hopTarget));
  try {
    return describe(run(c, payload), c);
  } catch (err) {
    // An unusable schema (an unresolvable $ref, an invalid pattern) must not let a payload through,
    // nor crash the editor: the payload is reported as not checkable. checkSchema keeps such
    // schemas out in the first place.
    return [{ path: "/", message: `could not be checked against the interface schema (${firstLine(err)})` }];
  }
}

// ---------------------------------------------------------------------------------------------
// From the validator's output to issues.

/** Errors that only say a subschema failed; the errors of that subschema follow them and say what. */
const WRAPPERS = new Set([
  "$ref",
  "$recursiveRef",
  "properties",
  "patternProperties",
  "additionalProperties",
  "unevaluatedProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedItems",
  "allOf",
  "if",
  "dependentSchemas",
  "dependencies",
]);
/** Errors whose subschema errors follow them but would mislead (a failed alternative, a property name checked as a value): reported alone. */
const COLLAPSED = new Set(["anyOf", "oneOf", "propertyNames"]);

function decodeLocation(location: string): string[] {
  // "#/a/my%20key/0" (each segment escaped as a JSON Pointer, then URI-encoded) → ["a", "my key", "0"]
  const body = location.startsWith("#") ? location.slice(1) : location;
  if (body === "") return [];
  return body
    .slice(1)
    .split("/")
    .map((s) => {
      let d = s;
      try {
        d = decodeURIComponent(s);
      } catch {
        // keep the segment as it is
      }
      return d.replace(/~1/g, "/").replace(/~0/g, "~");
    });
}

const escapeSegment = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
const toPointer = (segments: string[]) => (segments.length ? `/${segments.map(escapeSegment).join("/")}` : "/");

/** The schema object holding the keyword an error is about (following $ref), if it can be found. */
function keywordOwner(c: Compiled, keywordLocation: string): Record<string, unknown> | undefined {
  if ("error" in c) return undefined;
  let node: unknown = c.root;
  for (const seg of decodeLocation(keywordLocation).slice(0, -1)) {
    if (!node || typeof node !== "object") return undefined;
    const n = node as Record<string, unknown>;
    node = seg === "$ref" ? c.lookup[n.__absolute_ref__ as string] : seg === "$recursiveRef" ? undefined : n[seg];
  }
  return node && typeof node === "object" && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}

const TYPE_NAMES: Record<string, string> = { integer: "an integer", object: "an object", array: "an array", null: "null" };
const typeName = (t: string) => TYPE_NAMES[t] ?? `a ${t}`;
const json = (v: unknown) => JSON.stringify(v);
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
const plural = (n: string, one: string, many: string) => `${n} ${n === "1" ? one : many}`;
const quoted = (s: string) => [...s.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);

/** The number a keyword demands: from the schema when found, else the last number of the validator's text. */
function limit(e: OutputUnit, owner: Record<string, unknown> | undefined): string {
  const v = owner?.[e.keyword];
  if (typeof v === "number") return String(v);
  return /(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\)?\.$/i.exec(e.error)?.[1] ?? "the limit";
}

function typeMessage(expected: string[], actual: string | undefined): string {
  return `must be ${expected.map(typeName).join(" or ")}${actual ? `, not ${typeName(actual)}` : ""}`;
}

function message(e: OutputUnit, owner: Record<string, unknown> | undefined, previous: OutputUnit | undefined): string {
  switch (e.keyword) {
    case "type": {
      const [actual, ...expected] = quoted(e.error);
      return typeMessage(expected, actual);
    }
    case "required":
      return `must have the required property "${/required property "(.*)"\.$/s.exec(e.error)?.[1] ?? "?"}"`;
    case "const":
      return owner && "const" in owner ? `must be ${json(owner.const)}` : `must be ${e.error.replace(/^Instance does not match (.*)\.$/s, "$1")}`;
    case "enum": {
      const values =
        owner && Array.isArray(owner.enum) ? (owner.enum as unknown[]) : parseJson(e.error.replace(/^Instance does not match any of (.*)\.$/s, "$1"));
      if (!Array.isArray(values)) return "must be one of the allowed values";
      const shown = values.slice(0, 12).map(json).join(", ");
      return values.length > 12 ? `must be one of ${shown}, … (${values.length} allowed values)` : `must be one of ${shown}`;
    }
    case "pattern":
      return typeof owner?.pattern === "string" ? `must match the pattern ${owner.pattern}` : "must match the required pattern";
    case "format":
      return `must be a valid ${/format "(.*)"\.$/s.exec(e.error)?.[1] ?? "value of its format"}`;
    case "minLength":
      return `must be at least ${plural(limit(e, owner), "character", "characters")} long`;
    case "maxLength":
      return `must be at most ${plural(limit(e, owner), "character", "characters")} long`;
    case "minItems":
      return `must have at least ${plural(limit(e, owner), "item", "items")}`;
    case "maxItems":
      return `must have at most ${plural(limit(e, owner), "item", "items")}`;
    case "minProperties":
      return `must have at least ${plural(limit(e, owner), "property", "properties")}`;
    case "maxProperties":
      return `must have at most ${plural(limit(e, owner), "property", "properties")}`;
    case "minimum":
      return `must be at least ${limit(e, owner)}`;
    case "maximum":
      return `must be at most ${limit(e, owner)}`;
    case "exclusiveMinimum":
      return `must be greater than ${limit(e, owner)}`;
    case "exclusiveMaximum":
      return `must be less than ${limit(e, owner)}`;
    case "multipleOf":
      return `must be a multiple of ${limit(e, owner)}`;
    case "uniqueItems": {
      const [a, b] = e.error.match(/\d+/g) ?? [];
      return a !== undefined && b !== undefined ? `must not contain duplicates (items ${a} and ${b} are equal)` : "must not contain duplicate items";
    }
    case "dependentRequired":
    case "dependencies": {
      const [, present, missing] = /^Instance has "(.*)" but does not have "(.*)"\.$/s.exec(e.error) ?? [];
      return `must have the property "${missing ?? "?"}" when "${present ?? "?"}" is present`;
    }
    case "contains":
      return 'must contain at least one item matching the "contains" schema';
    case "minContains":
      return `must contain at least ${plural(limit(e, owner), "item", "items")} matching the "contains" schema`;
    case "maxContains":
      return `must contain at most ${plural(limit(e, owner), "item", "items")} matching the "contains" schema`;
    case "not":
      return 'must not match the "not" schema';
    case "anyOf":
      return 'must match at least one of the alternatives ("anyOf")';
    case "oneOf": {
      const n = /\((\d+) matches\)/.exec(e.error)?.[1];
      return `must match exactly one of the alternatives ("oneOf"), but matches ${n === undefined || n === "0" ? "none" : n}`;
    }
    case "propertyNames":
      return "is not an allowed property name";
    case "false":
      if (previous?.keyword === "additionalProperties" || previous?.keyword === "unevaluatedProperties") return "is not an allowed property";
      if (previous && ["items", "prefixItems", "additionalItems", "unevaluatedItems"].includes(previous.keyword)) return "is an item the schema does not allow";
      return "is not allowed by the schema";
    default:
      return `does not satisfy "${e.keyword}" (${e.error})`;
  }
}

function describe(errors: OutputUnit[], c: Compiled): SchemaIssue[] {
  // With minContains, the errors of the items that do not match "contains" stay in the output:
  // they are not errors of the payload.
  const containsChildren = errors
    .filter((e) => e.keyword === "minContains")
    .map((e) => `${e.keywordLocation.slice(0, e.keywordLocation.lastIndexOf("/"))}/contains/`);
  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  const add = (path: string, msg: string) => {
    const key = `${path}\0${msg}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message: msg });
    }
  };
  for (let i = 0; i < errors.length; i++) {
    const e = errors[i]!;
    if (WRAPPERS.has(e.keyword) && !(e.keyword === "dependencies" && /does not have/.test(e.error))) continue;
    if (containsChildren.some((p) => e.keywordLocation.startsWith(p))) continue;
    let path = toPointer(decodeLocation(e.instanceLocation));
    let msg = message(e, keywordOwner(c, e.keywordLocation), errors[i - 1]);
    if (COLLAPSED.has(e.keyword)) {
      // The errors of the alternatives (or of the property name) follow: skip them. A "false"
      // schema's error carries no keyword location of its own, but always follows its parent's.
      const prefix = `${e.keywordLocation}/`;
      let j = i + 1;
      while (j < errors.length && (errors[j]!.keywordLocation.startsWith(prefix) || errors[j]!.keyword === "false")) j++;
      const children = errors.slice(i + 1, j);
      if (e.keyword === "propertyNames") {
        // Reported at the property itself; its children's location is that of the name.
        if (children[0]) path = toPointer(decodeLocation(children[0].instanceLocation));
        const why = children.findIndex((ch) => !WRAPPERS.has(ch.keyword));
        if (why >= 0) msg += `: the name ${message(children[why]!, keywordOwner(c, children[why]!.keywordLocation), children[why - 1] ?? e)}`;
      } else if (
        children.length > 0 &&
        children.every((ch) => ch.keyword === "type" && ch.instanceLocation === e.instanceLocation) &&
        !/[1-9]\d* matches/.test(e.error)
      ) {
        // Alternatives that differ only by type ("a string or null"): say so.
        const expected = [...new Set(children.flatMap((ch) => quoted(ch.error).slice(1)))];
        msg = typeMessage(expected, quoted(children[0]!.error)[0]);
      }
      i = j - 1;
    }
    add(path, msg);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Is a value a usable JSON Schema? (For uploading a new schema version.)

/**
 * The draft 2020-12 meta-schema (core, applicator, unevaluated, validation, meta-data,
 * format-annotation and content vocabularies, and the legacy keywords it still describes) as one
 * document. The official one links its parts with $dynamicRef, which this validator does not
 * implement; without extensions every "$dynamicRef": "#meta" means the root, hence "$ref": "#".
 * "type" is checked with if/then/else instead of anyOf so a misspelt type reads as such.
 */
const META_SCHEMA: Schema = {
  $id: "https://andon.local/schemas/json-schema-2020-12-meta",
  type: ["object", "boolean"],
  properties: {
    // core
    $id: { $ref: "#/$defs/uriReferenceString", pattern: "^[^#]*#?$" },
    $schema: { $ref: "#/$defs/uriString" },
    $ref: { $ref: "#/$defs/uriReferenceString" },
    $anchor: { $ref: "#/$defs/anchorString" },
    $dynamicRef: { $ref: "#/$defs/uriReferenceString" },
    $dynamicAnchor: { $ref: "#/$defs/anchorString" },
    $vocabulary: { type: "object", propertyNames: { $ref: "#/$defs/uriString" }, additionalProperties: { type: "boolean" } },
    $comment: { type: "string" },
    $defs: { type: "object", additionalProperties: { $ref: "#" } },
    // applicator
    prefixItems: { $ref: "#/$defs/schemaArray" },
    items: { $ref: "#" },
    contains: { $ref: "#" },
    additionalProperties: { $ref: "#" },
    properties: { type: "object", additionalProperties: { $ref: "#" } },
    patternProperties: { type: "object", additionalProperties: { $ref: "#" }, propertyNames: { format: "regex" } },
    dependentSchemas: { type: "object", additionalProperties: { $ref: "#" } },
    propertyNames: { $ref: "#" },
    if: { $ref: "#" },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
    then: { $ref: "#" },
    else: { $ref: "#" },
    allOf: { $ref: "#/$defs/schemaArray" },
    anyOf: { $ref: "#/$defs/schemaArray" },
    oneOf: { $ref: "#/$defs/schemaArray" },
    not: { $ref: "#" },
    // unevaluated
    unevaluatedItems: { $ref: "#" },
    unevaluatedProperties: { $ref: "#" },
    // validation
    type: {
      if: { type: "array" },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
      then: { items: { $ref: "#/$defs/simpleTypes" }, minItems: 1, uniqueItems: true },
      else: { $ref: "#/$defs/simpleTypes" },
    },
    const: true,
    enum: { type: "array", items: true },
    multipleOf: { type: "number", exclusiveMinimum: 0 },
    maximum: { type: "number" },
    exclusiveMaximum: { type: "number" },
    minimum: { type: "number" },
    exclusiveMinimum: { type: "number" },
    maxLength: { $ref: "#/$defs/nonNegativeInteger" },
    minLength: { $ref: "#/$defs/nonNegativeInteger" },
    pattern: { type: "string", format: "regex" },
    maxItems: { $ref: "#/$defs/nonNegativeInteger" },
    minItems: { $ref: "#/$defs/nonNegativeInteger" },
    uniqueItems: { type: "boolean" },
    maxContains: { $ref: "#/$defs/nonNegativeInteger" },
    minContains: { $ref: "#/$defs/nonNegativeInteger" },
    maxProperties: { $ref: "#/$defs/nonNegativeInteger" },
    minProperties: { $ref: "#/$defs/nonNegativeInteger" },
    required: { $ref: "#/$defs/stringArray" },
    dependentRequired: { type: "object", additionalProperties: { $ref: "#/$defs/stringArray" } },
    // meta-data
    title: { type: "string" },
    description: { type: "string" },
    default: true,
    deprecated: { type: "boolean" },
    readOnly: { type: "boolean" },
    writeOnly: { type: "boolean" },
    examples: { type: "array", items: true },
    // format-annotation
    format: { type: "string" },
    // content
    contentEncoding: { type: "string" },
    contentMediaType: { type: "string" },
    contentSchema: { $ref: "#" },
    // legacy keywords
    definitions: { type: "object", additionalProperties: { $ref: "#" } },
    dependencies: { type: "object", additionalProperties: { anyOf: [{ $ref: "#" }, { $ref: "#/$defs/stringArray" }] } },
    $recursiveAnchor: { $ref: "#/$defs/anchorString" },
    $recursiveRef: { $ref: "#/$defs/uriReferenceString" },
  },
  $defs: {
    schemaArray: { type: "array", minItems: 1, items: { $ref: "#" } },
    anchorString: { type: "string", pattern: "^[A-Za-z_][-A-Za-z0-9._]*$" },
    uriString: { type: "string", format: "uri" },
    uriReferenceString: { type: "string", format: "uri-reference" },
    nonNegativeInteger: { type: "integer", minimum: 0 },
    simpleTypes: { enum: ["array", "boolean", "integer", "null", "number", "object", "string"] },
    stringArray: { type: "array", items: { type: "string" }, uniqueItems: true },
  },
};

let meta: Compiled | undefined;

/** Sub-schemas by JSON Pointer, walked the way the validator resolves them. */
function* subschemas(node: unknown, path: string[] = []): Generator<[Record<string, unknown>, string[]]> {
  if (!node || typeof node !== "object" || Array.isArray(node)) return;
  const n = node as Record<string, unknown>;
  yield [n, path];
  for (const [key, value] of Object.entries(n)) {
    if (ignoredKeyword[key] || !value || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      if (schemaArrayKeyword[key]) for (const [i, v] of value.entries()) yield* subschemas(v, [...path, key, String(i)]);
    } else if (schemaMapKeyword[key] || key === "dependencies") {
      for (const [k, v] of Object.entries(value)) yield* subschemas(v, [...path, key, k]);
    } else if (schemaKeyword[key]) {
      yield* subschemas(value, [...path, key]);
    }
  }
}

/**
 * Whether a value is a JSON Schema (draft 2020-12) that payloads can be validated against. An
 * empty list means it is; otherwise each issue points into the schema document ("/properties/qty/type
 * must be one of …").
 */
export function checkSchema(schema: unknown): SchemaIssue[] {
  if (typeof schema !== "boolean" && (!schema || typeof schema !== "object" || Array.isArray(schema))) {
    return [{ path: "/", message: "must be a JSON Schema: a JSON object (or true or false)" }];
  }
  if (exceedsJsonDepth(schema)) return [tooDeep];
  meta ??= compile(META_SCHEMA);
  let issues: SchemaIssue[];
  try {
    issues = describe(run(meta, schema), meta);
  } catch (err) {
    return [{ path: "/", message: `must be plain JSON (${firstLine(err)})` }];
  }
  if (typeof schema === "boolean") return issues;
  const declared = (schema as Record<string, unknown>).$schema;
  if (typeof declared === "string" && declared.replace(/#$/, "") !== DRAFT_URI) {
    issues.push({ path: "/$schema", message: `must be "${DRAFT_URI}": payloads are validated with draft 2020-12` });
  }
  if (issues.length) return issues;

  const c = compile(schema);
  if ("error" in c) return [{ path: "/", message: `cannot be used: ${c.error}` }];
  for (const [node, path] of subschemas(c.root)) {
    if (typeof node.$ref === "string" && c.lookup[node.__absolute_ref__ as string] === undefined) {
      issues.push({ path: toPointer([...path, "$ref"]), message: `must point to a schema inside this document ("${node.$ref}" does not)` });
    }
    if (node.$dynamicRef !== undefined) {
      issues.push({ path: toPointer([...path, "$dynamicRef"]), message: 'is not supported by the payload validator: use "$ref"' });
    }
  }
  if (issues.length) return issues;
  // Whatever else makes validation itself fail shows on a few sample values.
  for (const sample of [null, true, 0, 1.5, "", "x", [], [null], {}, { "": null }]) {
    try {
      run(c, sample);
    } catch (err) {
      return [{ path: "/", message: `cannot be used: ${firstLine(err)}` }];
    }
  }
  return [];
}
