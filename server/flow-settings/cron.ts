import cronParser from "cron-parser";

/**
 * Batch schedules' cron expressions (pure): exactly 5 fields (minute hour day month weekday), read in the
 * plant's time zone by cron-parser. `nextRuns` gives the next occurrences after `from`.
 */
export class CronError extends Error {}

export function nextRuns(expr: string, zone: string, from: Date, count: number): Date[] {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw new CronError(`A schedule has 5 fields (minute hour day month weekday), "${expr}" has ${fields.length}`);
  let it: ReturnType<typeof cronParser.parseExpression>;
  try {
    it = cronParser.parseExpression(fields.join(" "), { tz: zone, currentDate: from });
  } catch (err) {
    throw new CronError(`Not a valid schedule "${expr}": ${(err as Error).message}`);
  }
  const out: Date[] = [];
  try {
    for (let i = 0; i < count; i++) out.push((it.next() as { toDate(): Date }).toDate());
  } catch {
    // no further occurrence (e.g. 30 February): fewer runs
  }
  if (out.length === 0) throw new CronError(`The schedule "${expr}" never runs`);
  return out;
}
