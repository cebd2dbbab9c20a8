import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

/**
 * The bell: an alert of the plant the manager leads fires; the bell in the header counts it without a
 * reload (and it is read out); the notifications page lists it with its link; marking it read lowers
 * the count. The plant's lead is put back afterwards.
 */
test("an alert of the plant I lead rings the bell live; the notifications page lists it and marks it read", async ({ page, browser }) => {
  const [before] = await query<{ lead: string | null }>("SELECT lead_user_id AS lead FROM plant WHERE code = 'MX-MTY'");
  await query("UPDATE plant SET lead_user_id = (SELECT id FROM app_user WHERE email = 'manager.mty@andon.local') WHERE code = 'MX-MTY'");
  const adminCtx = await browser.newContext();
  const admin = adminCtx.request;
  let ruleId: string | null = null;
  try {
    await signIn(page.request, "manager.mty@andon.local");
    await page.goto("/alerts");
    await expect(page.locator('[data-status="connected"]')).toBeVisible();
    const bell = page.getByRole("link", { name: /^Notifications:/ });
    await expect(bell).toBeVisible();
    const unread = async () => Number((await bell.getAttribute("aria-label"))!.match(/(\d+) unread/)?.[1] ?? 0);
    await expect.poll(async () => (await page.request.get("/api/notifications?limit=1")).ok()).toBe(true);
    const start = (await (await page.request.get("/api/notifications?limit=1")).json()).unread as number;
    await expect.poll(unread).toBe(start);

    // A backlog rule at MX-MTY just below the open count (one more failure first), evaluated now.
    await reportFailure(page.request, await connectorKey("MX-MTY", "SUPPLIER_PORTAL"), {
      interface: "SUPPLIER_ASN",
      hop: { source: "SUPPLIER_PORTAL", target: "ODOO" },
      businessKey: "ASN-BELL-1",
      code: "ODOO-ValidationError",
      message: "PO line 20 unknown",
    });
    const [open] = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM exception e JOIN plant p ON p.id = e.plant_id WHERE p.code = 'MX-MTY' AND e.status::text <> ALL(ARRAY['RESOLVED','DISCARDED'])",
    );
    await signIn(admin, "admin@andon.local");
    const created = await admin.post("/api/alerts/rules", {
      data: { name: "MTY bell (e2e)", kind: "BACKLOG_ABOVE", threshold: open!.n - 1, plantCode: "MX-MTY", severity: "CRITICAL" },
    });
    expect(created.status()).toBe(201);
    ruleId = (await created.json()).id;
    expect((await admin.post("/api/alerts/evaluate")).status()).toBe(202);

    // The bell counts it live, and says so.
    await expect.poll(unread, { timeout: 30_000 }).toBeGreaterThan(start);
    await expect(page.getByTestId("announcer")).toContainText("New notification: MTY bell (e2e) · MX-MTY");
    await bell.click();
    await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();
    const item = page.getByTestId("notification").filter({ hasText: "MTY bell (e2e)" });
    await expect(item).toBeVisible();
    await expect(item.getByRole("link", { name: /MTY bell \(e2e\)/ })).toHaveAttribute("href", /^\/alerts\?alert=/);
    await expect(item).toContainText("first notice");
    await expectAccessible(page);
    const beforeRead = await unread();
    await item.getByRole("button", { name: /^Mark read: MTY bell/ }).click();
    await expect(page.getByTestId("announcer")).toContainText("Marked read: MTY bell (e2e)");
    await expect.poll(unread).toBeLessThan(beforeRead);
    await expect(item.getByRole("button", { name: /^Mark read/ })).toHaveCount(0);
  } finally {
    if (ruleId) await admin.patch(`/api/alerts/rules/${ruleId}`, { data: { enabled: false } });
    await query("UPDATE plant SET lead_user_id = $1 WHERE code = 'MX-MTY'", [before?.lead ?? null]);
    await adminCtx.close();
  }
});
