import { DEMO_USERS, PLANTS } from "../prisma/seed";
import { expect, expectAccessible, query, signIn, test } from "./fixtures";

// Guards against plant-scope leaks: every persona sees exactly the plants of its scope,
// in the page and in the API behind it — and those with full scope still see everything.
test.describe("plants page: each persona sees exactly its plants", () => {
  for (const user of DEMO_USERS) {
    test(`${user.email} (${user.role})`, async ({ page }) => {
      await signIn(page.request, user.email);
      await page.goto("/plants");
      // Full scope is every plant in the database (the administration spec adds plants of its own).
      const everyPlant = (await query<{ code: string }>("SELECT code FROM plant")).map((p) => p.code);
      expect(everyPlant).toEqual(expect.arrayContaining(PLANTS.map((p) => p.code)));
      const expected = (user.plants === "all" ? everyPlant : user.plants).toSorted();
      const cards = page.locator("[data-plant]");
      await expect(cards).toHaveCount(expected.length);
      expect((await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-plant")))).toSorted()).toEqual(expected);
      const api = (await (await page.request.get("/api/plants")).json()) as { plants: { code: string }[] };
      expect(api.plants.map((p) => p.code).toSorted()).toEqual(expected);
      // Navigation by role: edit controls only for administrators.
      await expect(page.getByRole("button", { name: /^Edit / })).toHaveCount(user.role === "ADMIN" ? expected.length : 0);
    });
  }
});

test("the plants page shows systems, connectors and interfaces from the database", async ({ page }) => {
  await signIn(page.request, "manager.mty@andon.local");
  await page.goto("/plants");
  const card = page.locator('[data-plant="MX-MTY"]');
  await expect(card.getByText("Supplier portal", { exact: true })).toBeVisible();
  await expect(card.getByRole("rowheader", { name: /SUPPLIER_ASN/ })).toBeVisible();
  await expect(card.getByRole("rowheader", { name: /BOM_RELEASE.*approval/ })).toBeVisible();
  await expect(card.getByText("connector: no heartbeat yet").first()).toBeVisible();
});

test("plant.updated socket events change the page live, without reload", async ({ page, browser }) => {
  await signIn(page.request, "manager@andon.local");
  await page.goto("/plants");
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const name = page.locator('[data-plant="DE-HAM"] [data-testid="plant-name"]');
  const original = (await name.textContent())!;
  let reloaded = false;
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame()) reloaded = true;
  });

  // The admin changes the plant through the server, in another browser context.
  const admin = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  try {
    await signIn(admin.request, "admin@andon.local");
    const renamed = `Hamburg Assembly ${Date.now() % 100000}`;
    const res = await admin.request.patch("/api/plants/DE-HAM", { data: { name: renamed } });
    expect(res.status()).toBe(200);
    await expect(name).toHaveText(renamed);
    expect(reloaded).toBe(false);
    // A plant outside the manager's scope changes without reaching them.
    const other = await admin.request.patch("/api/plants/US-CLT", { data: { name: `Charlotte Machining ${Date.now() % 1000}` } });
    expect(other.status()).toBe(200);
    await expect(page.locator('[data-plant="US-CLT"]')).toHaveCount(0);
    await admin.request.patch("/api/plants/DE-HAM", { data: { name: original } });
    await expect(name).toHaveText(original);
  } finally {
    await admin.close();
  }
});

test("an administrator edits a plant in the dialog, with keyboard only", async ({ page }) => {
  await signIn(page.request, "admin@andon.local");
  await page.goto("/plants");
  await page.getByRole("button", { name: "Edit PL-WRO" }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Edit PL-WRO" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Time zone (IANA)").fill("Not/AZone");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Unknown IANA time zone");
  await dialog.getByLabel("Name").fill("Wroclaw Process Plant (Site 2)");
  await dialog.getByLabel("Time zone (IANA)").fill("Europe/Warsaw");
  await dialog.getByLabel("Time zone (IANA)").press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-plant="PL-WRO"] [data-testid="plant-name"]')).toHaveText("Wroclaw Process Plant (Site 2)");
  await page.reload();
  await expect(page.locator('[data-plant="PL-WRO"] [data-testid="plant-name"]')).toHaveText("Wroclaw Process Plant (Site 2)");
});

test.describe("accessibility and layout", () => {
  test("sign-in page has no serious axe violations", async ({ page }) => {
    await page.goto("/login");
    await expectAccessible(page);
  });

  for (const theme of ["light", "dark"] as const) {
    test(`plants page has no serious axe violations (${theme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: theme });
      await signIn(page.request, "admin@andon.local");
      await page.goto("/plants");
      await expect(page.locator("html")).toHaveClass(new RegExp(theme));
      await expectAccessible(page);
    });
  }

  test("works on a tablet (no horizontal page overflow) and every control is reachable by keyboard", async ({ page }) => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await signIn(page.request, "operator@andon.local");
    await page.goto("/plants");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const reached = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press("Tab");
      reached.add(await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent?.trim() ?? ""));
    }
    expect([...reached]).toEqual(expect.arrayContaining(["Skip to content", "Plants", "Colour theme", "Account: Oskar Operator"]));
  });
});
