import { appendManyWithPg } from "../audit";
import { loadCalendars } from "../calendar/load-calendar";
import { pool } from "../db";
import type { FindingKind } from "../db/generated/enums";
import { publishPlantChanges } from "../realtime/live";
import { publishToPlant } from "../realtime/publish";
import type { FindingChange } from "../realtime/events";
import { MonitorWrites, type RunCounters } from "./findings";
import { applyFlows, flowIsEmpty, loadFlowConfig, planFlows, readFlows } from "./flows";
import { applyLate, lateIsEmpty, planLate, readLate } from "./late";
import { applyRuns, loadSchedules, planRuns, readOpenRuns, readRuns, runsIsEmpty } from "./missed-runs";
import { MONITOR_BATCH } from "./rules";

/**
 * The flow monitor (a pg-boss job once a minute, singleton across instances): late messages, stopped
 * and flooded flows, missed batch runs. Each run takes an advisory lock in its transaction, reads
 * (set-based, in parallel), decides (pure, rules.ts), and writes its changes in that transaction, so runs
 * on several instances take turns and never open a finding twice (the partial unique index on unresolved
 * findings backs that up; a resolve moves only rows still unresolved). Every open, resolve and
 * escalation is audited in the same transaction; live changes go out after commit.
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
  for (let attempt = 1; ; attempt++) {
    const client = await pool().connect();
    try {
      // Runs take turns (several instances, or one started by hand next to the scheduled one): the lock is held
      // from before the reads until commit, so no run decides on what another has changed meanwhile.
      await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${MONITOR_LOCK})`);
      // Reads on other pooled connections, in two waves of parallel statements: the configuration and what is
      // open, then the traffic and run counts that depend on it. Then the decisions (pure), then the writes.
      const [calendars, flowConfig, schedules, late, openRuns] = await Promise.all([
        loadCalendars(opts.plantIds, now),
        loadFlowConfig(plantIds, batch),
        loadSchedules(plantIds),
        readLate(now, plantIds, batch),
        readOpenRuns(plantIds, batch),
      ]);
      const [flows, runs] = await Promise.all([readFlows(now, calendars, flowConfig, plantIds), readRuns(now, schedules, openRuns, batch)]);
      const plans = { late: planLate(late, now), flows: planFlows(flows, now), runs: planRuns(runs) };
      const w = new MonitorWrites(client, now);
      if (!(lateIsEmpty(plans.late) && flowIsEmpty(plans.flows) && runsIsEmpty(plans.runs))) {
        await applyLate(w, plans.late);
        await applyFlows(w, plans.flows);
        await applyRuns(w, plans.runs);
        // Last: the audit chain lock is held from the append until commit.
        await appendManyWithPg(client, w.events);
      }
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
