import Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, ValidateFunction } from "ajv";

/** JSON Schema validation of payloads, identical in the browser (live) and on the server (decisive). */
export type SchemaIssue = { path: string; message: string };

const ajv = new Ajv2020({ allErrors: true, strict: false });
const cache = new WeakMap<object, ValidateFunction>();

export function validatePayload(schema: object, payload: unknown): SchemaIssue[] {
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  if (validate(payload)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => ({ path: e.instancePath || "/", message: e.message ?? "is invalid" }));
}
