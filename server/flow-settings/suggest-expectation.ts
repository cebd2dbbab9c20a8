import { DateTime } from "luxon";
import { z } from "zod";
import { rollupSources } from "../dashboards/rollup";
import { db, pool } from "../db";
import type { Principal } from "../policy";
import { linkedInterface, plantFor } from "./access";
import { TRAFFIC_OUTCOMES } from "../monitor/rules";
import { type ObservedWeek, observe, SUGGESTION_RULE, type Suggestion, sampleWeeks, suggest, windowCounts } from "./suggestion";

export const suggestionQuerySchema = z
  .object({
    windowMinutes: z.coerce.number().int().min(5, "A window is at least 5 minutes").max(1440, "A window is at most a day (1440 minutes)").default(60),
    weekday: z.coerce.number().int().min(1, "weekday is 1 (Monday) to 7 (Sunday)").max(7, "weekday is 1 (Monday) to 7 (Sunday)").optional(),
    hour: z.coerce.number().int().min(0, "hour is 0 to 23").max(23, "hour is 0 to 23").optional(),
  })
  .strict();

export type SuggestionView = {
  plantCode: string;
  interfaceCode: string;
  timezone: string;
  windowMinutes: number;
  weekday: number;
  hour: number;
  weeks: ObservedWeek[];
  suggestion: Suggestion;
  rule: string;
};

/**
 * The suggested expectation of a plant × interface for one hour of the week (default: the current local
 * hour), from the rollups (the finest rows that answer each sampled span: rollupSources). Only for
 * interfaces linked to the plant.
 */
export async function suggestExpectation(
  user: Principal,
  plantCode: unknown,
  interfaceCode: unknown,
  query: unknown,
  now = new Date(),
): Promise<SuggestionView> {
  const plant = await plantFor(user, plantCode, "expectation.manage", "Only administrators set expected traffic");
  const link = await linkedInterface(plant, interfaceCode);
  const q = suggestionQuerySchema.parse(query);
  const local = DateTime.fromJSDate(now, { zone: plant.timezone });
  const weekday = q.weekday ?? local.weekday;
  const hour = q.hour ?? local.hour;
  const weeks = sampleWeeks(plant.timezone, weekday, hour, q.windowMinutes, now);
  const entries = await db().plantCalendarEntry.findMany({
    where: { plantId: plant.id, startsAt: { lt: weeks[0]!.end }, endsAt: { gt: weeks[weeks.length - 1]!.start } },
    select: { kind: true, startsAt: true, endsAt: true, reason: true },
  });
  const observed: ObservedWeek[] = [];
  for (const week of weeks) {
    const off = entries.find((e) => e.startsAt < week.end && e.endsAt > week.start);
    // Hour rows are binned on UTC hours: usable only when the sampled hour starts on one and windows are whole hours.
    const hourAligned = week.start.getTime() % 3_600_000 === 0 && q.windowMinutes % 60 === 0;
    const sources = await rollupSources(plant.id, week.start, week.end, ["bucket, interface_id, outcome, count"], { stepMs: hourAligned ? 3_600_000 : 60_000 });
    const { sql, params } = sources[0]!;
    const i = params.length;
    const { rows } = await pool().query<{ bucket: Date; n: string }>(
      `SELECT bucket, sum(count)::text AS n FROM (${sql}) src WHERE interface_id = $${i + 1} AND outcome::text = ANY($${i + 2}::text[]) GROUP BY bucket`,
      [...params, link.interface.id, [...TRAFFIC_OUTCOMES]],
    );
    const perMinute = new Map(rows.map((r) => [r.bucket.getTime(), Number(r.n)]));
    const windows = windowCounts(week, q.windowMinutes, perMinute);
    observed.push(observe(week.start, windows, off ? `${off.kind === "HOLIDAY" ? "Holiday" : "Planned downtime"}: ${off.reason}` : null));
  }
  return {
    plantCode: plant.code,
    interfaceCode: link.interface.code,
    timezone: plant.timezone,
    windowMinutes: q.windowMinutes,
    weekday,
    hour,
    weeks: observed,
    suggestion: suggest(observed),
    rule: SUGGESTION_RULE,
  };
}
