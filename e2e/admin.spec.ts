import { expect, expectAccessible, signIn, test } from "./fixtures";

test.describe("administration", () => {
  test("an administrator changes the retention policy; it is audited; nobody else may", async ({ page }) => {
    await signIn(page.request, "admin@andon.local");
    await page.goto("/plants");
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Administration", level: 1 })).toBeVisible();
    const form = page.getByRole("form", { name: "Retention policy" });
    await form.getByLabel("Keep raw telemetry (days)").fill("10");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("alert")).toContainText("at least 31 days");
    await form.getByLabel("Keep raw telemetry (days)").fill("120");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("status")).toContainText("telemetry 120 days");
    await expectAccessible(page);
    await page.goto("/audit?type=retention.updated");
    await expect(page.locator('tr[data-audit-type="retention.updated"]').first()).toContainText("admin@andon.local");
    expect((await page.request.patch("/api/admin/retention", { data: { telemetryDays: 90 } })).status()).toBe(200);

    await signIn(page.request, "auditor@andon.local");
    expect((await page.goto("/admin"))?.status()).toBe(404);
    expect((await page.request.patch("/api/admin/retention", { data: { telemetryDays: 31 } })).status()).toBe(403);
  });
});
