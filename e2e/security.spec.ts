import type { Page } from "@playwright/test";
import { connectorKey, expect, query, reportFailure, signIn, test } from "./fixtures";

/**
 * Everything the browser says about the Content-Security-Policy: violation events (the reliable
 * signal: Chromium's own "Refused to evaluate…" log line does not reach Playwright's console
 * events), console errors and uncaught errors that mention it.
 */
async function watchCsp(page: Page) {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|unsafe-eval/i.test(m.text())) seen.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (err) => {
    if (/Content Security Policy|unsafe-eval|EvalError/i.test(`${err.name} ${err.message}`)) seen.push(`pageerror: ${err.message}`);
  });
  await page.exposeFunction("__reportCspViolation", (v: string) => seen.push(`violation: ${v}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      void (window as unknown as { __reportCspViolation: (v: string) => Promise<void> }).__reportCspViolation(`${e.effectiveDirective} ${e.blockedURI}`);
    });
  });
  return seen;
}

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
      expect(h["content-security-policy"]).not.toContain("'unsafe-eval'"); // nothing may turn strings into code
      expect(h["x-frame-options"]).toBe("DENY");
      expect(h["x-content-type-options"]).toBe("nosniff");
      expect(h["referrer-policy"]).toBe("same-origin");
    }
  });

  test("signing in through the form and opening the dashboard trigger no CSP violation", async ({ page }) => {
    const seen = await watchCsp(page);
    await page.goto("/login");
    await page.getByLabel("Email").fill("manager@andon.local");
    await page.getByLabel("Password").fill("andon-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.waitForLoadState("networkidle");
    expect(seen).toEqual([]);
  });

  test("the correction editor validates live against the interface's JSON Schema without eval: no CSP violation", async ({ page }) => {
    const seen = await watchCsp(page);
    const item = { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "512", ENTRY_UOM: "PC", ORDERID: "000001004711" };
    const payload = (i: Record<string, unknown>) => ({
      idocType: "MBGMCR03",
      control: { DOCNUM: "0000000004712001", MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
      E1BP2017_GM_CODE: { GM_CODE: "03" },
      E1BP2017_GM_HEAD_01: { PSTNG_DATE: "20261123", DOC_DATE: "20261123" },
      E1BP2017_GM_ITEM_CREATE: [i],
    });
    const id = await reportFailure(page.request, await connectorKey("DE-HAM", "SAP_ERP"), {
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      businessKey: `CSP-${Date.now()}`,
      code: "M7-021",
      message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
      payload: payload(item),
    });
    await signIn(page.request, "operator@andon.local");
    const res = await page.goto(`/exceptions/${id}`);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(res?.headers()["content-security-policy"]).not.toContain("'unsafe-eval'");

    const edit = async (value: unknown) => {
      const editor = page.getByRole("textbox", { name: "Corrected payload JSON", exact: true });
      await editor.click();
      await page.keyboard.press("ControlOrMeta+a");
      await page.keyboard.press("Delete");
      await page.keyboard.insertText(JSON.stringify(value, null, 2));
    };
    const { PLANT: _plant, ...noPlant } = item;
    const result = page.getByTestId("schema-result");
    await edit(payload({ ...noPlant, ENTRY_QNT: "-12" }));
    await expect(result).toContainText('/E1BP2017_GM_ITEM_CREATE/0 must have the required property "PLANT"');
    await expect(result).toContainText("/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT must match the pattern");
    await edit(payload({ ...item, ENTRY_QNT: 500 }));
    await expect(result).toHaveText("/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT must be a string, not a number");
    await edit(payload({ ...item, ENTRY_QNT: "500" }));
    await expect(result).toHaveText("Matches the interface schema.");
    expect(seen).toEqual([]);

    // The policy is enforced, and the watch above would have seen a violation: code from a string is
    // refused. (Not inside page.evaluate itself: DevTools lifts the eval restriction while it runs.)
    const probe = await page.evaluate(
      () =>
        new Promise<string>((resolve) =>
          setTimeout(() => {
            try {
              resolve(String(new Function("return 'evaluated'")()));
            } catch (err) {
              resolve((err as Error).name);
            }
          }, 0),
        ),
    );
    expect(probe).toBe("EvalError");
    await expect.poll(() => seen.join("\n")).toMatch(/^violation: script-src(-elem)? eval$/m);
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
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      businessKey: `XSS-${Date.now()}`,
      code: "M7-021",
      message: `Deficit ${hostile}`,
      payload: { note: hostile },
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
    const [t] = await query<{ correlation_id: string }>(
      "SELECT t.correlation_id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE e.id = $1",
      [id],
    );
    await page.goto(`/transactions/${encodeURIComponent(t!.correlation_id)}`);
    // The comment itself, and its audit row ("Comment: …"): both as text.
    await expect(page.getByText(`see ${hostile}`, { exact: true })).toBeVisible();
    await expect(page.getByRole("cell", { name: `Comment: see ${hostile}` })).toBeVisible();
    await page.goto("/exceptions");
    await expect(page.getByText(`Deficit ${hostile}`).first()).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(await page.locator("img[src='x']").count()).toBe(0);
  });
});
