import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

/**
 * Alerts: an administrator tightens a rule and has it evaluated; the plant manager's inbox shows the
 * firing alert live (no reload), they acknowledge it, take it and resolve it — each audited; another
 * plant's manager never sees it. The administrator adds a webhook and sees its secret once.
 */
test.describe("alerts", () => {
  test("a rule fires into the manager's inbox live; the manager acknowledges, takes and resolves it", async ({ page, browser }) => {
    // The plant manager of MX-MTY watches the inbox.
    await signIn(page.request, "manager.mty@andon.local");
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();
    await expect(page.locator('[data-status="connected"]')).toBeVisible();

    // One more open exception at MX-MTY; the administrator adds a backlog rule just below the open count.
    await reportFailure(page.request, await connectorKey("MX-MTY", "SUPPLIER_PORTAL"), {
      interface: "SUPPLIER_ASN",
      hop: { source: "SUPPLIER_PORTAL", target: "ODOO" },
      businessKey: "ASN-E2E-1",
      code: "ODOO-ValidationError",
      message: "PO line 10 unknown",
    });
    const open = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM exception e JOIN plant p ON p.id = e.plant_id WHERE p.code = 'MX-MTY' AND e.status::text <> ALL(ARRAY['RESOLVED','DISCARDED'])",
    );
    const threshold = open[0]!.n - 1;
    const adminCtx = await browser.newContext();
    const admin = await adminCtx.newPage();
    await signIn(admin.request, "admin@andon.local");
    await admin.goto("/alerts");
    const form = admin.getByRole("form", { name: "New alert rule" });
    await form.getByLabel("Name").fill("MTY backlog (e2e)");
    await form.getByLabel("Threshold").fill(String(threshold));
    await form.getByLabel("Plant").selectOption("MX-MTY");
    await form.getByLabel("Severity").selectOption("CRITICAL");
    await form.getByRole("button", { name: "Add rule" }).click();
    await expect(admin.locator('[data-rule="MTY backlog (e2e)"]')).toBeVisible();
    await admin.getByRole("button", { name: "Evaluate now" }).click();
    await expect(admin.getByText("Evaluation queued")).toBeVisible();

    // Live in the manager's inbox, no reload.
    const item = page.locator("[data-alert]").filter({ hasText: "MTY backlog (e2e)" });
    await expect(item).toBeVisible({ timeout: 15_000 });
    await expect(item).toHaveAttribute("data-status", "FIRING");
    await expectAccessible(page);
    await item.getByRole("button", { name: "Acknowledge" }).click();
    await expect(item).toHaveAttribute("data-status", "ACKNOWLEDGED");
    await item.getByRole("button", { name: "Take it" }).click();
    await expect(item).toContainText("assigned to Mateo Manager");
    await item.getByRole("button", { name: "Resolve" }).click();
    await expect(item).toHaveCount(0); // the open view no longer lists it
    await page.getByRole("button", { name: "Resolved" }).click();
    await expect(page.locator("[data-alert]").filter({ hasText: "MTY backlog (e2e)" }).first()).toContainText("by manager.mty@andon.local");

    const trail = await query<{ type: string }>(
      "SELECT a.type FROM audit_event a JOIN alert x ON x.id::text = a.subject_id JOIN alert_rule r ON r.id = x.rule_id WHERE r.name = 'MTY backlog (e2e)' ORDER BY a.id",
    );
    expect(trail.map((t) => t.type)).toEqual(["alert.fired", "alert.acknowledged", "alert.assigned", "alert.resolved"]);

    // Another plant's manager does not see it, and cannot act on it.
    const other = await browser.newContext();
    await signIn(other.request, "manager@andon.local");
    const inbox = await (await other.request.get("/api/alerts?status=all")).json();
    expect(inbox.alerts.some((a: { rule: string }) => a.rule === "MTY backlog (e2e)")).toBe(false);
    const alertId = (
      await query<{ id: string }>("SELECT x.id FROM alert x JOIN alert_rule r ON r.id = x.rule_id WHERE r.name = 'MTY backlog (e2e)' LIMIT 1")
    )[0]!.id;
    expect((await other.request.post(`/api/alerts/${alertId}/acknowledge`)).status()).toBe(404);
    // Rules are the administrators': a manager's attempt is refused.
    expect((await page.request.post("/api/alerts/rules", { data: { name: "Mine", kind: "BACKLOG_ABOVE", threshold: 1 } })).status()).toBe(403);
    await admin.locator('[data-rule="MTY backlog (e2e)"]').getByRole("button", { name: "Disable" }).click();
    await expect(admin.locator('[data-rule="MTY backlog (e2e)"]').getByRole("button", { name: "Enable" })).toBeVisible();
    await adminCtx.close();
    await other.close();
  });

  test("an administrator adds a webhook and sees its signing secret once", async ({ page }) => {
    await signIn(page.request, "admin@andon.local");
    await page.goto("/alerts");
    const form = page.getByRole("form", { name: "New webhook" });
    await form.getByLabel("Name").fill("On-call bridge");
    await form.getByLabel("URL").fill("http://127.0.0.1:9/alerts");
    await form.getByLabel("Private network address").check(); // a loopback URL needs the administrator's permission
    await form.getByRole("button", { name: "Add webhook" }).click();
    await expect(page.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
    await expect(page.getByRole("list", { name: "Webhooks" })).toContainText("On-call bridge");
    await page.reload();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    // Paused so the unreachable URL does not collect retries in other tests' runs.
    await page.getByRole("list", { name: "Webhooks" }).getByRole("button", { name: "Pause" }).click();
    await expect(page.getByRole("list", { name: "Webhooks" }).getByRole("button", { name: "Resume" })).toBeVisible();
  });
});
