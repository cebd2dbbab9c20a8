import { formatCount } from "@/lib/format";
import type { FindingKind } from "@/server/db/generated/enums";

/** "14 late", "1 stopped flow", "2 flooded flows", "1 missed run": what a count of open findings of a kind says. */
export function kindCount(kind: FindingKind, n: number): string {
  const c = formatCount(n);
  if (kind === "LATE") return `${c} late`;
  if (kind === "STOPPED") return `${c} stopped ${n === 1 ? "flow" : "flows"}`;
  if (kind === "FLOOD") return `${c} flooded ${n === 1 ? "flow" : "flows"}`;
  return `${c} missed ${n === 1 ? "run" : "runs"}`;
}

/** Kinds in the order they matter: a flow that stopped before a late message. */
export const KINDS_WORST_FIRST: FindingKind[] = ["STOPPED", "MISSED_RUN", "FLOOD", "LATE"];
