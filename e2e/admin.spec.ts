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

    // A new user: created here, signs in, sees only their plant; deactivated, they are out.
    await page.goto("/admin");
    const email = `e2e.${Date.now()}@andon.local`;
    const create = page.getByRole("form", { name: "New user" });
    await create.getByLabel("E-mail").fill(email);
    await create.getByLabel("Name").fill("Erik Example");
    await create.getByLabel("Role").selectOption("VIEWER");
    await create.getByLabel("Plants (codes, comma-separated)").fill("MX-MTY");
    await create.getByLabel("Initial password").fill("an-initial-password-1");
    await create.getByRole("button", { name: "Add user" }).click();
    const row = page.locator(`tr[data-user="${email}"]`);
    await expect(row).toContainText("Erik Example");
    const other = await page.context().browser()!.newContext({ baseURL: test.info().project.use.baseURL });
    await signIn(other.request, email, "an-initial-password-1");
    expect(((await (await other.request.get("/api/plants")).json()) as { plants: { code: string }[] }).plants.map((p) => p.code)).toEqual(["MX-MTY"]);
    await row.getByRole("button", { name: "Deactivate" }).click();
    await expect(row).toContainText("deactivated");
    expect([401, 403]).toContain((await other.request.get("/api/plants")).status());
    await other.close();

    await signIn(page.request, "auditor@andon.local");
    expect((await page.goto("/admin"))?.status()).toBe(404);
    expect((await page.request.patch("/api/admin/retention", { data: { telemetryDays: 31 } })).status()).toBe(403);
  });
});
