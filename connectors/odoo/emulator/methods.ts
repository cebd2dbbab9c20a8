/**
 * Model methods callable through `execute_kw`, with their Odoo 17 Python signatures, bound the way
 * `odoo.api.call_kw` binds them: `@api.model` methods take `args` as is, record methods take the
 * ids as `args[0]`, `create` answers an id for a dict and a list of ids for a list.
 */
import { z } from "zod";
import { raise } from "./exceptions";
import type { Env } from "./model";
import * as orm from "./orm";
import { missingArgumentsMessage, pyRepr, pyTypeName } from "./python";
import { displayName, spec } from "./records";

interface Param {
  readonly name: string;
  /** Absent: the argument is required. */
  readonly default?: unknown;
}

type Bound = Readonly<Record<string, unknown>>;

export interface PublicMethod {
  /** `model`: `@api.model`; `create`: `@api.model_create_multi`; `records`: ids first. */
  readonly kind: "model" | "create" | "records";
  /** Class owning the method, for Python's error wording (`BaseModel.write() ...`). */
  readonly owner?: string;
  readonly params: readonly Param[];
  /** Accepts `**kwargs` (search_read forwards them to read). */
  readonly varKeywords?: boolean;
  call(env: Env, model: string, args: Bound, ids: readonly number[], extra: Bound): unknown;
}

// ---- argument validation (zod), mapped to the ValueError a real Odoo ends up raising -------

const fieldsSchema = z.union([z.array(z.string()), z.null(), z.literal(false)]).optional();
const offsetSchema = z.union([z.number().int().nonnegative(), z.null(), z.literal(false)]);
const limitSchema = z.union([z.number().int().nonnegative(), z.null(), z.literal(false)]);
const orderSchema = z.union([z.string(), z.null(), z.literal(false)]);
const nameSchema = z.union([z.string(), z.literal(false), z.null()]);

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw raise.builtin("ValueError", `Invalid value for ${what}: ${pyRepr(value)}`);
  return parsed.data;
}

const searchOptions = (args: Bound): orm.SearchOptions => ({
  offset: check(offsetSchema, args.offset, "offset") || 0,
  limit: check(limitSchema, args.limit, "limit"),
  order: check(orderSchema, args.order, "order"),
});
const fieldList = (value: unknown) => check(fieldsSchema, value, "fields") || undefined;

// ---- the ORM's public methods ---------------------------------------------------------------

const ORM_METHODS: Readonly<Record<string, PublicMethod>> = {
  create: {
    kind: "create",
    params: [{ name: "vals_list" }],
    call: (env, model, args) => {
      const vals = args.vals_list;
      if (typeof vals === "object" && vals !== null && !Array.isArray(vals)) return orm.create(env, model, [vals])[0];
      if (!Array.isArray(vals)) throw raise.builtin("TypeError", `'${pyTypeName(vals)}' object is not iterable`);
      return orm.create(env, model, vals);
    },
  },
  read: {
    kind: "records",
    params: [
      { name: "fields", default: null },
      { name: "load", default: "_classic_read" },
    ],
    call: (env, model, args, ids) => orm.read(env, model, ids, fieldList(args.fields), args.load),
  },
  write: {
    kind: "records",
    params: [{ name: "vals" }],
    call: (env, model, args, ids) => orm.write(env, model, ids, args.vals),
  },
  unlink: {
    kind: "records",
    params: [],
    call: (env, model, _args, ids) => orm.unlink(env, model, ids),
  },
  search: {
    kind: "model",
    params: [{ name: "domain" }, { name: "offset", default: 0 }, { name: "limit", default: null }, { name: "order", default: null }],
    call: (env, model, args) => orm.search(env, model, args.domain, searchOptions(args)),
  },
  search_count: {
    kind: "model",
    params: [{ name: "domain" }, { name: "limit", default: null }],
    call: (env, model, args) => orm.search(env, model, args.domain, { limit: check(limitSchema, args.limit, "limit") }).length,
  },
  search_read: {
    kind: "model",
    params: [
      { name: "domain", default: null },
      { name: "fields", default: null },
      { name: "offset", default: 0 },
      { name: "limit", default: null },
      { name: "order", default: null },
    ],
    varKeywords: true,
    call: (env, model, args, _ids, extra) => {
      const fields = fieldList(args.fields);
      orm.resolveFields(spec(env, model), fields); // Odoo 17 validates the fields before searching
      const ids = orm.search(env, model, args.domain ?? [], searchOptions(args));
      return orm.read(env, model, ids, fields, extra.load ?? "_classic_read");
    },
  },
  name_search: {
    kind: "model",
    params: [
      { name: "name", default: "" },
      // Odoo 17+ (before: `args`)
      { name: "domain", default: null },
      { name: "operator", default: "ilike" },
      { name: "limit", default: 100 },
    ],
    call: (env, model, args) => {
      const name = check(nameSchema, args.name, "name") || "";
      const domain = [...((args.domain as unknown[] | null) ?? []), ...(name ? [["display_name", args.operator, name]] : [])];
      const ids = orm.search(env, model, domain, { limit: check(limitSchema, args.limit, "limit") });
      return ids.map((id) => [id, displayName(env, model, id)]);
    },
  },
};

/**
 * Public methods of every Odoo model that this emulator does not implement. Calling them answers
 * NotImplementedError rather than pretending (with AttributeError) that Odoo lacks them.
 */
const NOT_EMULATED = new Set([
  "copy",
  "default_get",
  "fields_get",
  "name_create",
  "exists",
  "check_access_rights",
  "check_access_rule",
  "read_group",
  "web_read",
  "web_search_read",
  "web_save",
  "onchange",
  "toggle_active",
  "action_archive",
  "action_unarchive",
  "export_data",
  "load",
  "get_metadata",
  "search_fetch",
  "message_post",
]);

export type MethodLookup =
  | { readonly found: true; readonly method: PublicMethod; readonly qualname: string }
  | { readonly found: false; readonly emulated: boolean };

export function lookupMethod(env: Env, model: string, name: string): MethodLookup {
  const definition = spec(env, model);
  const modelMethod = definition.modelMethods?.[name];
  if (modelMethod) {
    return {
      found: true,
      qualname: `${definition.className}.${name}`,
      method: { kind: "model", params: modelMethod.params, call: (callEnv, _model, args) => modelMethod.call(callEnv, args) },
    };
  }
  const action = definition.actions?.[name];
  if (action) {
    return {
      found: true,
      qualname: `${definition.className}.${name}`,
      method: { kind: "records", params: [], call: (callEnv, _model, _args, ids) => action(callEnv, ids) },
    };
  }
  if (Object.hasOwn(ORM_METHODS, name)) {
    const method = ORM_METHODS[name] as PublicMethod;
    return { found: true, method, qualname: `${method.owner ?? "BaseModel"}.${name}` };
  }
  return { found: false, emulated: !NOT_EMULATED.has(name) };
}

/** Python's binding of positional and keyword arguments, with its TypeError wording. */
function bind(qualname: string, method: PublicMethod, args: readonly unknown[], kwargs: Bound): { bound: Bound; extra: Bound } {
  const { params } = method;
  if (args.length > params.length) {
    const takes = params.length + 1; // Python counts self
    throw raise.builtin("TypeError", `${qualname}() takes ${takes} positional argument${takes === 1 ? "" : "s"} but ${args.length + 1} were given`);
  }
  const bound: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  params.forEach((param, index) => {
    if (index < args.length) bound[param.name] = args[index];
  });
  for (const [key, value] of Object.entries(kwargs)) {
    if (params.some((param) => param.name === key)) {
      if (Object.hasOwn(bound, key)) throw raise.builtin("TypeError", `${qualname}() got multiple values for argument '${key}'`);
      bound[key] = value;
    } else if (method.varKeywords) {
      extra[key] = value;
    } else {
      throw raise.builtin("TypeError", `${qualname}() got an unexpected keyword argument '${key}'`);
    }
  }
  const missing = params.filter((param) => !Object.hasOwn(bound, param.name) && !("default" in param)).map((param) => param.name);
  if (missing.length > 0) throw raise.builtin("TypeError", missingArgumentsMessage(qualname, missing));
  for (const param of params) if (!Object.hasOwn(bound, param.name)) bound[param.name] = param.default;
  return { bound, extra };
}

const idsSchema = z.union([
  z
    .number()
    .int()
    .positive()
    .transform((id) => [id]),
  z.array(z.number().int().positive()),
  z.union([z.literal(false), z.null()]).transform((): number[] => []),
]);

export interface PreparedCall {
  readonly ids: readonly number[];
  readonly bound: Bound;
  readonly extra: Bound;
  /** `_call_kw_model_create` reads `args[0]` after creating: IndexError without positional args. */
  readonly missingCreateArg: boolean;
}

/** `odoo.api.call_kw` up to the call: split ids (record methods), bind the arguments. */
export function prepareCall(model: string, qualname: string, method: PublicMethod, args: readonly unknown[], kwargs: Bound): PreparedCall {
  let ids: readonly number[] = [];
  let rest = args;
  if (method.kind === "records") {
    // _call_kw_multi: `ids, args = args[0], args[1:]`
    if (args.length === 0) throw raise.builtin("IndexError", "tuple index out of range");
    const parsed = idsSchema.safeParse(args[0]);
    if (!parsed.success) throw raise.builtin("TypeError", `Invalid record ids for ${model}: ${pyRepr(args[0])}`);
    ids = parsed.data;
    rest = args.slice(1);
  }
  const { bound, extra } = bind(qualname, method, rest, kwargs);
  return { ids, bound, extra, missingCreateArg: method.kind === "create" && args.length === 0 };
}

/** The call itself, after `prepareCall`. */
export function invokeMethod(env: Env, model: string, method: PublicMethod, prepared: PreparedCall): unknown {
  const result = method.call(env, model, prepared.bound, prepared.ids, prepared.extra);
  if (prepared.missingCreateArg) throw raise.builtin("IndexError", "tuple index out of range");
  return result;
}

/** `odoo.api.call_kw` for a found method: split ids, bind, call. */
export function callMethod(env: Env, model: string, qualname: string, method: PublicMethod, args: readonly unknown[], kwargs: Bound): unknown {
  return invokeMethod(env, model, method, prepareCall(model, qualname, method, args, kwargs));
}

/**
 * `inspect.Signature.bind(records, **kwargs)` as the JSON-2 controller runs it before the call:
 * the TypeError message it raises (answered as 422), or undefined when the named arguments fit.
 */
export function signatureBindError(method: PublicMethod, kwargs: Bound): string | undefined {
  for (const key of Object.keys(kwargs)) {
    if (!method.params.some((param) => param.name === key) && !method.varKeywords) return `got an unexpected keyword argument '${key}'`;
  }
  const missing = method.params.find((param) => !("default" in param) && !Object.hasOwn(kwargs, param.name));
  return missing ? `missing a required argument: '${missing.name}'` : undefined;
}
