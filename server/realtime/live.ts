import type { ErrorCategory, EventOutcome, ExceptionStatus, Severity } from "../db/generated/enums";
import { isOpen } from "../exceptions/lifecycle";
import type { ExceptionChange } from "./events";
import type { ServerToClientEvents } from "./events";
import { publishToPlant } from "./publish";

/**
 * Coalesces high-rate changes into at most one emit per event type per plant room per window, so a
 * burst of thousands of events becomes a few socket messages a second.
 */
export const COALESCE_MS = 250;

type Pending = { opened: ExceptionChange[]; updated: Map<string, ExceptionChange>; resolved: ExceptionChange[]; outcomes: Record<EventOutcome, number> };
const pending = new Map<string, Pending>();
let timer: NodeJS.Timeout | undefined;

export function publishPlantChanges(
  plantId: string,
  change: { opened: ExceptionChange[]; updated: ExceptionChange[]; resolved: ExceptionChange[]; outcomes: Record<EventOutcome, number> },
): void {
  let p = pending.get(plantId);
  if (!p) {
    p = { opened: [], updated: new Map(), resolved: [], outcomes: { RECEIVED: 0, DELIVERED: 0, FAILED: 0, RETRYING: 0 } };
    pending.set(plantId, p);
  }
  p.opened.push(...change.opened);
  for (const u of change.updated) p.updated.set(u.id, u);
  p.resolved.push(...change.resolved);
  for (const k of Object.keys(change.outcomes) as EventOutcome[]) p.outcomes[k] += change.outcomes[k];
  if (timer === undefined) timer = setTimeout(flush, COALESCE_MS);
}

const MAX_ITEMS = 200; // per message; beyond that clients refetch

function flush(): void {
  timer = undefined;
  const batch = [...pending.entries()];
  pending.clear();
  const at = new Date().toISOString();
  for (const [plantId, p] of batch) {
    const emit = <E extends "exception.opened" | "exception.updated" | "exception.resolved">(event: E, items: ExceptionChange[]) => {
      if (items.length)
        publishToPlant(plantId, event, ...([{ plantId, items: items.slice(0, MAX_ITEMS), total: items.length }] as Parameters<ServerToClientEvents[E]>));
    };
    emit("exception.opened", p.opened);
    emit("exception.updated", [...p.updated.values()]);
    emit("exception.resolved", p.resolved);
    publishToPlant(plantId, "metrics.tick", { plantId, at, outcomes: p.outcomes });
  }
}

/** A person's or the replay worker's change to one exception, for its plant's room (closed ones as "resolved"). */
export function publishExceptionChange(
  e: {
    id: string;
    plantId: string;
    transactionId: string;
    status: ExceptionStatus;
    severity: Severity;
    category: ErrorCategory;
    errorCode: string;
    errorMessage: string;
    occurrences: number;
    lastSeenAt: Date;
  },
  interfaceCode: string,
  messageId: string,
): void {
  const change: ExceptionChange = {
    id: e.id,
    plantId: e.plantId,
    interfaceCode,
    transactionId: e.transactionId,
    messageId,
    status: e.status,
    severity: e.severity,
    category: e.category,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage.slice(0, 300),
    occurrences: e.occurrences,
    lastSeenAt: e.lastSeenAt.toISOString(),
  };
  const closed = !isOpen(e.status);
  publishPlantChanges(e.plantId, {
    opened: [],
    updated: closed ? [] : [change],
    resolved: closed ? [change] : [],
    outcomes: { RECEIVED: 0, DELIVERED: 0, FAILED: 0, RETRYING: 0 },
  });
}
