import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { connectorKey, expect, expectAccessible, reportFailure, signIn, test } from "./fixtures";

/**
 * The exception queue as support uses it all shift: filters changed in quick succession, a failure group
 * opened and acted on by keyboard, a tablet in the hand, ages that read the same on server and browser.
 */
const hop = { source: "ODOO", target: "SAP_ERP" };

async function failures(page: Page, plant: string, prefix: string, code: string, n: number, category: "business" | "technical" = "business") {
  const key = await connectorKey(plant, "SAP_ERP");
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      await reportFailure(page.request, key, {
        interface: "GOODS_MOVEMENT",
        hop,
        businessKey: `${prefix}-${code}-${i}`,
        code,
        message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
        category,
      }),
    );
  }
  return ids;
}

const rows = (page: Page) => page.locator("tr[data-exception-row]");
/** The page is interactive (hydrated, live updates connected), as the header's indicator tells a person. */
const live = (page: Page) => expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
const chips = (page: Page) => page.getByRole("form", { name: "Filters" }).locator("[data-chip]");

test.describe("support journey: the exception queue", () => {
  test("three filter changes in quick succession all apply and show as removable chips", async ({ page }) => {
    const prefix = `QF-${randomUUID().slice(0, 6)}`;
    await failures(page, "DE-HAM", prefix, "M7-021", 2);
    await failures(page, "PL-WRO", prefix, "M7-021", 1, "technical");
    await signIn(page.request, "operator@andon.local");
    await page.goto(`/exceptions?q=${prefix}`);
    await expect(rows(page)).toHaveCount(3);
    await live(page);

    // No waits in between: each change lands before the server answered the previous one.
    const filters = page.getByRole("form", { name: "Filters" });
    await filters.getByLabel("Plant", { exact: true }).selectOption("DE-HAM");
    await filters.getByLabel("Category", { exact: true }).selectOption("BUSINESS");
    await filters.getByLabel("Age", { exact: true }).selectOption("1h");

    await expect(page).toHaveURL(/plant=DE-HAM/);
    await expect(page).toHaveURL(/category=BUSINESS/);
    await expect(page).toHaveURL(/age=1h/);
    await expect(page).toHaveURL(new RegExp(`q=${prefix}`));
    await expect(chips(page)).toHaveText(["Plant: DE-HAM", "Category: Business", "Age: < 1 h", `Search: ${prefix}`].map((t) => new RegExp(t)));
    await expect(rows(page)).toHaveCount(2);
    await expect(page.getByRole("heading", { name: /Showing 2 of 2 open exceptions matching the filters/ })).toBeVisible();
    await expect(page.getByTestId("announcer")).toHaveText("Showing 2 of 2 open exceptions matching the filters");
    await expectAccessible(page);

    // Removing a chip widens the result; focus stays in the chips (the next one's remove button).
    await page.getByRole("button", { name: "Remove filter Plant: DE-HAM" }).click();
    await expect(page).not.toHaveURL(/plant=/);
    await expect(page.getByRole("button", { name: "Remove filter Category: Business" })).toBeFocused();
    await page.getByRole("button", { name: "Remove filter Category: Business" }).click();
    await expect(rows(page)).toHaveCount(3);
    await expect(chips(page)).toHaveCount(2);
    await expectAccessible(page);
  });

  test("open group → act on all → assign, by keyboard: the group shows as a chip, focus follows each step, outcomes are read out", async ({ page }) => {
    const prefix = `QG-${randomUUID().slice(0, 6)}`;
    const code = `QG${prefix.slice(3)}`;
    await failures(page, "DE-HAM", prefix, code, 3);
    await failures(page, "DE-HAM", prefix, "M7-053", 2);
    await signIn(page.request, "operator@andon.local");
    await page.goto(`/exceptions?q=${prefix}&view=groups`);
    await expect(page.locator("tr[data-group]")).toHaveCount(2);
    await live(page);
    await expectAccessible(page);

    // Open the group (one click); the filter it applies is visible and removable.
    await page.getByRole("button", { name: `Open group ${code} on GOODS_MOVEMENT` }).click();
    await expect(page).toHaveURL(/fingerprint=/);
    await expect(chips(page).filter({ hasText: `Group: ${code} on GOODS_MOVEMENT` })).toBeVisible();
    await expect(rows(page)).toHaveCount(3);
    await expect(page.getByTestId("announcer")).toHaveText(`Showing 3 of 3 open exceptions in group ${code} on GOODS_MOVEMENT`);
    // Focus waits on the next step: "Act on all".
    await expect(page.getByRole("button", { name: "Act on all 3 in this group" })).toBeFocused();
    await expectAccessible(page);

    // Enter: everything in the group is selected, focus on the bar's first action.
    await page.keyboard.press("Enter");
    const bar = page.getByRole("region", { name: "Bulk actions", exact: true });
    await expect(bar).toContainText("All 3 matching the filter");
    await expect(bar.getByRole("button", { name: "Assign to me" })).toBeFocused();
    await expect(page.getByTestId("announcer")).toHaveText(`Selected all 3 exceptions in group ${code} on GOODS_MOVEMENT`);
    await expectAccessible(page);

    // Enter: assigned; focus on the result (the bulk action's line), its outcome read out when done.
    await page.keyboard.press("Enter");
    const op = page.getByRole("region", { name: "My bulk actions" }).locator("li", { hasText: "Assign 3 exceptions" });
    await expect(op).toBeFocused();
    await expect(op.locator("[data-bulk-status]")).toHaveAttribute("data-bulk-status", "COMPLETED", { timeout: 20_000 });
    await expect(page.getByTestId("announcer")).toHaveText("Assign 3 exceptions completed: 3 done");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("LI");
    await expect(rows(page).filter({ hasText: "Oskar Operator" })).toHaveCount(3);
    await expectAccessible(page);

    // Removing the group chip widens the result to the whole search again.
    await page.getByRole("button", { name: `Remove filter Group: ${code} on GOODS_MOVEMENT` }).click();
    await expect(page).not.toHaveURL(/fingerprint=/);
    await expect(rows(page)).toHaveCount(5);

    // Moving to a detail page: focus starts at its heading, not on <body>.
    await rows(page).first().getByRole("link").click();
    await expect(page).toHaveURL(/\/exceptions\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1 })).toBeFocused();
  });

  test("keyboard: a skip link reaches the filters in two Tabs", async ({ page }) => {
    await signIn(page.request, "operator@andon.local");
    await page.goto("/exceptions");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to filters" })).toBeFocused();
    await expectAccessible(page);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("form", { name: "Filters" }).getByLabel("Plant", { exact: true })).toBeFocused();
    // "Skip to results" lands on the results' heading.
    await page.getByRole("link", { name: "Skip to results" }).focus();
    await page.keyboard.press("Enter");
    await expect(page.locator("#queue-results-heading")).toBeFocused();
  });

  test("tablet (820×1180): Age visible, codes on one line, one line per row", async ({ page }) => {
    const prefix = `QT-${randomUUID().slice(0, 6)}`;
    await failures(page, "DE-HAM", prefix, "M7-021", 3);
    await page.setViewportSize({ width: 820, height: 1180 });
    await signIn(page.request, "operator@andon.local");
    await page.goto(`/exceptions?q=${prefix}`);
    await expect(rows(page)).toHaveCount(3);
    const table = page.getByRole("region", { name: "Exceptions", exact: true });
    await expect(table.getByRole("columnheader", { name: "Age", exact: true })).toBeInViewport({ ratio: 1 });
    await expect(rows(page).first().locator('td[data-col="age"]')).toBeInViewport({ ratio: 1 });
    expect(await table.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    const plant = rows(page).first().locator('td[data-col="plant"]');
    await expect(plant).toHaveText("DE-HAM");
    const layout = await plant.evaluate((td) => {
      const range = document.createRange();
      range.selectNodeContents(td);
      const row = td.parentElement!.getBoundingClientRect();
      return { whiteSpace: getComputedStyle(td).whiteSpace, lines: range.getClientRects().length, rowHeight: row.height };
    });
    expect(layout.whiteSpace).toBe("nowrap");
    expect(layout.lines).toBe(1);
    // One line per row (the message is cut, codes never wrap): about 20 rows fit under the filters on 1180 px (11 before).
    expect(layout.rowHeight).toBeLessThanOrEqual(36);
    await expectAccessible(page);
  });

  test("no hydration error on /exceptions, even when the browser's clock differs from the server's", async ({ page }) => {
    const prefix = `QH-${randomUUID().slice(0, 6)}`;
    await failures(page, "DE-HAM", prefix, "M7-021", 1);
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    // The browser runs 5 minutes ahead: ages computed from its clock while hydrating would differ from the server's.
    await page.clock.setFixedTime(new Date(Date.now() + 5 * 60_000));
    await signIn(page.request, "operator@andon.local");
    await page.goto(`/exceptions?q=${prefix}`);
    await expect(rows(page)).toHaveCount(1);
    // After mounting, ages follow the browser's clock (which shows hydration is done).
    await expect(rows(page).first().locator('td[data-col="age"]')).toHaveText(/^5\smin$/);
    await expect(rows(page).first().locator('td[data-col="age"] time')).toHaveAttribute("title", /^First seen .+ CES?T$/);
    expect(errors.filter((e) => /hydrat|#418|418/i.test(e))).toEqual([]);
    await expectAccessible(page);
  });
});
