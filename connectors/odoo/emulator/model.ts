/** Model definitions (`_name`, `_description`, fields, `_order`, business hooks) and the call environment. */
import type { FieldSpec, Row, StoredValue } from "./fields";
import type { Store } from "./store";

export interface EmulatorSettings {
  /**
   * Odoo 16+ wraps a violated `_sql_constraints` entry as "The operation cannot be completed:
   * <message>"; Odoo ≤ 15 and the shared samples answer the bare message. Default: bare.
   */
  readonly prefixSqlConstraintMessages: boolean;
}

/** `odoo.api.Environment` of one call: user, context, database. */
export interface Env {
  readonly uid: number;
  readonly context: Readonly<Record<string, unknown>>;
  readonly store: Store;
  readonly registry: Registry;
  readonly settings: EmulatorSettings;
  now(): Date;
}

export type Values = Record<string, StoredValue>;

/** An entry of `_sql_constraints`, checked when the row reaches the database. */
export interface SqlConstraint {
  readonly name: string;
  readonly message: string;
  check(row: Row, env: Env): boolean;
}

/** A public method beyond the ORM's, called on records (`action_confirm`). Returns the RPC result. */
export type RecordAction = (env: Env, ids: readonly number[]) => unknown;

/** A public `@api.model` method beyond the ORM's (`res.users.context_get`). */
export interface ModelMethod {
  readonly params: readonly { readonly name: string; readonly default?: unknown }[];
  call(env: Env, args: Readonly<Record<string, unknown>>): unknown;
}

export interface ModelSpec {
  readonly name: string;
  /** `_description`, used in Odoo's integrity-error messages. */
  readonly description: string;
  /** Python class name, for TypeError wording (`MrpProduction.action_confirm() ...`). */
  readonly className: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** `_order` (subset: comma-separated `field [asc|desc]`). */
  readonly order: string;
  /** Field defaults (`default=`) for fields missing from `create` vals. */
  defaults?(env: Env): Values;
  displayName(row: Row, env: Env): string;
  readonly sqlConstraints?: readonly SqlConstraint[];
  /** Precomputed stored fields and checks before INSERT (computes that touch related records). */
  prepareCreate?(env: Env, values: Values): void;
  /** `@api.constrains` methods, after create/write of `changed` fields. */
  constrains?(env: Env, row: Row, changed: ReadonlySet<string>): void;
  /** Checks of the model's `write` override; runs before the rows change. */
  beforeWrite?(env: Env, rows: readonly Row[], values: Values): void;
  /** Side effects of the model's `write` override, with the rows as written. */
  afterWrite?(env: Env, rows: readonly Row[], values: Values): void;
  /** `@api.ondelete` checks and the `unlink` override's own work. */
  beforeUnlink?(env: Env, rows: readonly Row[]): void;
  readonly actions?: Readonly<Record<string, RecordAction>>;
  readonly modelMethods?: Readonly<Record<string, ModelMethod>>;
}

export type Registry = ReadonlyMap<string, ModelSpec>;
