/**
 * The process view's rule for one cell (a business process at one plant), pure so that the page, the
 * API and the tests share it. Counts are open (not resolved) findings and open exceptions of the
 * process's interfaces at the plant. The worst wins:
 *   stopped  — a flow below its expected traffic, or a batch run missed (nothing moves: the process is stuck);
 *   failing  — open exceptions (messages failed and wait for someone);
 *   flooded  — a flow above its expected traffic (e.g. a resend storm);
 *   late     — messages received and not delivered in time;
 *   ok       — none of these;
 *   none     — the plant runs no interface of this process.
 */
export type ProcessCounts = { stopped: number; missedRun: number; failing: number; flood: number; late: number };
export type CellState = "none" | "ok" | "late" | "flooded" | "failing" | "stopped";

export const CELL_STATE_LABELS: Record<CellState, string> = {
  none: "Not run here",
  ok: "OK",
  late: "Late",
  flooded: "Flooded",
  failing: "Failing",
  stopped: "Stopped",
};

/** Worst first (what a column or row sorts by). */
export const CELL_STATE_RANK: Record<CellState, number> = { stopped: 5, failing: 4, flooded: 3, late: 2, ok: 1, none: 0 };

export function cellState(runs: boolean, c: ProcessCounts): CellState {
  if (!runs) return "none";
  if (c.stopped + c.missedRun > 0) return "stopped";
  if (c.failing > 0) return "failing";
  if (c.flood > 0) return "flooded";
  if (c.late > 0) return "late";
  return "ok";
}

const n = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;

/** What the cell says besides its state, worst first ("1 stopped flow · 3 open exceptions · 14 late"). */
export function cellText(c: ProcessCounts): string[] {
  const parts: string[] = [];
  if (c.stopped) parts.push(n(c.stopped, "stopped flow"));
  if (c.missedRun) parts.push(n(c.missedRun, "missed run"));
  if (c.failing) parts.push(n(c.failing, "open exception"));
  if (c.flood) parts.push(n(c.flood, "flooded flow"));
  if (c.late) parts.push(`${c.late.toLocaleString("en-US")} late`);
  return parts;
}
