import { connectorKey, expect, query, reportFailure, signIn, test } from "./fixtures";

/** Cross-cutting protections: security headers, cross-site mutations refused, hostile text rendered as text. */
test.describe("security", () => {
  test("every page carries the security headers (CSP with frame-ancestors, no framing, no sniffing, referrer policy)", async ({ page }) => {
    for (const path of ["/login", "/api/health"]) {
      const res = await page.request.get(path);
      const h = res.headers();
      expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(h["content-security-policy"]).toContain("default-src 'self'");
      expect(h["content-security-policy"]).toContain("object-src 'none'");
      expect(h["content-security-policy"]).toMatch(/script-src 'self' [^;]*$|script-src 'self' [^;]*;/); // no other origin may serve scripts
      expect(h["content-security-policy"]).not.toMatch(/script-src[^;]*(https?:|\*)/);
      expect(h["x-frame-options"]).toBe("DENY");
      expect(h["x-content-type-options"]).toBe("nosniff");
      expect(h["referrer-policy"]).toBe("same-origin");
    }
  });

  test("a mutation from another site is refused before any handler runs; the portal's own origin passes", async ({ page, baseURL }) => {
    await signIn(page.request, "admin@andon.local");
    const rule = { name: `CSRF probe ${Date.now()}`, kind: "BACKLOG_ABOVE", threshold: 1000 };
    const evil = await page.request.post("/api/alerts/rules", { data: rule, headers: { origin: "https://evil.example" } });
    expect(evil.status()).toBe(403);
    expect((await evil.json()).error.code).toBe("cross_site_request");
    const fetchSite = await page.request.post("/api/alerts/rules", { data: rule, headers: { "sec-fetch-site": "cross-site" } });
    expect(fetchSite.status()).toBe(403);
    expect(await query("SELECT 1 FROM alert_rule WHERE name = $1", [rule.name])).toHaveLength(0);
    const own = await page.request.post("/api/alerts/rules", { data: { ...rule, enabled: false }, headers: { origin: new URL(baseURL!).origin } });
    expect(own.status()).toBe(201);
  });

  test("hostile text in payloads, error texts and comments is shown as text, never run", async ({ page }) => {
    const hostile = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;
    const id = await reportFailure(page.request, await connectorKey("DE-HAM", "SAP_ERP"), {
      interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" }, businessKey: `XSS-${Date.now()}`,
      code: "M7-021", message: `Deficit ${hostile}`, payload: { note: hostile },
    });
    await signIn(page.request, "operator@andon.local");
    expect((await page.request.post(`/api/exceptions/${id}/comments`, { data: { body: `see ${hostile}` } })).status()).toBeLessThan(300);
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`/exceptions/${id}`);
    await expect(page.getByText(`see ${hostile}`)).toBeVisible();
    await expect(page.getByText(`Deficit ${hostile}`).first()).toBeVisible();
    const [t] = await query<{ correlation_id: string }>("SELECT t.correlation_id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE e.id = $1", [id]);
    await page.goto(`/transactions/${encodeURIComponent(t!.correlation_id)}`);
    await expect(page.getByText(`see ${hostile}`)).toBeVisible();
    await page.goto("/exceptions");
    await expect(page.getByText(`Deficit ${hostile}`).first()).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(await page.locator("img[src='x']").count()).toBe(0);
  });
});
