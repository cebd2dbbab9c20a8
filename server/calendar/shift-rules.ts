import { z } from "zod";
import { expectedUpdatedAtSchema, hhmm, hhmmSchema } from "../flow-settings/access";

/**
 * What an administrator may save as a shift (pure): a name, ISO weekdays (1 = Monday … 7 = Sunday) and
 * local start/end times "HH:MM"; an end at or before the start crosses midnight (the shift belongs to the
 * weekday it starts on; equal start and end is a 24-hour shift). Two shifts of a plant never overlap: the
 * plant is in at most one shift at a time (handovers and "this shift" depend on it).
 */
export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

export const shiftInputSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "A shift needs a name")
      .max(40, "A shift name is at most 40 characters")
      .regex(/^[^\p{Cc}]*$/u, "A shift name has no control characters"),
    weekdays: z
      .array(z.number().int().min(1, "Weekdays are 1 (Monday) to 7 (Sunday)").max(7, "Weekdays are 1 (Monday) to 7 (Sunday)"))
      .min(1, "Pick at least one weekday")
      .max(7)
      .refine((d) => new Set(d).size === d.length, "A weekday is listed twice")
      .transform((d) => [...d].sort((a, b) => a - b)),
    start: hhmmSchema,
    end: hhmmSchema,
    /** When editing: the updatedAt the form read (optimistic concurrency). */
    expectedUpdatedAt: expectedUpdatedAtSchema.optional(),
  })
  .strict();
export type ShiftInput = z.infer<typeof shiftInputSchema>;

export type ShiftSpan = { name: string; weekdays: number[]; startMinute: number; endMinute: number };

const WEEK = 7 * 1440;

/** The shift's spans in minutes of the ISO week (Monday 00:00 = 0); a span may run past the week's end. */
function spans(s: ShiftSpan): { weekday: number; from: number; to: number }[] {
  const length = s.endMinute > s.startMinute ? s.endMinute - s.startMinute : s.endMinute + 1440 - s.startMinute;
  return s.weekdays.map((weekday) => {
    const from = (weekday - 1) * 1440 + s.startMinute;
    return { weekday, from, to: from + length };
  });
}

const intersects = (a: { from: number; to: number }, b: { from: number; to: number }) =>
  [-WEEK, 0, WEEK].some((shift) => a.from < b.to + shift && b.from + shift < a.to);

/** The first clash of `shift` with `others` (Sunday's night shift clashes with Monday's early one), in words; null if none. */
export function shiftClash(shift: ShiftSpan, others: readonly ShiftSpan[]): string | null {
  for (const mine of spans(shift))
    for (const other of others)
      for (const theirs of spans(other))
        if (intersects(mine, theirs))
          return `The shift overlaps "${other.name}" (${WEEKDAY_NAMES[theirs.weekday - 1]} ${hhmm(other.startMinute)}–${hhmm(other.endMinute)}): a plant is in one shift at a time`;
  return null;
}
