import { randomUUID } from "node:crypto";
import { connectorKey, expect, expectAccessible, signIn, test } from "./fixtures";

test.describe("plant manager: interface metrics of a plant", () => {
  test("a manager opens a plant's interface table from the Plants page and sees throughput, failure rate and latency against the SLO", async ({ page }) => {
    const key = await connectorKey("PL-WRO", "SAP_ERP");
    const now = Date.now();
    // 19 delivered quality holds, slow (SLO 30 s), and one failure.
    const events = Array.from({ length: 20 }, (_, i) => ({
      eventId: randomUUID(), correlationId: randomUUID(), messageId: `PM-${randomUUID()}`, interface: "QUALITY_HOLD", hop: { source: "LIMS", target: "SAP_ERP" },
      occurredAt: new Date(now - i * 1000).toISOString(), outcome: i === 0 ? "failed" : "delivered", latencyMs: 45_000, attempt: 1,
      ...(i === 0 ? { error: { category: "technical", code: "HTTP-503", message: "SAP inbound unavailable" }, payload: { batch: "B1" } } : {}),
    }));
    const res = await page.request.post("/api/ingest/v1/events", { headers: { authorization: `Bearer ${key}` }, data: events });
    expect((await res.json()).accepted).toBe(20);

    await signIn(page.request, "manager@andon.local");
    await page.goto("/plants");
    await page.getByRole("link", { name: "Interface metrics of PL-WRO" }).click();
    await expect(page).toHaveURL(/\/plants\/PL-WRO$/);
    await page.getByRole("link", { name: "1h", exact: true }).click();
    await expect(page).toHaveURL(/range=1h/);
    const row = page.locator('tr[data-interface="QUALITY_HOLD"]');
    await expect(row.getByRole("cell").nth(1)).toHaveText(/\d+\.\d %/);
    await expect(row.locator("[data-slo-breached]")).toContainText("above the SLO");
    await expectAccessible(page);
  });

  test("a plant outside the manager's scope does not exist for them (page and API)", async ({ page }) => {
    await signIn(page.request, "manager.mty@andon.local");
    expect((await page.goto("/plants/DE-HAM"))?.status()).toBe(404);
    expect((await page.request.get("/api/plants/DE-HAM/metrics")).status()).toBe(404);
    expect((await page.request.get("/api/plants/MX-MTY/metrics?range=5y")).status()).toBe(400);
  });
});

test.describe("plant manager: dashboard overview", () => {
  test("a manager sees a tile per plant of theirs only; a new failure shows up in the tile without reload; the tile leads to the plant", async ({ page }) => {
    await signIn(page.request, "manager@andon.local");
    await page.goto("/dashboard");
    await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
    await expect(page.locator("[data-plant-tile]")).toHaveCount(2);
    await expect(page.locator('[data-plant-tile="MX-MTY"]')).toHaveCount(0);
    const tile = page.locator('[data-plant-tile="DE-HAM"]');
    const before = Number(await tile.getByTestId("tile-open").textContent());
    const key = await connectorKey("DE-HAM", "SAP_ERP");
    await expect(page.locator('[data-status="connected"]')).toBeVisible();
    await page.waitForTimeout(300); // the rooms are joined right after connecting
    const sent = Date.now();
    const res = await page.request.post("/api/ingest/v1/events", {
      headers: { authorization: `Bearer ${key}` },
      data: [{
        eventId: randomUUID(), correlationId: randomUUID(), messageId: `DB-${randomUUID()}`, interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" },
        occurredAt: new Date().toISOString(), outcome: "failed", latencyMs: 900, attempt: 1, payload: { q: 1 },
        error: { category: "business", code: "M7-021", message: "Deficit of SL Unrestricted-use 3 PC : RM-4711 1000 0001" },
      }],
    });
    expect((await res.json()).accepted).toBe(1);
    await expect(tile.getByTestId("tile-open")).toHaveText(String(before + 1));
    console.log(`ingest → dashboard tile updated without reload: ${Date.now() - sent} ms (includes the 1 s refresh throttle)`);
    await expectAccessible(page);
    await tile.getByRole("link", { name: /DE-HAM/ }).click();
    await expect(page).toHaveURL(/\/plants\/DE-HAM$/);
  });
});
