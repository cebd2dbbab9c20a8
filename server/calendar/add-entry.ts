import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { type Admin, actorOf, plantFor } from "../flow-settings/access";
import { type CalendarEntryView, entryView } from "./calendar-view";
import { EntryRuleError, entryInputSchema, entryInstants } from "./entry-rules";

/**
 * Adds a holiday (a local date) or planned downtime (local start and end) to a plant's calendar, in the
 * plant's zone. The same holiday twice is refused (409). Audited calendar.entry_added in the same transaction.
 */
export async function addCalendarEntry(admin: Admin, plantCode: unknown, input: unknown): Promise<CalendarEntryView> {
  const plant = await plantFor(admin, plantCode, "calendar.manage", "Only administrators manage shift calendars");
  const entry = entryInputSchema.parse(input);
  let span: { startsAt: Date; endsAt: Date };
  try {
    span = entryInstants(entry, plant.timezone);
  } catch (err) {
    if (err instanceof EntryRuleError) throw new AppError(400, "invalid_request", err.message);
    throw err;
  }
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('plant_calendar'), hashtext(${plant.id}))`;
    const same = await tx.plantCalendarEntry.findFirst({ where: { plantId: plant.id, kind: entry.kind, startsAt: span.startsAt, endsAt: span.endsAt } });
    if (same) throw new AppError(409, "entry_exists", `${plant.code} has this ${entry.kind === "HOLIDAY" ? "holiday" : "downtime"} already ("${same.reason}")`);
    const row = await tx.plantCalendarEntry.create({ data: { plantId: plant.id, kind: entry.kind, ...span, reason: entry.reason, createdById: admin.id } });
    await append(tx, {
      type: "calendar.entry_added",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "plant", id: plant.id },
      data: {
        plantCode: plant.code,
        entryId: row.id,
        kind: row.kind,
        startsAt: row.startsAt.toISOString(),
        endsAt: row.endsAt.toISOString(),
        reason: row.reason,
      },
    });
    return entryView(row);
  });
}
