/**
 * Generic ORM operations over the store, after `odoo/models.py` (Odoo 17): create, write, read,
 * search, unlink, x2many commands, and the database-level checks (NOT NULL, `_sql_constraints`,
 * foreign keys) that reach the client as ValidationError through `odoo.service.model.retrying`.
 */
import type { OdooRecord } from "../protocol";
import { compileDomain } from "./domain";
import { raise } from "./exceptions";
import type { FieldSpec, Row, ScalarField, StoredValue, X2ManyField } from "./fields";
import { convertToCache, emptyValue, formatDatetime, isX2Many } from "./fields";
import type { Env, ModelSpec, Values } from "./model";
import { pyRepr, pyTypeName } from "./python";
import { MAGIC_FIELDS, asId, browse, displayName, fieldOf, invalidField, one2manyIds, spec } from "./records";

/** Keys `create`/`write` drop silently (`id`, `_log_access` columns, the non-stored display_name). */
const IGNORED_IN_VALS = new Set(Object.keys(MAGIC_FIELDS));

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const tableName = (model: string) => model.replace(/\./g, "_");

/** `vals` split into stored scalar values and pending x2many values, after Odoo's checks. */
function convertVals(model: ModelSpec, vals: unknown, method: "get" | "items"): { scalars: Values; x2many: Array<[string, X2ManyField, unknown]> } {
  // The ORM reads vals with vals.get()/vals.items(): anything but a dict fails there.
  if (!isPlainObject(vals)) throw raise.builtin("AttributeError", `'${pyTypeName(vals)}' object has no attribute '${method}'`);
  const scalars: Values = {};
  const x2many: Array<[string, X2ManyField, unknown]> = [];
  for (const [name, value] of Object.entries(vals)) {
    if (IGNORED_IN_VALS.has(name)) continue;
    const field = Object.hasOwn(model.fields, name) ? model.fields[name] : undefined;
    if (!field) throw invalidField(name, model.name);
    if (isX2Many(field)) x2many.push([name, field, value]);
    else scalars[name] = convertToCache(field, `${model.name}.${name}`, value);
  }
  return { scalars, x2many };
}

/** Many2one values must point to existing records (Odoo's computes read them: MissingError). */
function checkReferences(env: Env, model: ModelSpec, values: Values): void {
  for (const [name, value] of Object.entries(values)) {
    const field = model.fields[name];
    if (field?.type === "many2one" && typeof value === "number") browse(env, field.relation, value);
  }
}

/** What PostgreSQL checks on INSERT/UPDATE, worded as `_as_validation_error` (Odoo 16+) words it. */
export function checkDatabaseConstraints(env: Env, model: ModelSpec, row: Row): void {
  for (const [name, field] of Object.entries(model.fields)) {
    if (!field.required || isX2Many(field) || field.type === "boolean" || field.type === "integer" || field.type === "float") continue;
    if (row[name] === false || row[name] === undefined) {
      throw raise.validation(
        "The operation cannot be completed:\n" +
          "- Create/update: a mandatory field is not set.\n" +
          "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n" +
          `Model: ${model.description} (${model.name})\n` +
          `Field: ${field.string} (${name})\n`,
      );
    }
  }
  for (const constraint of model.sqlConstraints ?? []) {
    if (!constraint.check(row, env)) {
      const message = env.settings.prefixSqlConstraintMessages ? `The operation cannot be completed: ${constraint.message}` : constraint.message;
      throw raise.validation(message);
    }
  }
}

/** Flush at the end of a call: every row the call inserted or changed passes the database checks. */
export function flush(env: Env): void {
  for (const { model, row } of env.store.touched()) checkDatabaseConstraints(env, spec(env, model), row);
}

export function create(env: Env, model: string, valsList: readonly unknown[]): number[] {
  return valsList.map((vals) => createOne(env, model, vals));
}

function createOne(env: Env, model: string, vals: unknown, inverse?: { field: string; id: number }): number {
  const definition = spec(env, model);
  const { scalars, x2many } = convertVals(definition, vals, "get");
  const defaults = definition.defaults?.(env) ?? {};
  const values: Values = {};
  for (const [name, field] of Object.entries(definition.fields)) {
    if (isX2Many(field)) continue;
    values[name] = Object.hasOwn(scalars, name) ? (scalars[name] as StoredValue) : (defaults[name] ?? emptyValue(field));
  }
  if (inverse) values[inverse.field] = inverse.id;
  definition.prepareCreate?.(env, values);
  checkReferences(env, definition, values);

  const now = formatDatetime(env.now());
  const id = env.store.allocateId(model);
  const row: Row = { ...values, id, create_uid: env.uid, create_date: now, write_uid: env.uid, write_date: now };
  // Odoo 17 INSERTs in create(): NOT NULL and CHECK constraints fail here, before @api.constrains.
  checkDatabaseConstraints(env, definition, row);
  env.store.insert(model, row);
  for (const [name, field, value] of x2many) applyX2Many(env, model, id, name, field, value);
  const changed = new Set([...Object.keys(values), ...x2many.map(([name]) => name)]);
  definition.constrains?.(env, browse(env, model, id), changed);
  return id;
}

export function write(env: Env, model: string, ids: readonly number[], vals: unknown): true {
  const definition = spec(env, model);
  const rows = ids.map((id) => browse(env, model, id));
  const { scalars, x2many } = convertVals(definition, vals, "items");
  definition.beforeWrite?.(env, rows, scalars);
  checkReferences(env, definition, scalars);
  const stamp = { write_uid: env.uid, write_date: formatDatetime(env.now()) };
  for (const row of rows) {
    env.store.update(model, row.id, { ...scalars, ...stamp });
    for (const [name, field, value] of x2many) applyX2Many(env, model, row.id, name, field, value);
  }
  const written = rows.map((row) => browse(env, model, row.id));
  definition.afterWrite?.(env, written, scalars);
  const changed = new Set([...Object.keys(scalars), ...x2many.map(([name]) => name)]);
  for (const row of written) definition.constrains?.(env, browse(env, model, row.id), changed);
  return true;
}

export function unlink(env: Env, model: string, ids: readonly number[]): true {
  const definition = spec(env, model);
  const rows = ids.map((id) => browse(env, model, id));
  definition.beforeUnlink?.(env, rows);
  for (const row of rows) deleteRow(env, model, row.id);
  return true;
}

/** DELETE with the foreign keys' `ondelete` (restrict → ValidationError, cascade, set null). */
function deleteRow(env: Env, model: string, id: number): void {
  if (!env.store.get(model, id)) return;
  for (const other of env.registry.values()) {
    for (const [name, field] of Object.entries(other.fields)) {
      if (field.type === "many2many" && field.relation === model) {
        for (const row of env.store.rows(other.name)) {
          const ids = row[name];
          if (Array.isArray(ids) && ids.includes(id)) env.store.update(other.name, row.id, { [name]: ids.filter((x) => x !== id) });
        }
      }
      if (field.type !== "many2one" || field.relation !== model) continue;
      const referencing = env.store.rows(other.name).filter((row) => row[name] === id);
      if (referencing.length === 0) continue;
      const ondelete = field.ondelete ?? (field.required ? "restrict" : "set null");
      if (ondelete === "restrict") {
        throw raise.validation(
          "The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n" +
            `Model: ${other.description} (${other.name})\n` +
            `Constraint: ${tableName(other.name)}_${name}_fkey\n`,
        );
      }
      for (const row of referencing) {
        if (ondelete === "cascade") deleteRow(env, other.name, row.id);
        else env.store.update(other.name, row.id, { [name]: false });
      }
    }
  }
  env.store.delete(model, id);
}

/**
 * x2many values: a list of ids (replace), or commands `[0, 0, vals]` create, `[1, id, vals]`
 * update, `[2, id]` delete, `[3, id]` unlink, `[4, id]` link, `[5]` clear, `[6, 0, ids]` set.
 */
function applyX2Many(env: Env, model: string, id: number, name: string, field: X2ManyField, value: unknown): void {
  if (value === false || value === null) value = [[5]];
  if (!Array.isArray(value)) throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
  const commands: unknown[][] = value.every((item) => typeof item === "number") ? [[6, 0, value]] : (value as unknown[][]);
  const current = (): number[] =>
    field.type === "one2many" ? one2manyIds(env, field.relation, field.inverse, id) : [...((browse(env, model, id)[name] as number[]) ?? [])];
  const setIds = (ids: readonly number[]) => {
    if (field.type === "many2many") {
      for (const target of ids) browse(env, field.relation, target);
      env.store.update(model, id, { [name]: [...new Set(ids)] });
      return;
    }
    for (const old of current()) if (!ids.includes(old)) detach(old);
    for (const target of ids) {
      browse(env, field.relation, target);
      env.store.update(field.relation, target, { [field.inverse]: id });
    }
  };
  // one2many: removing a line from the set deletes it when its inverse is required (Odoo's cascade).
  const detach = (target: number) => {
    if (field.type !== "one2many") return;
    const inverse = spec(env, field.relation).fields[field.inverse];
    if (inverse?.required || (inverse?.type === "many2one" && inverse.ondelete === "cascade")) unlink(env, field.relation, [target]);
    else env.store.update(field.relation, target, { [field.inverse]: false });
  };

  for (const command of commands) {
    if (!Array.isArray(command)) throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
    const [code, target, payload] = command;
    const targetId = asId(target);
    switch (code) {
      case 0:
        if (field.type === "one2many") createOne(env, field.relation, payload, { field: field.inverse, id });
        else setIds([...current(), createOne(env, field.relation, payload)]);
        break;
      case 1:
        if (targetId === undefined) throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        write(env, field.relation, [targetId], payload);
        break;
      case 2:
        if (targetId === undefined) throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        unlink(env, field.relation, [targetId]);
        if (field.type === "many2many") setIds(current().filter((x) => x !== targetId));
        break;
      case 3:
        if (targetId === undefined) throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        if (field.type === "one2many") detach(targetId);
        else setIds(current().filter((x) => x !== targetId));
        break;
      case 4:
        if (targetId === undefined) throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        setIds([...current(), targetId]);
        break;
      case 5:
        setIds([]);
        break;
      case 6: {
        const ids = Array.isArray(payload) ? payload.map(asId) : [];
        if (!Array.isArray(payload) || ids.some((x) => x === undefined)) {
          throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        }
        setIds(ids as number[]);
        break;
      }
      default:
        throw raise.builtin("ValueError", `Wrong value for ${model}.${name}: ${pyRepr(value)}`);
    }
  }
}

/** Value of one field as `read` answers it (`convert_to_read`). */
function readValue(env: Env, model: ModelSpec, row: Row, name: string, field: FieldSpec, classicLoad: boolean): unknown {
  if (name === "display_name") return model.displayName(row, env);
  if (field.type === "one2many") return one2manyIds(env, field.relation, field.inverse, row.id);
  const value = row[name];
  if (field.type === "many2one") {
    if (typeof value !== "number" || value <= 0) return false;
    return classicLoad ? [value, displayName(env, field.relation, value)] : value;
  }
  return value ?? emptyValue(field);
}

/** Field names `read` answers when none are asked: every field of the model. */
function allFieldNames(model: ModelSpec): string[] {
  return ["id", ...Object.keys(model.fields), ...Object.keys(MAGIC_FIELDS).filter((name) => name !== "id")];
}

/**
 * `read`: one dict per existing record, `id` first. Like Odoo 17, records that do not exist are
 * left out silently (no MissingError), so `read([999])` answers `[]`.
 */
export function read(env: Env, model: string, ids: readonly number[], fields: readonly string[] | undefined, load: unknown): OdooRecord[] {
  const definition = spec(env, model);
  const names = resolveFields(definition, fields);
  const classicLoad = load === "_classic_read";
  const out: OdooRecord[] = [];
  for (const id of ids) {
    const row = env.store.get(model, id);
    if (!row) continue;
    const record: OdooRecord = { id: row.id };
    for (const name of names) {
      if (name === "id") continue;
      const field = fieldOf(definition, name);
      if (field) record[name] = readValue(env, definition, row, name, field, classicLoad);
    }
    out.push(record);
  }
  return out;
}

export function resolveFields(model: ModelSpec, fields: readonly string[] | undefined): string[] {
  if (!fields || fields.length === 0) return allFieldNames(model);
  for (const name of fields) if (!fieldOf(model, name)) throw invalidField(name, model.name);
  return [...fields];
}

export interface SearchOptions {
  offset?: number;
  limit?: number | false | null;
  order?: string | false | null;
}

export function search(env: Env, model: string, domain: unknown, options: SearchOptions = {}): number[] {
  const definition = spec(env, model);
  const effective = withActiveTest(env, definition, domain);
  const matches = compileDomain(env, model, effective);
  const rows = env.store.rows(model).filter(matches);
  rows.sort(comparator(env, definition, options.order || definition.order));
  const offset = options.offset ?? 0;
  const limit = options.limit || undefined;
  return rows.slice(offset, limit === undefined ? undefined : offset + limit).map((row) => row.id);
}

/** Archived records (`active = False`) are not found unless the domain names `active` or `active_test` is off. */
function withActiveTest(env: Env, model: ModelSpec, domain: unknown): unknown {
  if (!("active" in model.fields) || env.context.active_test === false || !Array.isArray(domain)) return domain;
  const mentionsActive = domain.some((token) => Array.isArray(token) && typeof token[0] === "string" && token[0].split(".")[0] === "active");
  return mentionsActive ? domain : [["active", "=", true], ...domain];
}

const ORDER_TERM = /^\s*([a-z_][a-z0-9_]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$/i;

/** `_order` / `order=`: comma-separated `field [asc|desc] [nulls first|last]`; many2one sorts by display name. */
function comparator(env: Env, model: ModelSpec, order: string): (a: Row, b: Row) => number {
  const terms = order.split(",").map((term) => {
    const match = ORDER_TERM.exec(term);
    if (!match) {
      throw raise.builtin(
        "ValueError",
        `Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
      );
    }
    const name = match[1] ?? "";
    const field = fieldOf(model, name);
    if (!field || isX2Many(field)) throw invalidField(name, model.name);
    const descending = match[2]?.toLowerCase() === "desc";
    // PostgreSQL: NULLS LAST for ASC, NULLS FIRST for DESC, unless told.
    const nullsFirst = match[3] ? match[3].toLowerCase() === "first" : descending;
    return { name, field: field as ScalarField, descending, nullsFirst };
  });
  const key = (row: Row, name: string, field: ScalarField): string | number | boolean | undefined => {
    if (name === "display_name") return model.displayName(row, env);
    const value = row[name];
    if (value === false && field.type !== "boolean") return undefined;
    if (field.type === "many2one" && typeof value === "number") return displayName(env, field.relation, value);
    return value as string | number | boolean;
  };
  return (a, b) => {
    for (const { name, field, descending, nullsFirst } of terms) {
      const x = key(a, name, field);
      const y = key(b, name, field);
      if (x === y) continue;
      if (x === undefined) return nullsFirst ? -1 : 1;
      if (y === undefined) return nullsFirst ? 1 : -1;
      const cmp = x < y ? -1 : 1;
      return descending ? -cmp : cmp;
    }
    return 0;
  };
}
