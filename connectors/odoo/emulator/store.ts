/**
 * In-memory tables with transactions. Like PostgreSQL under Odoo, a failed call rolls back every
 * row it touched, but ids and `ir.sequence` numbers it consumed stay consumed (gaps are normal).
 */
import type { Row, StoredValue } from "./fields";

interface UndoEntry {
  readonly model: string;
  readonly id: number;
  /** Row before the change; undefined when the change inserted the row. */
  readonly before: Row | undefined;
}

export class Store {
  readonly #tables = new Map<string, Map<number, Row>>();
  readonly #nextIds = new Map<string, number>();
  readonly #sequences = new Map<string, number>();
  #undo: UndoEntry[] | undefined;

  #table(model: string): Map<number, Row> {
    let table = this.#tables.get(model);
    if (!table) {
      table = new Map();
      this.#tables.set(model, table);
    }
    return table;
  }

  /** A scratch copy (rows are frozen, so the tables' maps are copied, not the rows): a dry run's database. */
  clone(): Store {
    const copy = new Store();
    for (const [model, table] of this.#tables) copy.#tables.set(model, new Map(table));
    for (const [model, next] of this.#nextIds) copy.#nextIds.set(model, next);
    for (const [code, next] of this.#sequences) copy.#sequences.set(code, next);
    return copy;
  }

  get(model: string, id: number): Row | undefined {
    return this.#table(model).get(id);
  }

  /** All rows of a table, by id. */
  rows(model: string): Row[] {
    return [...this.#table(model).values()].sort((a, b) => a.id - b.id);
  }

  /** Next id of a table (never handed out twice, not rolled back). */
  allocateId(model: string): number {
    const next = this.#nextIds.get(model) ?? Math.max(0, ...this.#table(model).keys()) + 1;
    this.#nextIds.set(model, next + 1);
    return next;
  }

  /** Next number of an `ir.sequence` (not rolled back, as Odoo's "standard" sequences). */
  nextSequence(code: string, start = 1): number {
    const next = this.#sequences.get(code) ?? start;
    this.#sequences.set(code, next + 1);
    return next;
  }

  /** Sets the number the next `nextSequence(code)` hands out (seeding). */
  setSequence(code: string, next: number): void {
    this.#sequences.set(code, next);
  }

  insert(model: string, row: Row): void {
    const table = this.#table(model);
    if (table.has(row.id)) throw new Error(`${model}(${row.id}) already exists`);
    this.#record(model, row.id, undefined);
    table.set(row.id, Object.freeze({ ...row }));
    if ((this.#nextIds.get(model) ?? 0) <= row.id) this.#nextIds.set(model, row.id + 1);
  }

  update(model: string, id: number, patch: Readonly<Record<string, StoredValue>>): Row {
    const table = this.#table(model);
    const before = table.get(id);
    if (!before) throw new Error(`${model}(${id}) does not exist`);
    this.#record(model, id, before);
    const after = Object.freeze({ ...before, ...patch, id });
    table.set(id, after);
    return after;
  }

  delete(model: string, id: number): void {
    const table = this.#table(model);
    const before = table.get(id);
    if (!before) return;
    this.#record(model, id, before);
    table.delete(id);
  }

  /** Rows inserted or updated in the running transaction that still exist ("dirty" rows to flush). */
  touched(): Array<{ model: string; row: Row }> {
    const seen = new Set<string>();
    const out: Array<{ model: string; row: Row }> = [];
    for (const { model, id } of this.#undo ?? []) {
      const key = `${model}\u0000${id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const row = this.get(model, id);
      if (row) out.push({ model, row });
    }
    return out;
  }

  /** Runs `fn` atomically: if it throws, every row change it made is undone. Not re-entrant. */
  transaction<T>(fn: () => T): T {
    if (this.#undo) throw new Error("nested transaction");
    this.#undo = [];
    try {
      const result = fn();
      return result;
    } catch (error) {
      this.#rollback(this.#undo);
      throw error;
    } finally {
      this.#undo = undefined;
    }
  }

  #record(model: string, id: number, before: Row | undefined): void {
    this.#undo?.push({ model, id, before });
  }

  #rollback(entries: readonly UndoEntry[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i];
      if (!entry) continue;
      const table = this.#table(entry.model);
      if (entry.before) table.set(entry.id, entry.before);
      else table.delete(entry.id);
    }
  }
}
