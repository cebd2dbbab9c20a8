import { expect, expectAccessible, signIn, test } from "./fixtures";

test.describe("auditor journey: the audit trail", () => {
  test("an auditor reads sign-ins and plant changes, verifies the chain and exports it", async ({ page, browser }) => {
    // Something to find: an admin renames a plant.
    const admin = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    await signIn(admin.request, "admin@andon.local");
    const name = `US Charlotte ${Date.now() % 100000}`;
    expect((await admin.request.patch("/api/plants/US-CLT", { data: { name } })).status()).toBe(200);
    await admin.close();

    await signIn(page.request, "auditor@andon.local");
    await page.goto("/plants");
    await page.getByRole("link", { name: "Audit trail" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    const rows = page.locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    await expect(page.locator('tr[data-audit-type="plant.updated"]').filter({ hasText: name })).toBeVisible();
    await expect(page.locator('tr[data-audit-type="auth.sign_in"]').filter({ hasText: "auditor@andon.local" }).first()).toBeVisible();

    await page.getByLabel("Event type").selectOption("auth.sign_in");
    await expect(page).toHaveURL(/type=auth\.sign_in/);
    await expect(page.locator('tbody tr:not([data-audit-type="auth.sign_in"])')).toHaveCount(0);

    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Chain intact" })).toBeVisible();

    // The whole trail (no filter) exports as a contiguous chain.
    await page.goto("/audit");
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export NDJSON" }).click();
    const file = await (await download).path();
    const { readFile } = await import("node:fs/promises");
    const lines = (await readFile(file, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { hash: string; prevHash: string });
    expect(lines.length).toBeGreaterThan(3);
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.prevHash).toBe(lines[i - 1]!.hash);
    await expectAccessible(page);

    // Filter by actor; the CSV export follows the filter.
    const filters = page.getByRole("form", { name: "Filter the audit trail" });
    await filters.getByLabel("Actor (name or e-mail, starts with)").fill("auditor@andon.local");
    await filters.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/actor=auditor%40andon\.local/);
    // The result has the focus and is read out (point 17).
    await expect(page.getByTestId("audit-results")).toBeFocused();
    await expect(page.getByTestId("announcer")).toContainText("match these filters");
    await expect(page.locator('tr[data-audit-type="auth.sign_in"]').first().getByTestId("audit-actor")).toContainText("Otto Auditor");
    await expect(page.locator("tbody tr").filter({ hasNotText: "auditor@andon.local" })).toHaveCount(0);
    const csvDownload = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const csv = (await readFile((await (await csvDownload).path())!, "utf8")).trim().split("\r\n");
    expect(csv[0]).toBe("id,occurredAtUtc,type,actorType,actorId,actorLabel,plantId,subjectType,subjectId,data,prevHash,hash");
    expect(csv.length).toBeGreaterThan(1);
    expect(csv.slice(1).every((l) => l.includes("auditor@andon.local"))).toBe(true);
  });

  test("plant managers have no audit trail: no link, 404 page, 403 API", async ({ page }) => {
    await signIn(page.request, "manager@andon.local");
    await page.goto("/plants");
    await expect(page.getByRole("link", { name: "Audit trail" })).toHaveCount(0);
    const res = await page.goto("/audit");
    expect(res?.status()).toBe(404);
    expect((await page.request.post("/api/audit/verify")).status()).toBe(403);
    expect((await page.request.get("/api/audit/export")).status()).toBe(403);
    await signIn(page.request, "auditor@andon.local");
    expect((await page.request.get("/api/audit/export?format=xml")).status()).toBe(400);
  });
});
