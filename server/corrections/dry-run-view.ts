import type { DryRunOutcome } from "../db/generated/enums";
import type { DryRunResult } from "./dry-run";

/**
 * What the approver (and the author) see of a correction's last dry run: its outcome, when and by
 * whom, the target's answer, and whether it checked exactly the current payload (`current`). A dry
 * run of an older payload is shown as such and does not count (pure).
 */
export type DryRunView = {
  outcome: DryRunOutcome;
  current: boolean;
  at: string | null;
  by: string | null;
  code: string | null;
  message: string;
  answer: unknown;
} | null;

export function dryRunView(
  c: { payloadHash: string; dryRunOutcome: DryRunOutcome | null; dryRunPayloadHash: string | null; dryRunAt: Date | null; dryRunResult: unknown },
  byName: string | null,
): DryRunView {
  if (!c.dryRunOutcome) return null;
  const r = (c.dryRunResult ?? {}) as Partial<DryRunResult>;
  return {
    outcome: c.dryRunOutcome,
    current: c.dryRunPayloadHash === c.payloadHash,
    at: c.dryRunAt?.toISOString() ?? null,
    by: byName,
    code: r.code ?? null,
    message: typeof r.message === "string" ? r.message : "",
    answer: r.answer ?? null,
  };
}
