/**
 * Search domains, after `odoo/osv/expression.py` (Odoo 17): prefix `&`/`|`/`!` with implicit `&`,
 * leaves `[path, operator, value]`, `(1, '=', 1)` / `(0, '=', 1)`, dotted paths through relational
 * fields. Operators: = != <> < <= > >= =? in, not in, like, not like, ilike, not ilike, =like,
 * =ilike, any, not any. `child_of` / `parent_of` are Odoo operators this emulator does not
 * implement (NotImplementedError). Errors carry Odoo's ValueError wording.
 */
import { raise } from "./exceptions";
import type { FieldSpec, Row } from "./fields";
import type { Env, ModelSpec } from "./model";
import { pyRepr, pyTuple } from "./python";
import { displayName, fieldOf, one2manyIds, spec } from "./records";

type Predicate = (row: Row) => boolean;

const ODOO_OPERATORS = new Set([
  "=",
  "!=",
  "<=",
  "<",
  ">",
  ">=",
  "=?",
  "=like",
  "=ilike",
  "like",
  "not like",
  "ilike",
  "not ilike",
  "in",
  "not in",
  "child_of",
  "parent_of",
  "any",
  "not any",
]);
const NOT_EMULATED = new Set(["child_of", "parent_of"]);
const ARITY: Readonly<Record<string, number>> = { "!": 1, "&": 2, "|": 2 };

type Token = string | readonly unknown[];

/** `normalize_domain`: explicit `&` between consecutive terms, syntax check. */
function normalize(domain: readonly unknown[]): Token[] {
  const result: Token[] = [];
  let expected = 1;
  for (const token of domain) {
    if (expected === 0) {
      result.unshift("&");
      expected = 1;
    }
    if (Array.isArray(token)) {
      expected -= 1;
      result.push(token);
    } else {
      const operator = typeof token === "string" ? token : String(token);
      expected += (ARITY[operator] ?? 0) - 1;
      result.push(operator);
    }
  }
  if (expected !== 0 && domain.length > 0) {
    throw raise.builtin("ValueError", `Domain ${pyRepr(domain)} is syntactically not correct.`);
  }
  return result;
}

export function compileDomain(env: Env, model: string, domain: unknown): Predicate {
  if (!Array.isArray(domain)) {
    throw raise.builtin("ValueError", "Domains to normalize must have a 'domain' form: a list or tuple of domain components");
  }
  const tokens = normalize(domain);
  if (tokens.length === 0) return () => true;
  let position = 0;
  const parse = (): Predicate => {
    const token = tokens[position++];
    if (token === "!") {
      const inner = parse();
      return (row) => !inner(row);
    }
    if (token === "&" || token === "|") {
      const left = parse();
      const right = parse();
      return token === "&" ? (row) => left(row) && right(row) : (row) => left(row) || right(row);
    }
    if (token === undefined) throw raise.builtin("ValueError", `Domain ${pyRepr(domain)} is syntactically not correct.`);
    return compileLeaf(env, spec(env, model), token);
  };
  return parse();
}

function compileLeaf(env: Env, model: ModelSpec, token: Token): Predicate {
  if (typeof token === "string" || token.length !== 3) throw raise.builtin("ValueError", `Invalid leaf ${pyRepr(token)}`);
  const [left, rawOperator, value] = token;
  const operator = typeof rawOperator === "string" ? (rawOperator.toLowerCase() === "<>" ? "!=" : rawOperator.toLowerCase()) : "";
  // TRUE_LEAF / FALSE_LEAF
  if ((left === 1 || left === 0) && operator === "=" && value === 1) return () => left === 1;
  if (typeof left !== "string" || !ODOO_OPERATORS.has(operator)) throw raise.builtin("ValueError", `Invalid leaf ${pyRepr(token)}`);
  if (NOT_EMULATED.has(operator)) {
    throw raise.builtin("NotImplementedError", `Operator '${operator}' is not implemented by the Odoo emulator`);
  }
  const leaf = [left, operator, value] as const;
  const [name = "", ...rest] = left.split(".");
  const field = fieldOf(model, name);
  if (!field) throw raise.builtin("ValueError", `Invalid field ${model.name}.${name} in leaf ${pyTuple(leaf)}`);

  if (rest.length > 0 || operator === "any" || operator === "not any") {
    return compileRelated(env, model, field, name, rest.join("."), operator, value, leaf);
  }
  return compileTerm(env, model, field, name, operator, value);
}

/** `many2one.path op value` and `x2many any [subdomain]`: a sub-search on the comodel. */
function compileRelated(
  env: Env,
  model: ModelSpec,
  field: FieldSpec,
  name: string,
  path: string,
  operator: string,
  value: unknown,
  leaf: readonly unknown[],
): Predicate {
  if (field.type !== "many2one" && field.type !== "one2many" && field.type !== "many2many") {
    throw raise.builtin("ValueError", `Invalid field ${model.name}.${path ? `${name}.${path}` : name} in leaf ${pyTuple(leaf)}`);
  }
  const subDomain = path ? [[path, operator, value]] : value;
  const negate = operator === "not any";
  const matches = compileDomain(env, field.relation, subDomain);
  const matchesId = (id: number) => {
    const target = env.store.get(field.relation, id);
    return target !== undefined && matches(target);
  };
  return (row) => {
    const ids = relatedIds(env, field, name, row);
    const any = ids.some(matchesId);
    return negate ? !any : any;
  };
}

function relatedIds(env: Env, field: FieldSpec, name: string, row: Row): number[] {
  if (field.type === "one2many") return one2manyIds(env, field.relation, field.inverse, row.id);
  const raw = row[name];
  if (Array.isArray(raw)) return [...raw];
  return typeof raw === "number" && raw > 0 ? [raw] : [];
}

function compileTerm(env: Env, model: ModelSpec, field: FieldSpec, name: string, operator: string, value: unknown): Predicate {
  if (operator === "=?") {
    if (value === false || value === null || value === undefined) return () => true;
    return compileTerm(env, model, field, name, "=", value);
  }
  const read = (row: Row): unknown => {
    if (name === "display_name") return model.displayName(row, env);
    if (field.type === "one2many") return one2manyIds(env, field.relation, field.inverse, row.id);
    return row[name] ?? false;
  };
  const relation = "relation" in field ? field.relation : undefined;
  const numeric = field.type === "integer" || field.type === "float";

  /** `= False`: SQL NULL (and 0 for numbers, an empty set for x2many). */
  const isEmpty = (raw: unknown) => raw === false || (Array.isArray(raw) && raw.length === 0) || (numeric && raw === 0);
  /** Values a row offers for comparison: the ids of a relational field, else the stored value. */
  const candidates = (raw: unknown): unknown[] => (Array.isArray(raw) ? raw : raw === false ? [] : [raw]);
  /** Textual form for like/ilike and names: display names of related records (as name_search), else text. */
  const texts = (raw: unknown): string[] =>
    relation === undefined ? candidates(raw).map(String) : candidates(raw).map((id) => displayName(env, relation, Number(id)));
  const equals = (raw: unknown, expected: unknown): boolean => {
    if (expected === false || expected === null) return isEmpty(raw);
    if (relation !== undefined && typeof expected === "string") return texts(raw).includes(expected);
    return candidates(raw).some((candidate) => candidate === expected);
  };

  switch (operator) {
    case "=":
      return (row) => equals(read(row), value);
    case "!=":
      return (row) => !equals(read(row), value);
    case "in":
    case "not in": {
      const list = Array.isArray(value) ? value : [value];
      const inList = (row: Row) => {
        const raw = read(row);
        return list.some((expected) => equals(raw, expected));
      };
      return operator === "in" ? inList : (row) => !inList(row);
    }
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const compare = (raw: unknown) => {
        if (isEmpty(raw) && !numeric) return false;
        if (typeof raw !== typeof value || (typeof raw !== "number" && typeof raw !== "string")) return false;
        const a = raw as number | string;
        const b = value as number | string;
        return operator === "<" ? a < b : operator === "<=" ? a <= b : operator === ">" ? a > b : a >= b;
      };
      return (row) => compare(read(row));
    }
    default:
      return likePredicate(operator, value, (row) => texts(read(row)));
  }
}

/** like / ilike (substring), =like / =ilike (SQL pattern), and their negations (which match empty values). */
function likePredicate(operator: string, value: unknown, texts: (row: Row) => string[]): Predicate {
  const insensitive = operator.includes("ilike");
  const negated = operator.startsWith("not ");
  const pattern = String(value ?? "");
  let regex: RegExp;
  if (operator.startsWith("=")) {
    const source = [...pattern].map((char) => (char === "%" ? ".*" : char === "_" ? "." : char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
    regex = new RegExp(`^${source}$`, insensitive ? "is" : "s");
  } else {
    regex = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), insensitive ? "i" : "");
  }
  return (row) => {
    const found = texts(row).some((text) => regex.test(text));
    return negated ? !found : found;
  };
}
