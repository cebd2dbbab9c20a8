import { beforeAll, describe, expect, it } from "vitest";
import { addCalendarEntry } from "../../server/calendar/add-entry";
import { getCalendarAdmin } from "../../server/calendar/calendar-view";
import { deleteShift } from "../../server/calendar/delete-shift";
import { removeCalendarEntry } from "../../server/calendar/remove-entry";
import { saveShift } from "../../server/calendar/save-shift";
import { db } from "../../server/db";
import { type Actor, actors, answer, events, HOSTILE, testPlant } from "../support/flow-settings";

let a: Awaited<ReturnType<typeof actors>>;
let admin: Actor;
beforeAll(async () => {
  a = await actors();
  admin = a.admin;
});

describe("shift calendar administration", () => {
  it("creates, edits and deletes shifts, each audited with before/after in its transaction; overlaps are a clear 400", async () => {
    const plant = await testPlant(admin, "Europe/Berlin");
    const early = await saveShift(admin, plant.code, { name: "Early", weekdays: [5, 1, 2, 3, 4], start: "06:00", end: "14:00" });
    expect(early).toMatchObject({ name: "Early", weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "14:00" });
    const night = await saveShift(admin, plant.code.toLowerCase(), { name: "Night", weekdays: [1, 2, 3, 4], start: "22:00", end: "06:00" });
    expect((await db().plantShift.findUniqueOrThrow({ where: { id: night.id } })).endMinute).toBe(360);

    // Overlap: with Early on Wednesday, and a night running into the next morning's early shift.
    const mid = await answer(saveShift(admin, plant.code, { name: "Mid", weekdays: [3], start: "12:00", end: "18:00" }));
    expect(mid).toMatchObject({ status: 400, code: "shift_overlap" });
    expect(mid.message).toBe('The shift overlaps "Early" (Wednesday 06:00–14:00): a plant is in one shift at a time');
    expect(await answer(saveShift(admin, plant.code, { name: "Long night", weekdays: [4], start: "21:00", end: "07:00" }))).toMatchObject({ status: 400 });
    expect(await answer(saveShift(admin, plant.code, { name: "early", weekdays: [6], start: "06:00", end: "14:00" }))).toMatchObject({
      status: 409,
      code: "shift_exists",
    });
    expect(await answer(saveShift(admin, plant.code, { name: "Bad", weekdays: [8], start: "6:00", end: "14:00" }))).toMatchObject({ status: 400 });

    const edited = await saveShift(
      admin,
      plant.code,
      { name: "Early", weekdays: [1, 2, 3, 4, 5, 6], start: "06:00", end: "13:30", expectedUpdatedAt: early.updatedAt },
      early.id,
    );
    expect(edited).toMatchObject({ weekdays: [1, 2, 3, 4, 5, 6], end: "13:30" });
    // The form that still holds the old updatedAt loses: 409, nothing written.
    expect(
      await answer(saveShift(admin, plant.code, { name: "Early", weekdays: [1], start: "06:00", end: "14:00", expectedUpdatedAt: early.updatedAt }, early.id)),
    ).toMatchObject({
      status: 409,
      code: "conflict",
    });
    expect(await answer(saveShift(admin, plant.code, { name: "Early", weekdays: [1], start: "06:00", end: "14:00" }, early.id))).toMatchObject({ status: 400 });
    expect(await answer(deleteShift(admin, plant.code, night.id, { expectedUpdatedAt: early.updatedAt }))).toMatchObject({ status: 409 });
    await deleteShift(admin, plant.code, night.id, { expectedUpdatedAt: night.updatedAt });
    expect(await answer(deleteShift(admin, plant.code, night.id, { expectedUpdatedAt: night.updatedAt }))).toMatchObject({ status: 404 });

    const saved = await events("calendar.shift_saved", plant.id);
    expect(saved.map((e) => e.data)).toEqual([
      { plantCode: plant.code, shiftId: early.id, before: null, after: { name: "Early", weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "14:00" } },
      { plantCode: plant.code, shiftId: night.id, before: null, after: { name: "Night", weekdays: [1, 2, 3, 4], start: "22:00", end: "06:00" } },
      {
        plantCode: plant.code,
        shiftId: early.id,
        before: { name: "Early", weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "14:00" },
        after: { name: "Early", weekdays: [1, 2, 3, 4, 5, 6], start: "06:00", end: "13:30" },
      },
    ]);
    expect(saved[0]).toMatchObject({ actorId: admin.id, actorLabel: admin.email, subjectType: "plant", subjectId: plant.id });
    expect((await events("calendar.shift_deleted", plant.id)).map((e) => e.data)).toEqual([
      { plantCode: plant.code, shiftId: night.id, before: { name: "Night", weekdays: [1, 2, 3, 4], start: "22:00", end: "06:00" }, after: null },
    ]);
    const view = await getCalendarAdmin(admin, plant.code);
    expect(view.plant).toMatchObject({ code: plant.code, timezone: "Europe/Berlin" });
    expect(view.shifts.map((s) => s.name)).toEqual(["Early"]);
    // The week's shifts in the plant's zone (Monday 7 to Sunday 13 Dec 2026, CET); a holiday makes its shift off.
    await addCalendarEntry(admin, plant.code, { kind: "HOLIDAY", date: "2026-12-08", reason: "Test holiday" });
    const week = (await getCalendarAdmin(admin, plant.code, new Date("2026-12-09T12:00:00Z"))).week;
    expect(week.map((o) => [o.start, o.end, o.off])).toEqual([
      ["2026-12-07T05:00:00.000Z", "2026-12-07T12:30:00.000Z", false],
      ["2026-12-08T05:00:00.000Z", "2026-12-08T12:30:00.000Z", true],
      ["2026-12-09T05:00:00.000Z", "2026-12-09T12:30:00.000Z", false],
      ["2026-12-10T05:00:00.000Z", "2026-12-10T12:30:00.000Z", false],
      ["2026-12-11T05:00:00.000Z", "2026-12-11T12:30:00.000Z", false],
      ["2026-12-12T05:00:00.000Z", "2026-12-12T12:30:00.000Z", false],
    ]);
  });

  it("two admins creating overlapping shifts at once: one wins, the other gets the overlap; two editing one shift: one wins, the other 409", async () => {
    const plant = await testPlant(admin, "Europe/Warsaw");
    const results = await Promise.all([
      answer(saveShift(admin, plant.code, { name: "A", weekdays: [1], start: "06:00", end: "14:00" })),
      answer(saveShift(admin, plant.code, { name: "B", weekdays: [1], start: "10:00", end: "18:00" })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(await db().plantShift.count({ where: { plantId: plant.id } })).toBe(1);
    const [shift] = await db().plantShift.findMany({ where: { plantId: plant.id } });
    const read = shift!.updatedAt.toISOString();
    const edits = await Promise.all(
      ["07:00", "08:00"].map((start) =>
        answer(saveShift(admin, plant.code, { name: shift!.name, weekdays: [1], start, end: "14:00", expectedUpdatedAt: read }, shift!.id)),
      ),
    );
    expect(edits.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await events("calendar.shift_saved", plant.id)).toHaveLength(2);
  });

  it("holidays are the plant's local day; downtime in local time; removal audited; duplicates and nonsense refused", async () => {
    const plant = await testPlant(admin, "America/New_York");
    const xmas = await addCalendarEntry(admin, plant.code, { kind: "HOLIDAY", date: "2026-12-25", reason: "Christmas Day" });
    expect(xmas).toMatchObject({ kind: "HOLIDAY", startsAt: "2026-12-25T05:00:00.000Z", endsAt: "2026-12-26T05:00:00.000Z", reason: "Christmas Day" });
    expect(await answer(addCalendarEntry(admin, plant.code, { kind: "HOLIDAY", date: "2026-12-25", reason: "Again" }))).toMatchObject({ status: 409 });
    const down = await addCalendarEntry(admin, plant.code, {
      kind: "DOWNTIME",
      start: "2027-01-09T06:00",
      end: "2027-01-09T18:30",
      reason: "Press 4 overhaul",
    });
    expect(down).toMatchObject({ startsAt: "2027-01-09T11:00:00.000Z", endsAt: "2027-01-09T23:30:00.000Z" });
    const bad = await answer(
      addCalendarEntry(admin, plant.code, { kind: "DOWNTIME", start: "2027-01-09T18:00", end: "2027-01-09T06:00", reason: "Backwards" }),
    );
    expect(bad).toEqual({ status: 400, code: "invalid_request", message: "The downtime ends after it starts" });
    expect(
      await answer(addCalendarEntry(admin, plant.code, { kind: "DOWNTIME", start: "2027-03-14T02:30", end: "2027-03-14T04:00", reason: "DST gap" })),
    ).toMatchObject({
      status: 400,
      message: "The start 2027-03-14T02:30 does not exist in America/New_York (clocks change then)",
    });
    expect((await getCalendarAdmin(admin, plant.code, new Date("2026-12-01T00:00:00Z"))).entries.map((e) => e.id)).toEqual([xmas.id, down.id]);
    // Entries that ended are no longer listed as upcoming.
    expect((await getCalendarAdmin(admin, plant.code, new Date("2027-01-01T00:00:00Z"))).entries.map((e) => e.id)).toEqual([down.id]);

    await removeCalendarEntry(admin, plant.code, xmas.id);
    expect(await answer(removeCalendarEntry(admin, plant.code, xmas.id))).toMatchObject({ status: 404 });
    expect((await events("calendar.entry_added", plant.id)).map((e) => e.data)).toEqual([
      { plantCode: plant.code, entryId: xmas.id, kind: "HOLIDAY", startsAt: xmas.startsAt, endsAt: xmas.endsAt, reason: "Christmas Day" },
      { plantCode: plant.code, entryId: down.id, kind: "DOWNTIME", startsAt: down.startsAt, endsAt: down.endsAt, reason: "Press 4 overhaul" },
    ]);
    expect((await events("calendar.entry_removed", plant.id)).map((e) => e.data)).toEqual([
      { plantCode: plant.code, entryId: xmas.id, kind: "HOLIDAY", startsAt: xmas.startsAt, endsAt: xmas.endsAt, reason: "Christmas Day" },
    ]);
    // Concurrent removal of one entry: exactly one removal, one event.
    const again = await addCalendarEntry(admin, plant.code, { kind: "HOLIDAY", date: "2027-01-01", reason: "New Year's Day" });
    const removals = await Promise.all([answer(removeCalendarEntry(admin, plant.code, again.id)), answer(removeCalendarEntry(admin, plant.code, again.id))]);
    expect(removals.map((r) => r.status).sort()).toEqual([200, 404]);
    expect(await events("calendar.entry_removed", plant.id)).toHaveLength(2);
  });

  it("only administrators: a visible plant is 403, an invisible one 404; hostile bodies are 4xx and write nothing", async () => {
    const plant = await testPlant(admin, "Europe/Berlin");
    const { operator, manager } = plant;
    const shift = { name: "Early", weekdays: [1], start: "06:00", end: "14:00" };
    expect(await answer(saveShift(operator, plant.code, shift))).toMatchObject({ status: 403 });
    expect(await answer(saveShift(a.auditor, plant.code, shift))).toMatchObject({ status: 403 });
    expect(await answer(saveShift(a.managerMty, plant.code, shift))).toMatchObject({ status: 404 });
    expect(await answer(getCalendarAdmin(a.managerMty, plant.code))).toMatchObject({ status: 404 });
    expect(await answer(getCalendarAdmin(manager, plant.code))).toMatchObject({ status: 403 });
    expect(await answer(addCalendarEntry(operator, plant.code, { kind: "HOLIDAY", date: "2027-01-01", reason: "x y" }))).toMatchObject({ status: 403 });
    expect(await answer(removeCalendarEntry(a.managerMty, plant.code, "00000000-0000-4000-8000-000000000000"))).toMatchObject({ status: 404 });
    expect(await answer(getCalendarAdmin(admin, "NO-SUCH"))).toMatchObject({ status: 404 });
    expect(await answer(getCalendarAdmin(admin, "'; DROP TABLE plant; --"))).toMatchObject({ status: 404 });
    expect(await answer(saveShift(admin, plant.code, shift, "not-a-uuid"))).toMatchObject({ status: 404 });
    for (const body of HOSTILE) {
      for (const run of [
        () => saveShift(admin, plant.code, body),
        () => addCalendarEntry(admin, plant.code, body),
        () => deleteShift(admin, plant.code, "00000000-0000-4000-8000-000000000000", body),
      ]) {
        const r = await answer(run());
        expect(r.status, JSON.stringify(body)?.slice(0, 80)).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }
    }
    expect(await db().plantShift.count({ where: { plantId: plant.id } })).toBe(0);
    expect(await db().plantCalendarEntry.count({ where: { plantId: plant.id } })).toBe(0);
    expect(await db().auditEvent.count({ where: { plantId: plant.id, type: { startsWith: "calendar." } } })).toBe(0);
  });
});
