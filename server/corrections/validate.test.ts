import { describe, expect, it } from "vitest";
import { SAMPLE_SUPPLIER_ASN } from "../../connectors/edi/samples";
import { PRODORD_RELEASE_SAMPLE } from "../../connectors/mes/samples";
import { ODOO_SAMPLE_PAYLOADS } from "../../connectors/odoo/schemas";
import { SAMPLE_FORECAST_IMPORT } from "../../connectors/planning/samples";
import { BOM_RELEASE_SAMPLE } from "../../connectors/plm/samples";
import { SAP_SAMPLE_PAYLOADS } from "../../connectors/sap/samples";
import { mbgmcr03JsonSchema } from "../../connectors/sap/schemas";
import { PAYLOAD_SCHEMAS, payloadSchemaFor } from "./payload-schemas";
import { checkSchema, schemaForHop, validatePayload } from "./validate";

/** The IDoc form of SAP's goods-movement contract (the seeded schema also takes the OData form). */
const goodsMovement = mbgmcr03JsonSchema;
const production = schemaForHop(PAYLOAD_SCHEMAS.PRODORD_RELEASE!, "ODOO") as object;
const qualityHold = schemaForHop(PAYLOAD_SCHEMAS.QUALITY_HOLD!, "SAP_ERP") as object;

const item = { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "512", ENTRY_UOM: "PC", ORDERID: "000001004711" };
const idoc = (items: object[] = [item]) => ({
  idocType: "MBGMCR03",
  control: { DOCNUM: "0000000004712001", MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
  E1BP2017_GM_HEAD_01: { PSTNG_DATE: "20261123", DOC_DATE: "20261123" },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_ITEM_CREATE: items,
});

describe("one contract per target", () => {
  it("checks a payload against the failed hop's target: a production schedule is not valid mrp.production values", () => {
    const mes = { orderNumber: "000001004711" };
    expect(validatePayload(PAYLOAD_SCHEMAS.PRODORD_RELEASE!, { product_id: 4211, product_qty: 5, product_uom_id: 1 }, "ODOO")).toEqual([]);
    expect(validatePayload(PAYLOAD_SCHEMAS.PRODORD_RELEASE!, { product_id: 4211, product_qty: 5, product_uom_id: 1 }, "MES").length).toBeGreaterThan(0);
    expect(validatePayload(PAYLOAD_SCHEMAS.PRODORD_RELEASE!, mes, "ODOO").length).toBeGreaterThan(0);
    // What each system's emulator accepts passes its seeded contract, for the hop that delivers to it.
    const samples: [string, string, unknown][] = [
      ...Object.entries(SAP_SAMPLE_PAYLOADS).map(([code, p]): [string, string, unknown] => [code, "SAP_ERP", p]),
      ...Object.entries(ODOO_SAMPLE_PAYLOADS).map(([code, p]): [string, string, unknown] => [code, "ODOO", p]),
      ["PRODORD_RELEASE", "MES", PRODORD_RELEASE_SAMPLE],
      ["SUPPLIER_ASN", "WMS", SAMPLE_SUPPLIER_ASN],
      ["SUPPLIER_ASN", "ODOO", SAMPLE_SUPPLIER_ASN],
      ["FORECAST_IMPORT", "ODOO", SAMPLE_FORECAST_IMPORT],
      ["BOM_RELEASE", "ODOO", BOM_RELEASE_SAMPLE],
    ];
    for (const [code, target, payload] of samples) expect([code, target, validatePayload(PAYLOAD_SCHEMAS[code]!, payload, target)]).toEqual([code, target, []]);
    // Every one of the 12 interfaces has a real contract now, none is "any JSON object".
    expect(Object.keys(PAYLOAD_SCHEMAS)).toHaveLength(12);
    for (const s of Object.values(PAYLOAD_SCHEMAS)) expect((s as { title?: string }).title).not.toBe("Any JSON object");
  });
});

describe("validatePayload", () => {
  it("finds nothing wrong with payloads that match (the seeded schemas, the domain samples)", () => {
    expect(validatePayload(goodsMovement, idoc())).toEqual([]);
    expect(
      validatePayload(production, {
        product_id: 4211,
        product_qty: 250,
        product_uom_id: 1,
        bom_id: 88,
        origin: "SAP 1004711",
        date_start: "2026-11-24 06:00:00",
      }),
    ).toEqual([]);
    expect(
      validatePayload(qualityHold, {
        material: "RM-0815",
        plant: "1000",
        batch: "B2026-118",
        action: "HOLD",
        targetStockType: "BLOCKED",
        reason: "Out of spec",
      }),
    ).toEqual([]);
    expect(validatePayload(PAYLOAD_SCHEMAS.GOODS_MOVEMENT!, idoc())).toEqual([]);
    expect(validatePayload(payloadSchemaFor("ANYTHING_ELSE"), { whatever: [1, 2] })).toEqual([]);
  });

  it("names the missing required property, at the object that lacks it", () => {
    const { PLANT: _plant, ...noPlant } = item;
    expect(validatePayload(goodsMovement, idoc([noPlant]))).toEqual([
      { path: "/E1BP2017_GM_ITEM_CREATE/0", message: 'must have the required property "PLANT"' },
    ]);
    const { control: _control, ...noControl } = idoc();
    expect(validatePayload(goodsMovement, noControl)).toEqual([{ path: "/", message: 'must have the required property "control"' }]);
  });

  it("reports a wrong type at its nested path, once, without the chain of parents that merely contain it", () => {
    expect(validatePayload(goodsMovement, idoc([item, { ...item, ENTRY_QNT: 20 }]))).toEqual([
      { path: "/E1BP2017_GM_ITEM_CREATE/1/ENTRY_QNT", message: "must be a string, not a number" },
    ]);
    expect(validatePayload(goodsMovement, [])).toEqual([{ path: "/", message: "must be an object, not an array" }]);
    expect(validatePayload(production, { product_id: 1, product_qty: 1, product_uom_id: 1.5 })).toEqual([
      { path: "/product_uom_id", message: "must be an integer, not a number" },
    ]);
  });

  it("reports every problem at once, in the order the schema declares them", () => {
    const bad = {
      ...idoc([{ ...item, MATERIAL: "", PLANT: "HAMBURG", STGE_LOC: 1, ENTRY_QNT: "-5", ENTRY_UOM: "PCS1" }]),
      idocType: "MBGMCR02",
      control: {},
      E1BP2017_GM_CODE: { GM_CODE: "09" },
    };
    const issues = validatePayload(goodsMovement, bad);
    expect(issues).toEqual([
      { path: "/idocType", message: 'must be "MBGMCR03"' },
      { path: "/control", message: 'must have the required property "DOCNUM"' },
      { path: "/E1BP2017_GM_CODE/GM_CODE", message: 'must be one of "01", "02", "03", "04", "05", "06", "07"' },
      { path: "/E1BP2017_GM_ITEM_CREATE/0/MATERIAL", message: "must be at least 1 character long" },
      { path: "/E1BP2017_GM_ITEM_CREATE/0/PLANT", message: "must match the pattern ^[0-9A-Z]{4}$" },
      { path: "/E1BP2017_GM_ITEM_CREATE/0/STGE_LOC", message: "must be a string, not a number" },
      { path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", message: "must match the pattern ^[0-9]+(\\.[0-9]{1,3})?$" },
      { path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_UOM", message: "must be at most 3 characters long" },
    ]);
    // The same answer every time (the editor validates on every keystroke, the server decides).
    expect(validatePayload(goodsMovement, structuredClone(bad))).toEqual(issues);
  });

  it("words the enum, minimum, exclusive minimum, minItems and pattern constraints of the seeded schemas", () => {
    expect(
      validatePayload(qualityHold, { material: "RM-0815", plant: "1000", batch: "B2026-118", action: "hold", targetStockType: "BLOCKED", reason: "x" }),
    ).toEqual([{ path: "/action", message: 'must be one of "HOLD", "RELEASE"' }]);
    expect(validatePayload(production, { product_id: 0, product_qty: 0, product_uom_id: 1, date_start: "2026-11-24T06:00:00Z" })).toEqual([
      { path: "/product_id", message: "must be at least 1" },
      { path: "/product_qty", message: "must be greater than 0" },
      { path: "/date_start", message: "must match the pattern ^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$" },
    ]);
    expect(validatePayload(goodsMovement, idoc([]))).toEqual([{ path: "/E1BP2017_GM_ITEM_CREATE", message: "must have at least 1 item" }]);
  });

  it("words the other keywords an uploaded schema may use", () => {
    const schema = {
      type: "object",
      properties: {
        at: { type: "string", format: "date-time" },
        note: { type: ["string", "null"] },
        unit: { anyOf: [{ type: "string" }, { type: "null" }] },
        code: { oneOf: [{ type: "string" }, { type: "string", minLength: 1 }] },
        tags: { type: "array", uniqueItems: true, maxItems: 2, items: { $ref: "#/$defs/tag" } },
        "a/b": { type: "integer", multipleOf: 5, maximum: 100, exclusiveMaximum: 50 },
      },
      propertyNames: { pattern: "^[a-z/]+$" },
      additionalProperties: false,
      $defs: { tag: { type: "string", maxLength: 4 } },
    };
    expect(validatePayload(schema, { at: "yesterday", note: 1, unit: 2, code: "x", tags: ["a", "a", "toolong"], "a/b": 77, Extra: true })).toEqual([
      { path: "/Extra", message: "is not an allowed property name: the name must match the pattern ^[a-z/]+$" },
      { path: "/at", message: "must be a valid date-time" },
      { path: "/note", message: "must be a string or null, not a number" },
      { path: "/unit", message: "must be a string or null, not a number" },
      { path: "/code", message: 'must match exactly one of the alternatives ("oneOf"), but matches 2' },
      { path: "/tags", message: "must have at most 2 items" },
      { path: "/tags/2", message: "must be at most 4 characters long" },
      { path: "/tags", message: "must not contain duplicates (items 0 and 1 are equal)" },
      { path: "/a~1b", message: "must be less than 50" },
      { path: "/a~1b", message: "must be a multiple of 5" },
      { path: "/Extra", message: "is not an allowed property" },
    ]);
  });

  it("uses JSON Pointers for property names that need escaping or URI encoding", () => {
    const schema = { type: "object", properties: { "größe #1": { type: "object", required: ["x~y"], properties: { "x~y": { type: "number" } } } } };
    expect(validatePayload(schema, { "größe #1": {} })).toEqual([{ path: "/größe #1", message: 'must have the required property "x~y"' }]);
    expect(validatePayload(schema, { "größe #1": { "x~y": "1" } })).toEqual([{ path: "/größe #1/x~0y", message: "must be a number, not a string" }]);
  });

  it("leaves the caller's schema object untouched and caches per schema object", () => {
    const schema = { type: "object", properties: { a: { $ref: "#/$defs/a" } }, $defs: { a: { type: "string" } } };
    const before = JSON.stringify(schema);
    expect(validatePayload(schema, { a: 1 })).toEqual([{ path: "/a", message: "must be a string, not a number" }]);
    expect(validatePayload(schema, { a: "x" })).toEqual([]);
    expect(Object.getOwnPropertyNames(schema.properties.a)).toEqual(["$ref"]);
    expect(JSON.stringify(schema)).toBe(before);
  });

  it("does not let a payload through, nor throw, when the schema itself cannot be used", () => {
    expect(validatePayload({ properties: { a: { $ref: "#/$defs/missing" } } }, { a: 1 })).toEqual([
      { path: "/", message: expect.stringMatching(/^could not be checked against the interface schema \(Unresolved \$ref/) as string },
    ]);
    expect(validatePayload(false, {})).toEqual([{ path: "/", message: "is not allowed by the schema" }]);
    expect(validatePayload(true, {})).toEqual([]);
  });
});

describe("checkSchema", () => {
  it("accepts the seeded schemas, boolean schemas and a schema using $ref, $defs and combinators", () => {
    for (const schema of [...Object.values(PAYLOAD_SCHEMAS), payloadSchemaFor("OTHER"), true, false, {}]) expect(checkSchema(schema)).toEqual([]);
    expect(
      checkSchema({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: "https://andon.local/schemas/example",
        type: ["object", "null"],
        properties: { q: { $ref: "#/$defs/qty" }, unit: { anyOf: [{ const: "PC" }, { const: "KG" }] } },
        patternProperties: { "^x-": true },
        dependentRequired: { q: ["unit"] },
        $defs: { qty: { type: "number", exclusiveMinimum: 0 } },
      }),
    ).toEqual([]);
  });

  it("rejects what is not a schema at all", () => {
    for (const value of [null, 5, "object", [], [{ type: "string" }], undefined]) {
      expect(checkSchema(value)).toEqual([{ path: "/", message: "must be a JSON Schema: a JSON object (or true or false)" }]);
    }
  });

  it("rejects unknown types and malformed required / properties, pointing into the schema", () => {
    expect(checkSchema({ type: "strin" })).toEqual([
      { path: "/type", message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string"' },
    ]);
    expect(checkSchema({ properties: { a: { type: ["string", "text"] } } })).toEqual([
      { path: "/properties/a/type/1", message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string"' },
    ]);
    expect(checkSchema({ required: "a" })).toEqual([{ path: "/required", message: "must be an array, not a string" }]);
    expect(checkSchema({ required: ["a", 1, "a"] })).toEqual([
      { path: "/required/1", message: "must be a string, not a number" },
      { path: "/required", message: "must not contain duplicates (items 0 and 2 are equal)" },
    ]);
    expect(checkSchema({ properties: [] })).toEqual([{ path: "/properties", message: "must be an object, not an array" }]);
    expect(checkSchema({ properties: { a: "string" } })).toEqual([{ path: "/properties/a", message: "must be an object or a boolean, not a string" }]);
    expect(checkSchema({ type: "array", items: [{ type: "string" }] })).toEqual([{ path: "/items", message: "must be an object or a boolean, not an array" }]);
    expect(checkSchema({ minLength: -1, maxItems: 1.5 })).toEqual([
      { path: "/minLength", message: "must be at least 0" },
      { path: "/maxItems", message: "must be an integer, not a number" },
    ]);
  });

  it("rejects what the validator could not use: invalid patterns, unresolvable references, another draft", () => {
    expect(checkSchema({ properties: { a: { pattern: "([0-9]" } } })).toEqual([{ path: "/properties/a/pattern", message: "must be a valid regex" }]);
    expect(checkSchema({ patternProperties: { "\\_x": {} } })).toEqual([
      { path: "/patternProperties/\\_x", message: "is not an allowed property name: the name must be a valid regex" },
    ]);
    expect(checkSchema({ properties: { a: { $ref: "#/$defs/missing" } } })).toEqual([
      { path: "/properties/a/$ref", message: 'must point to a schema inside this document ("#/$defs/missing" does not)' },
    ]);
    expect(checkSchema({ $ref: "https://example.com/other.json" })).toEqual([
      { path: "/$ref", message: 'must point to a schema inside this document ("https://example.com/other.json" does not)' },
    ]);
    expect(checkSchema({ $dynamicRef: "#meta" })).toEqual([{ path: "/$dynamicRef", message: 'is not supported by the payload validator: use "$ref"' }]);
    expect(checkSchema({ $schema: "http://json-schema.org/draft-07/schema#", type: "object" })).toEqual([
      { path: "/$schema", message: 'must be "https://json-schema.org/draft/2020-12/schema": payloads are validated with draft 2020-12' },
    ]);
    expect(checkSchema({ $defs: { a: { $id: "https://x.test/a" }, b: { $id: "https://x.test/a" } } })).toEqual([
      { path: "/", message: expect.stringMatching(/^cannot be used: Duplicate schema URI/) as string },
    ]);
  });
});
