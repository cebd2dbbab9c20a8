/** Record access shared by the ORM, the domain evaluator and the business rules. */
import { raise } from "./exceptions";
import type { FieldSpec, Row } from "./fields";
import type { Env, ModelSpec } from "./model";

/** Fields every Odoo model has (`id`, `display_name` and the `_log_access` columns). */
export const MAGIC_FIELDS: Readonly<Record<string, FieldSpec>> = {
  id: { type: "integer", string: "ID" },
  display_name: { type: "char", string: "Display Name" },
  create_uid: { type: "many2one", relation: "res.users", string: "Created by" },
  create_date: { type: "datetime", string: "Created on" },
  write_uid: { type: "many2one", relation: "res.users", string: "Last Updated by" },
  write_date: { type: "datetime", string: "Last Updated on" },
};

export function spec(env: Env, model: string): ModelSpec {
  const found = env.registry.get(model);
  if (!found) throw new Error(`model ${model} is not emulated`);
  return found;
}

/** Definition of a field, magic fields included; undefined when the model has no such field. */
export function fieldOf(model: ModelSpec, name: string): FieldSpec | undefined {
  return Object.hasOwn(model.fields, name) ? model.fields[name] : Object.hasOwn(MAGIC_FIELDS, name) ? MAGIC_FIELDS[name] : undefined;
}

/** `ValueError: Invalid field 'x' on model 'y'` (create, write, read, order). */
export function invalidField(name: string, model: string) {
  return raise.builtin("ValueError", `Invalid field '${name}' on model '${model}'`);
}

/** The row, or the MissingError Odoo raises when a field of a deleted/unknown record is read. */
export function browse(env: Env, model: string, id: number): Row {
  const row = env.store.get(model, id);
  if (!row) throw raise.missing(model, id, env.uid);
  return row;
}

export function displayName(env: Env, model: string, id: number): string {
  const row = env.store.get(model, id);
  return row ? spec(env, model).displayName(row, env) : `${model},${id}`;
}

/** Ids of a one2many: rows of the comodel whose inverse many2one points to `id`. */
export function one2manyIds(env: Env, relation: string, inverse: string, id: number): number[] {
  return env.store
    .rows(relation)
    .filter((row) => row[inverse] === id)
    .map((row) => row.id);
}

export const asId = (value: unknown): number | undefined => (typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined);
