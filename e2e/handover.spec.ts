import { randomUUID } from "node:crypto";
import { expect, expectAccessible, query, signIn, test } from "./fixtures";

/**
 * The shift handover journey at PL-WRO: a handover is waiting (the job that prepares them at each shift's
 * end is covered by tests/integration/handover.test.ts; here the row is laid down directly so the journey
 * does not wait for a shift to end). The outgoing lead (Olga, operator of PL-WRO) reaches it from the plant
 * page and writes her notes; the incoming lead (Maren, plant manager) has the page open and sees them arrive
 * without a reload, acknowledges, and Olga's page turns to "Acknowledged" live. Both steps are audited.
 */
const zero = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
const kinds = { LATE: 0, STOPPED: 0, FLOOD: 0, MISSED_RUN: 0 };
const summary = {
  exceptions: {
    failed: 3,
    resolved: 1,
    discarded: 0,
    topFailed: [{ interfaceCode: "PRODORD_CONFIRM", errorCode: "RU-100", count: 3 }],
    topClosed: [],
    openAtEnd: { total: 2, bySeverity: { ...zero, HIGH: 2 }, oldest: null },
  },
  findings: { openedByKind: { ...kinds, STOPPED: 1 }, openAtEndByKind: { ...kinds, STOPPED: 1 }, items: [] },
  alerts: { fired: 0, openAtEnd: 0, items: [] },
};

test("the outgoing lead writes notes, the incoming lead acknowledges, both pages follow live", async ({ page, browser }) => {
  test.setTimeout(90_000); // two signed-in pages and three accessibility scans
  const shiftName = `E2E night ${randomUUID().slice(0, 6)}`;
  const now = Date.now();
  const [h] = await query<{ id: string }>(
    `INSERT INTO handover (id, plant_id, shift_name, shift_start, shift_end, status, summary, prepared_at)
     SELECT gen_random_uuid(), id, $1, $2, $3, 'PREPARED', $4::jsonb, $3 FROM plant WHERE code = 'PL-WRO' RETURNING id`,
    [shiftName, new Date(now - 30 * 60_000), new Date(now - 60_000), JSON.stringify(summary)],
  );
  const notes = `Line 2 confirmations stopped at 05:40, restarted the connector. ${randomUUID().slice(0, 8)}`;

  // The outgoing lead looks at this shift's figures (a shift of PL-WRO's calendar running now, removed
  // right after), then reaches the handover from the plant page.
  await signIn(page.request, "operator.wro@andon.local");
  const [hh, mm] = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Warsaw", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date())
    .split(":")
    .map(Number) as [number, number];
  const minute = hh * 60 + mm;
  const [shift] = await query<{ id: string }>(
    `INSERT INTO plant_shift (id, plant_id, name, weekdays, start_minute, end_minute, updated_at)
     SELECT gen_random_uuid(), id, $1, '{1,2,3,4,5,6,7}', $2, $3, now() FROM plant WHERE code = 'PL-WRO' RETURNING id`,
    [`E2E day ${randomUUID().slice(0, 6)}`, (minute + 1440 - 60) % 1440, (minute + 60) % 1440],
  );
  try {
    await page.goto("/plants/PL-WRO");
    await page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: "This shift" }).click();
    await expect(page.getByRole("link", { name: "This shift" })).toHaveAttribute("aria-current", "true");
    await expect(page.getByText(/This shift: .+, .+ – \d\d:\d\d .+\. .*Updates live\./)).toBeVisible();
    await expect(page).toHaveURL(/shift=current/);
  } finally {
    await query("DELETE FROM plant_shift WHERE id = $1", [shift!.id]);
  }
  await page.getByRole("link", { name: "Shift handover" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Shift handover");
  const mine = page.getByTestId("handover-latest");
  await expect(mine).toContainText(shiftName);
  await expect(mine).toContainText("(Europe/Warsaw)");
  await expect(mine.getByTestId("handover-open-at-end")).toContainText("2 open");
  await expect(page.locator('[data-status="connected"]').first()).toBeVisible();

  // The incoming lead has the same page open.
  const ctx = await browser.newContext();
  const incoming = await ctx.newPage();
  await signIn(incoming.request, "manager@andon.local");
  await incoming.goto("/plants/PL-WRO/handover");
  const theirs = incoming.getByTestId("handover-latest");
  await expect(theirs).toContainText(shiftName);
  await expect(incoming.locator('[data-status="connected"]').first()).toBeVisible();
  await expectAccessible(incoming);

  // Notes: saved, read out, and on the other page without a reload.
  await mine.getByTestId("handover-notes-input").fill(notes);
  await mine.getByTestId("handover-notes-save").click();
  await expect(mine.getByTestId("handover-notes-outcome")).toHaveText("Notes saved.");
  await expect(page.getByTestId("announcer")).toHaveText("Notes saved.");
  await expect(theirs.getByTestId("handover-notes-input")).toHaveValue(notes);
  await expectAccessible(page);

  // Acknowledged by the incoming lead: the confirmation next to where the button was, and live on the other page.
  await theirs.getByTestId("handover-acknowledge").click();
  await expect(theirs.getByTestId("handover-acknowledged")).toContainText("Acknowledged by Maren Manager");
  await expect(incoming.getByTestId("announcer")).toContainText(`Handover acknowledged: ${shiftName}.`);
  await expect(mine).toHaveAttribute("data-status", "ACKNOWLEDGED");
  await expect(mine.getByTestId("handover-status")).toHaveText("Acknowledged");
  await expect(mine.getByTestId("handover-notes")).toHaveText(notes); // final: no editor any more
  await expect(mine.getByTestId("handover-acknowledge")).toHaveCount(0);
  await expectAccessible(page);

  // A second acknowledgement is refused.
  expect((await page.request.post(`/api/plants/PL-WRO/handovers/${h!.id}/acknowledge`)).status()).toBe(409);
  const trail = await query<{ type: string; actor_label: string }>(
    "SELECT type, actor_label FROM audit_event WHERE subject_type = 'handover' AND subject_id = $1 ORDER BY id",
    [h!.id],
  );
  expect(trail).toEqual([
    { type: "handover.notes_updated", actor_label: "operator.wro@andon.local" },
    { type: "handover.acknowledged", actor_label: "manager@andon.local" },
  ]);
  await ctx.close();
});
