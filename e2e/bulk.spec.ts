import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { goodsMovement, sampleItem } from "../connectors/sap/test-support";
import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

const hop = { source: "ODOO", target: "SAP_ERP" };

async function deficits(page: Page, prefix: string, n: number, payload: (i: number) => unknown = () => goodsMovement([sampleItem()])) {
  const key = await connectorKey("DE-HAM", "SAP_ERP");
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      await reportFailure(page.request, key, {
        interface: "GOODS_MOVEMENT",
        hop,
        businessKey: `${prefix}-${i}`,
        code: "M7-021",
        message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
        payload: payload(i),
      }),
    );
  }
  return ids;
}

test.describe("support journey: bulk work on a failure group", () => {
  test("an operator corrects a group with one JSON Patch: the preview flags the payload it does not fit, the valid ones go to approval, progress is live", async ({
    page,
  }) => {
    const prefix = `BULK-${randomUUID().slice(0, 6)}`;
    // Payload 0 has no goods-movement item: the patch's path does not exist there.
    const ids = await deficits(page, prefix, 4, (i) =>
      i === 0 ? { ...goodsMovement([sampleItem()]), E1BP2017_GM_ITEM_CREATE: [] } : goodsMovement([sampleItem()]),
    );
    await signIn(page.request, "operator@andon.local");
    // Two per page: "everything matching the filter" must reach beyond the page.
    await page.goto(`/exceptions?q=${prefix}&limit=2`);
    await expect(page.locator("tr[data-exception-row]")).toHaveCount(2);
    await page.getByLabel("Select all on this page").check();
    await expect(page.getByRole("region", { name: "Bulk actions" })).toContainText("2 selected");
    await page.getByRole("button", { name: "Select all 4 exceptions matching the filter" }).click();
    const bar = page.getByRole("region", { name: "Bulk actions" });
    await expect(bar).toContainText("All 4 matching the filter");

    await bar.getByRole("button", { name: "Correct with one patch" }).click();
    const dialog = page.getByRole("dialog", { name: "Correct payloads with one JSON Patch" });
    await dialog.getByRole("textbox", { name: "JSON Patch", exact: true }).click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(JSON.stringify([{ op: "replace", path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", value: "20" }]));
    await expect(dialog.getByRole("button", { name: "Preview first" })).toBeDisabled();
    await dialog.getByRole("button", { name: "Preview", exact: true }).click();
    await expect(dialog.getByRole("status")).toHaveText("4 payloads: 3 valid, 1 patch does not apply");
    await expect(dialog.locator('tr[data-preview-result="patch_error"]')).toContainText(`${prefix}-0`);
    await expectAccessible(page);
    await dialog.getByLabel(/Reason for the change/).fill("Issue 20 PC now; the rest after the goods receipt");
    await dialog.getByRole("button", { name: "Submit 3 corrections for approval" }).click();
    await expect(dialog).toBeHidden();

    // Progress arrives live; the finished action explains the item it could not do.
    const op = page.getByRole("region", { name: "My bulk actions" }).locator("li", { hasText: "Correct 4 exceptions" });
    await expect(op.locator("[data-bulk-status]")).toHaveAttribute("data-bulk-status", "COMPLETED", { timeout: 20_000 });
    await expect(op).toContainText("3 done, 1 failed");
    await op.getByText("Skipped and failed items").click();
    await expect(op).toContainText(`${prefix}-0`);

    const rows = await query<{ status: string; author: string }>(
      `SELECT c.status::text, u.email AS author FROM correction c JOIN app_user u ON u.id = c.author_id WHERE c.exception_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows).toEqual(Array(3).fill({ status: "SUBMITTED", author: "operator@andon.local" }));

    // The approver finds them in the approval queue, each with its diff.
    await signIn(page.request, "approver@andon.local");
    await page.goto("/approvals");
    for (const i of [1, 2, 3]) await expect(page.getByText(`${prefix}-${i}`)).toBeVisible();
  });

  test("an operator discards everything matching a search in one go; the queue empties without a reload", async ({ page }) => {
    const prefix = `BULKD-${randomUUID().slice(0, 6)}`;
    await deficits(page, prefix, 3);
    await signIn(page.request, "operator@andon.local");
    await page.goto(`/exceptions?q=${prefix}`);
    await expect(page.locator("tr[data-exception-row]")).toHaveCount(3);
    await page.getByLabel("Select all on this page").check();
    const bar = page.getByRole("region", { name: "Bulk actions" });
    await bar.getByRole("button", { name: "Discard" }).click();
    const dialog = page.getByRole("dialog", { name: "Discard exceptions" });
    await dialog.getByLabel("Reason (required)").fill("Superseded: the night shift re-posted these as one transfer");
    await dialog.getByRole("button", { name: "Discard all" }).click();
    const op = page.getByRole("region", { name: "My bulk actions" }).locator("li", { hasText: "Discard 3 exceptions" });
    await expect(op.locator("[data-bulk-status]")).toHaveAttribute("data-bulk-status", "COMPLETED", { timeout: 20_000 });
    await expect(page.locator("tr[data-exception-row]")).toHaveCount(0);
    await expect(page.getByText("No exceptions match")).toBeVisible();
  });
});
