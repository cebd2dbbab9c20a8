import { randomUUID } from "node:crypto";
import { connectorKey, expect, expectAccessible, signIn, test } from "./fixtures";

test.describe("plant manager: interface metrics of a plant", () => {
  test("a manager opens a plant's interface table from the Plants page and sees throughput, failure rate and latency against the SLO", async ({ page }) => {
    const key = await connectorKey("PL-WRO", "SAP_ERP");
    const now = Date.now();
    // 19 delivered quality holds, slow (SLO 30 s), and one failure.
    const events = Array.from({ length: 20 }, (_, i) => ({
      eventId: randomUUID(),
      correlationId: randomUUID(),
      messageId: `PM-${randomUUID()}`,
      interface: "QUALITY_HOLD",
      hop: { source: "LIMS", target: "SAP_ERP" },
      occurredAt: new Date(now - i * 1000).toISOString(),
      outcome: i === 0 ? "failed" : "delivered",
      latencyMs: 45_000,
      attempt: 1,
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
    await expect(row.getByRole("cell").nth(1)).toHaveText(/^\d+(\.\d)?\s%$/);
    await expect(row.locator("[data-slo-breached]")).toContainText("above the SLO");
    // The charts: the latency chart defaults to the interface breaching its SLO, with the SLO line,
    // and every chart offers its data as a table.
    const latency = page.locator('[data-chart="chart-latency"]');
    await expect(latency.getByRole("heading")).toContainText("QUALITY_HOLD");
    await latency.getByText("Show the data as a table").click();
    await expect(latency.getByRole("row").nth(1)).toContainText("30.0 s"); // the SLO column
    const throughput = page.locator('[data-chart="chart-throughput"]');
    await throughput.getByText("Show the data as a table").click();
    const total = async () =>
      (
        await throughput.locator("tbody tr").evaluateAll((rows) => rows.map((r) => Number(r.children[1]!.textContent) + Number(r.children[2]!.textContent)))
      ).reduce((a, b) => a + b, 0);
    expect(await total()).toBeGreaterThanOrEqual(20);
    await expectAccessible(page);

    // Live: more traffic arrives; the chart's figures change without a reload.
    const before = await total();
    const more = Array.from({ length: 5 }, () => ({
      ...events[1]!,
      eventId: randomUUID(),
      correlationId: randomUUID(),
      messageId: `PM-${randomUUID()}`,
      occurredAt: new Date().toISOString(),
    }));
    const sent = Date.now();
    expect((await (await page.request.post("/api/ingest/v1/events", { headers: { authorization: `Bearer ${key}` }, data: more })).json()).accepted).toBe(5);
    await expect.poll(total, { timeout: 15_000 }).toBe(before + 5);
    console.log(`ingest → plant chart updated without reload: ${Date.now() - sent} ms (charts reconcile within 2 s of an event)`);

    // A custom range in the plant's timezone (Europe/Warsaw) lands in the URL as instants.
    await page.getByText("Custom range (Europe/Warsaw)").click();
    const custom = page.getByRole("form", { name: "Custom time range" });
    await custom.getByLabel("From", { exact: true }).fill("2026-11-20T08:00");
    await custom.getByLabel("To", { exact: true }).fill("2026-11-20T20:00");
    await custom.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/from=2026-11-20T07%3A00%3A00.000Z&to=2026-11-20T19%3A00%3A00.000Z/);
    await expect(page.getByText("A custom range is history")).toBeVisible();
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
    const openOf = async (t: typeof tile) => Number((await t.getByTestId("tile-open").textContent())!.replace(/,/g, ""));
    const before = await openOf(tile);
    const key = await connectorKey("DE-HAM", "SAP_ERP");
    await expect(page.locator('[data-status="connected"]')).toBeVisible();
    await page.waitForTimeout(300); // the rooms are joined right after connecting
    // Ten failures, one at a time: each must show in the tile without a reload; the latency of each is measured.
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const current = await openOf(tile);
      const sent = Date.now();
      const res = await page.request.post("/api/ingest/v1/events", {
        headers: { authorization: `Bearer ${key}` },
        data: [
          {
            eventId: randomUUID(),
            correlationId: randomUUID(),
            messageId: `DB-${randomUUID()}`,
            interface: "GOODS_MOVEMENT",
            hop: { source: "ODOO", target: "SAP_ERP" },
            occurredAt: new Date().toISOString(),
            outcome: "failed",
            latencyMs: 900,
            attempt: 1,
            payload: { q: i },
            error: { category: "business", code: "M7-021", message: `Deficit of SL Unrestricted-use 3 PC : RM-4711 1000 000${i}` },
          },
        ],
      });
      expect((await res.json()).accepted).toBe(1);
      // At least one more: specs running beside this one may open DE-HAM exceptions at the same moment.
      await expect.poll(async () => openOf(tile), { timeout: 5000, intervals: [50] }).toBeGreaterThanOrEqual(current + 1);
      latencies.push(Date.now() - sent);
      await page.waitForTimeout(150 + Math.round(Math.random() * 300)); // sample the server's 250 ms coalescing window fairly
    }
    expect(await openOf(tile)).toBeGreaterThanOrEqual(before + 10);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`ingest → dashboard tile updated without reload, 10 samples: p50 ${sorted[4]} ms, max ${sorted[9]} ms (all: ${latencies.join(", ")})`);
    await expectAccessible(page);
    await tile.getByRole("link", { name: /DE-HAM/ }).click();
    await expect(page).toHaveURL(/\/plants\/DE-HAM$/);
    await expect(page.locator('[data-chart="chart-throughput"]')).toBeVisible();
  });
});
