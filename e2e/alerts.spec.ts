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
    // The outcome is shown and read out; focus stays with the alert (now among the acknowledged ones).
    await expect(page.getByTestId("alerts-outcome")).toContainText("Acknowledged: MTY backlog (e2e)");
    await expect(page.getByTestId("announcer")).toContainText("Acknowledged: MTY backlog (e2e)");
    await expect(item.locator("[data-alert-title]")).toBeFocused();
    await expectAccessible(page);
    await item.getByRole("button", { name: "Take it" }).click();
    await expect(item).toContainText("assigned to Mateo Manager");
    await item.getByRole("button", { name: "Resolve" }).click();
    await expect(item).toHaveCount(0); // the open view no longer lists it
    await expect(page.getByTestId("announcer")).toContainText("Resolved: MTY backlog (e2e)");
    await expect(page.locator("[data-alert-title]:focus, #inbox-heading:focus")).toHaveCount(1); // the next alert, or the inbox heading when none is left
    await page.getByRole("button", { name: "Resolved" }).click();
    await expect(page.locator("[data-alert]").filter({ hasText: "MTY backlog (e2e)" }).first()).toContainText("by manager.mty@andon.local");

    const trail = await query<{ type: string }>(
      "SELECT a.type FROM audit_event a JOIN alert x ON x.id::text = a.subject_id JOIN alert_rule r ON r.id = x.rule_id WHERE r.name = 'MTY backlog (e2e)' ORDER BY a.id",
    );
    // The people's steps in order; the escalation ladder may notify the first rung (owner or plant lead) as
    // soon as the alert fires, before the manager acknowledges it — once at most, and never after.
    const types = trail.map((t) => t.type);
    expect(types.filter((t) => t !== "escalation.notified")).toEqual(["alert.fired", "alert.acknowledged", "alert.assigned", "alert.resolved"]);
    expect(types.filter((t) => t === "escalation.notified").length).toBeLessThanOrEqual(1);
    if (types.includes("escalation.notified")) expect(types.indexOf("escalation.notified")).toBeLessThan(types.indexOf("alert.acknowledged"));

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

  test("the inbox is worked most severe first, each alert leads to the exceptions behind it, and thresholds read as durations", async ({ page, browser }) => {
    test.setTimeout(90_000);
    const businessKey = `ASN-SORT-${Date.now()}`;
    await reportFailure(page.request, await connectorKey("MX-MTY", "SUPPLIER_PORTAL"), {
      interface: "SUPPLIER_ASN",
      hop: { source: "SUPPLIER_PORTAL", target: "ODOO" },
      businessKey,
      code: "ODOO-ValidationError",
      message: "PO line 20 unknown",
    });
    const adminCtx = await browser.newContext();
    const admin = await adminCtx.newPage();
    await signIn(admin.request, "admin@andon.local");
    await signIn(page.request, "manager.mty@andon.local");
    await page.goto("/alerts");
    await expect(page.locator('[data-status="connected"]')).toBeVisible();

    // A critical alert fires first, a low one later: newest-first would list the low one on top.
    const fire = async (name: string, severity: string) => {
      const rule = { name, kind: "BACKLOG_ABOVE", threshold: 0, plantCode: "MX-MTY", interfaceCode: "SUPPLIER_ASN", severity };
      expect((await admin.request.post("/api/alerts/rules", { data: rule })).status()).toBe(201);
      expect((await admin.request.post("/api/alerts/evaluate")).ok()).toBe(true);
      await expect(page.locator("[data-alert]").filter({ hasText: name })).toBeVisible({ timeout: 15_000 });
    };
    await fire("ASN sort critical (e2e)", "CRITICAL");
    await fire("ASN sort low (e2e)", "LOW");
    const order = await page
      .locator("[data-alert]")
      .evaluateAll((items) =>
        items.map((i) => ({ text: i.textContent ?? "", status: i.getAttribute("data-status"), severity: i.getAttribute("data-severity") })),
      );
    const at = (name: string) => order.findIndex((o) => o.text.includes(name));
    expect(at("ASN sort critical (e2e)")).toBeLessThan(at("ASN sort low (e2e)"));
    const rank = (o: (typeof order)[number]) => ["FIRING", "ACKNOWLEDGED"].indexOf(o.status!) * 10 + ["CRITICAL", "HIGH", "MEDIUM", "LOW"].indexOf(o.severity!);
    expect(order.map(rank)).toEqual([...order.map(rank)].sort((a, b) => a - b));
    await expectAccessible(page);

    // The alert leads to the exceptions it counted: the queue filtered to that plant and interface.
    const critical = page.locator("[data-alert]").filter({ hasText: "ASN sort critical (e2e)" });
    await critical.getByRole("link", { name: "Open exceptions of MX-MTY · SUPPLIER_ASN" }).click();
    await expect(page).toHaveURL(/\/exceptions\?plant=MX-MTY&interface=SUPPLIER_ASN&status=open$/);
    await expect(page.locator("[data-exception-row]").filter({ hasText: businessKey })).toBeVisible();
    await expectAccessible(page);

    // Thresholds: a duration reads "15 min" (the default ageing rule of critical interfaces is 900 s), never "900".
    await page.goto("/alerts");
    const ageing = page.locator('[data-rule="Ageing exceptions on critical interfaces"]');
    await expect(ageing).toHaveCount(1); // once the streamed page has replaced its loading state
    await expect(ageing.getByTestId("rule-threshold")).toHaveText(/^15\smin$/);
    await expect(ageing).toContainText(/older than 15\smin/);
    await expect(ageing).not.toContainText("900");
    // The administrator edits it with a unit and adds one the same way.
    await admin.goto("/alerts");
    const editable = admin.locator('[data-rule="Ageing exceptions on critical interfaces"]');
    await expect(editable).toHaveCount(1);
    await expect(editable.getByLabel("Threshold of Ageing exceptions on critical interfaces", { exact: true })).toHaveValue("15");
    await expect(editable.getByLabel("Unit of threshold of Ageing exceptions on critical interfaces")).toHaveValue("min");
    const form = admin.getByRole("form", { name: "New alert rule" });
    await form.getByLabel("Name").fill("MTY ageing (e2e)");
    await form.getByLabel("Condition").selectOption({ label: "Oldest exception older than" });
    await form.getByLabel("Threshold", { exact: true }).fill("2");
    await form.getByLabel("Unit of threshold").selectOption("h");
    await form.getByLabel("Plant").selectOption("MX-MTY");
    await form.getByRole("button", { name: "Add rule" }).click();
    const added = admin.locator('[data-rule="MTY ageing (e2e)"]');
    await expect(added).toContainText(/older than 2\sh/);
    await expect(admin.getByTestId("rules-outcome")).toContainText("Added rule MTY ageing (e2e)");
    await expectAccessible(admin);
    const [stored] = await query<{ threshold: number }>("SELECT threshold FROM alert_rule WHERE name = 'MTY ageing (e2e)'");
    expect(stored!.threshold).toBe(7200);

    for (const name of ["ASN sort critical (e2e)", "ASN sort low (e2e)", "MTY ageing (e2e)"]) {
      const [r] = await query<{ id: string }>("SELECT id FROM alert_rule WHERE name = $1", [name]);
      expect((await admin.request.patch(`/api/alerts/rules/${r!.id}`, { data: { enabled: false } })).ok()).toBe(true);
    }
    await adminCtx.close();
  });
});
