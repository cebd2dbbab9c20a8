import { appendManyWithPg } from "../audit";
import { loadCalendars } from "../calendar/load-calendar";
import { pool } from "../db";
import type { FindingKind } from "../db/generated/enums";
import { publishPlantChanges } from "../realtime/live";
import { publishToPlant } from "../realtime/publish";
import type { FindingChange } from "../realtime/events";
import { MonitorWrites, type RunCounters } from "./findings";
import { evaluateFlows } from "./flows";
import { openLate, settleLate } from "./late";
import { evaluateRuns } from "./missed-runs";
import { MONITOR_BATCH } from "./rules";

/**
 * The flow monitor (a pg-boss job once a minute, singleton across instances): late messages, stopped
 * and flooded flows, missed batch runs. One database transaction per run under an advisory lock, so
 * runs on several instances (or a run started by hand next to the scheduled one) take turns and never
 * open a finding twice; the partial unique index on unresolved findings backs that up. Every open,
 * resolve and escalation is audited in the same transaction; live changes go out after commit.
 * `now` is injectable: tests and the benchmark drive it with a simulated clock.
 */
export const MONITOR_QUEUE = "monitor.run";
const MONITOR_LOCK = 72_616_219;

export type MonitorOptions = {
  /** Only these plants (tests and the benchmark; the job runs for every plant). */
  plantIds?: string[];
  /** Per run and step at most this many late messages, open findings, expectations and runs. */
  batch?: number;
};

export type MonitorResult = { ms: number; byKind: Record<FindingKind, RunCounters>; exceptionsOpened: number };

export async function runMonitor(now: Date = new Date(), opts: MonitorOptions = {}): Promise<MonitorResult> {
  const started = performance.now();
  const plantIds = opts.plantIds ?? null;
  const batch = opts.batch ?? MONITOR_BATCH;
  const calendars = await loadCalendars(opts.plantIds, now);

  for (let attempt = 1; ; attempt++) {
    const client = await pool().connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [MONITOR_LOCK]);
      const w = new MonitorWrites(client, now);
      await openLate(w, plantIds, batch);
      await settleLate(w, plantIds, batch);
      await evaluateFlows(w, calendars, plantIds, batch);
      await evaluateRuns(w, plantIds, batch);
      // Last: the audit chain lock is held from the append until commit.
      await appendManyWithPg(client, w.events);
      await client.query("COMMIT");
      publish(w.changes, w.exceptionsOpened);
      return { ms: performance.now() - started, byKind: w.counters, exceptionsOpened: w.exceptionsOpened.length };
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      const code = (err as { code?: string }).code;
      // A deadlock with ingest (both lock transaction rows) or a serialization failure: the whole run again.
      if ((code === "40P01" || code === "40001") && attempt < 4) continue;
      throw err;
    } finally {
      client.release();
    }
  }
}

function publish(changes: FindingChange[], opened: MonitorWrites["exceptionsOpened"]): void {
  for (const c of changes) publishToPlant(c.plantId, "finding.changed", c);
  const byPlant = new Map<string, typeof opened>();
  for (const x of opened) byPlant.set(x.plantId, [...(byPlant.get(x.plantId) ?? []), x]);
  for (const [plantId, items] of byPlant)
    publishPlantChanges(plantId, { opened: items, updated: [], resolved: [], outcomes: { RECEIVED: 0, DELIVERED: 0, FAILED: 0, RETRYING: 0 } });
}

/** Whether a run changed anything (for the worker's log line). */
export function changed(r: MonitorResult): boolean {
  return Object.values(r.byKind).some((c) => c.opened || c.resolved || c.escalated);
}
