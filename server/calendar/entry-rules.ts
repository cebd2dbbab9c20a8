import { DateTime } from "luxon";
import { z } from "zod";

/**
 * Holidays and planned downtime as an administrator enters them, in the plant's local time (pure). A
 * holiday is a local date: [its local midnight, the next local midnight) — 23 or 25 hours on a DST change
 * day. Downtime is a local start and end "YYYY-MM-DDTHH:MM"; a local time that does not exist (skipped
 * by a DST change) is refused rather than moved.
 */
const reason = z
  .string()
  .trim()
  .min(2, "Say why (at least 2 characters)")
  .max(200, "The reason is at most 200 characters")
  .regex(/^[^\p{Cc}]*$/u, "The reason has no control characters");
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A date is YYYY-MM-DD");
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "A local date and time is YYYY-MM-DDTHH:MM");

export const entryInputSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("HOLIDAY"), date: localDate, reason }).strict(),
    z.object({ kind: z.literal("DOWNTIME"), start: localDateTime, end: localDateTime, reason }).strict(),
  ],
  { error: 'kind is "HOLIDAY" (with date) or "DOWNTIME" (with start and end)' },
);
export type EntryInput = z.infer<typeof entryInputSchema>;

/** The longest downtime one entry may span (a longer shutdown is several entries, each with its reason). */
export const MAX_DOWNTIME_DAYS = 366;

export class EntryRuleError extends Error {}

function local(text: string, zone: string, what: string): DateTime {
  const t = DateTime.fromISO(text, { zone });
  if (!t.isValid) throw new EntryRuleError(`${what} ${text} is not a valid date`);
  // luxon moves a time inside a DST gap forward: such a local time does not exist at the plant.
  if (t.toFormat(text.length === 10 ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm") !== text)
    throw new EntryRuleError(`${what} ${text} does not exist in ${zone} (clocks change then)`);
  return t;
}

/** The entry's instants [startsAt, endsAt) in the plant's zone; throws EntryRuleError when they make no sense. */
export function entryInstants(input: EntryInput, zone: string): { startsAt: Date; endsAt: Date } {
  if (input.kind === "HOLIDAY") {
    const day = local(input.date, zone, "The date");
    const start = day.startOf("day");
    return { startsAt: start.toJSDate(), endsAt: start.plus({ days: 1 }).startOf("day").toJSDate() };
  }
  const start = local(input.start, zone, "The start");
  const end = local(input.end, zone, "The end");
  if (end <= start) throw new EntryRuleError("The downtime ends after it starts");
  if (end.diff(start, "days").days > MAX_DOWNTIME_DAYS) throw new EntryRuleError(`One downtime spans at most ${MAX_DOWNTIME_DAYS} days`);
  return { startsAt: start.toJSDate(), endsAt: end.toJSDate() };
}
