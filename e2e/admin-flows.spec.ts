import { DateTime } from "luxon";
import { expect, expectAccessible, query, signIn, test } from "./fixtures";

/**
 * An administrator's flow-monitoring settings: a holiday added to a plant's calendar and a suggested
 * expectation (from the same hour of the week over the last four weeks of rollups) accepted; both in
 * the audit trail.
 */
test.describe("flow monitoring administration", () => {
  test("an administrator adds a holiday and accepts a suggested expectation; both are audited; the page is accessible", async ({ page }) => {
    test.setTimeout(90_000);
    // Four weeks of MAINT_WORK_ORDER traffic at US-CLT in this hour of the week: 1, 2, 3 and 4 messages a minute.
    const [ids] = await query<{ plant_id: string; interface_id: string }>(
      `SELECT p.id AS plant_id, i.id AS interface_id FROM plant p, interface i WHERE p.code = 'US-CLT' AND i.code = 'MAINT_WORK_ORDER'`,
    );
    const hour = DateTime.now().setZone("America/New_York").startOf("hour");
    for (let week = 1; week <= 4; week++) {
      const start = hour.minus({ weeks: week }).toJSDate();
      await query(
        `INSERT INTO telemetry_rollup_minute (bucket, plant_id, interface_id, outcome, shard, count, latency_sum, latency_max, histogram)
         SELECT $1::timestamptz + m * interval '1 minute', $2, $3, 'DELIVERED', 7, $4, 0, 0, '{}' FROM generate_series(0, 59) m
         ON CONFLICT DO NOTHING`,
        [start, ids!.plant_id, ids!.interface_id, week],
      );
      // The hour row compaction writes (read instead of the minutes once the hour is compacted).
      await query(
        `INSERT INTO telemetry_rollup_hour (bucket, plant_id, interface_id, outcome, count, latency_sum, latency_max, histogram)
         VALUES ($1, $2, $3, 'DELIVERED', $4, 0, 0, '{}')
         ON CONFLICT (plant_id, bucket, interface_id, outcome) DO UPDATE SET count = telemetry_rollup_hour.count + EXCLUDED.count`,
        [start, ids!.plant_id, ids!.interface_id, week * 60],
      );
    }

    await signIn(page.request, "admin@andon.local");
    await page.goto("/admin");
    await page.getByRole("link", { name: /Flow monitoring/ }).click();
    await page.getByRole("navigation", { name: "Plants" }).getByRole("link", { name: "US-CLT" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("US-CLT");
    await expect(page.getByRole("table", { name: /Shifts of the week at US-CLT/ })).toContainText("06:00–14:00");

    // A holiday: a local date of the plant (unique per run).
    const date = DateTime.fromObject({ year: 2028, month: 1, day: 1 })
      .plus({ days: Date.now() % 300 })
      .toISODate()!;
    const reason = `Plant anniversary ${Date.now().toString(36)}`;
    const holiday = page.getByRole("form", { name: "New holiday" });
    await holiday.getByLabel(/Holiday date/).fill(date);
    await holiday.getByLabel("Holiday name").fill(reason);
    await holiday.getByRole("button", { name: "Add holiday" }).click();
    await expect(page.getByTestId("calendar-outcome")).toHaveText(`Added holiday ${date} (${reason}) at US-CLT.`);
    await expect(page.getByTestId("announcer")).toHaveText(`Added holiday ${date} (${reason}) at US-CLT.`);
    await expect(page.getByRole("list", { name: "Upcoming holidays and planned downtime" })).toContainText(reason);

    // The suggestion: quietest hour 60 → at least 30; busiest 240 → at most 480.
    await page.getByRole("button", { name: "Suggest expected traffic of MAINT_WORK_ORDER" }).click();
    const panel = page.getByTestId("suggestion-MAINT_WORK_ORDER");
    await expect(panel.getByTestId("suggested-MAINT_WORK_ORDER")).toHaveText("Suggested: at least 30, at most 480 per 60 min");
    await expect(panel.getByRole("table")).toContainText("240");
    await expectAccessible(page);
    await panel.getByRole("button", { name: "Accept the suggestion for MAINT_WORK_ORDER" }).click();
    await expect(page.getByTestId("expectations-outcome")).toHaveText(
      "Accepted the suggestion for MAINT_WORK_ORDER at US-CLT: at least 30, at most 480 per 60 min.",
    );
    await expect(page.getByLabel("Minimum of MAINT_WORK_ORDER")).toHaveValue("30");
    const [stored] = await query<{ min_count: number; max_count: number }>(
      "SELECT min_count, max_count FROM flow_expectation WHERE plant_id = $1 AND interface_id = $2",
      [ids!.plant_id, ids!.interface_id],
    );
    expect(stored).toEqual({ min_count: 30, max_count: 480 });
    // The monitor judges the new expectation at once when asked (it would at the next minute anyway).
    await page.getByRole("button", { name: "Check flows now" }).click();
    await expect(page.getByTestId("expectations-outcome")).toHaveText(/^The flow monitor runs now/);

    await page.goto("/audit?type=expectation.updated");
    await expect(page.locator('tr[data-audit-type="expectation.updated"]').first()).toContainText("admin@andon.local");
    await page.goto("/audit?type=calendar.entry_added");
    await expect(page.locator('tr[data-audit-type="calendar.entry_added"]').first()).toContainText("admin@andon.local");
    const [event] = await query<{ data: { suggested?: boolean; after: { minCount: number } } }>(
      "SELECT data FROM audit_event WHERE type = 'expectation.updated' AND actor_type = 'user' ORDER BY id DESC LIMIT 1",
    );
    expect(event!.data).toMatchObject({ suggested: true, after: { minCount: 30 } });
  });
});
