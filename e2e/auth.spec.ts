import { expect, query, signIn, test } from "./fixtures";

test.describe("authentication", () => {
  test("an anonymous visit redirects to sign-in and back after it", async ({ page }) => {
    await page.goto("/plants");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fplants$/);
    await page.getByLabel("Email").fill("manager@andon.local");
    await page.getByLabel("Password").fill("andon-demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/plants$/);
    await expect(page.getByRole("heading", { name: "Plants", level: 1 })).toBeVisible();
  });

  test("a wrong password shows an error and is audited", async ({ page }) => {
    const email = "operator@andon.local";
    const before = await query<{ n: string }>(`SELECT count(*) AS n FROM audit_event WHERE type = 'auth.sign_in_failed' AND data->>'email' = $1`, [email]);
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: /\S/ })).toHaveText("Invalid email or password.");
    await expect(page).toHaveURL(/\/login/);
    const rows = await query<{ reason: string }>(
      `SELECT data->>'reason' AS reason FROM audit_event WHERE type = 'auth.sign_in_failed' AND data->>'email' = $1 ORDER BY id`,
      [email],
    );
    expect(rows.length).toBe(Number(before[0]!.n) + 1);
    expect(rows.at(-1)!.reason).toBe("bad_password");
  });

  test("sign-out ends the session and is audited", async ({ page }) => {
    await signIn(page.request, "approver@andon.local");
    await page.goto("/plants");
    await page.getByRole("button", { name: /Account: Anna Approver/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/plants");
    await expect(page).toHaveURL(/\/login/);
    const rows = await query(`SELECT 1 FROM audit_event WHERE type = 'auth.sign_out' AND actor_label = 'approver@andon.local'`);
    expect(rows.length).toBeGreaterThan(0);
  });

  test("sessions expire: the cookie lives 12 h, an expired or forged token is refused, a deactivated user is out at once", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL });
    await signIn(ctx, "operator.wro@andon.local");
    const cookie = (await ctx.storageState()).cookies.find((c) => c.name.endsWith("next-auth.session-token"))!;
    const hours = (cookie.expires - Date.now() / 1000) / 3600;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12.01);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Lax");
    const { encode } = await import("next-auth/jwt");
    const user = (await query<{ id: string }>("SELECT id FROM app_user WHERE email = 'operator.wro@andon.local'"))[0]!;
    const secret = "e2e-only-secret-0123456789abcdef0123456789";
    const claims = { sub: user.id, email: "operator.wro@andon.local", name: "Olga Operator", role: "OPERATOR", plantIds: [] as string[] };
    const as = async (token: string) => {
      const c = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: `${cookie.name}=${token}` } });
      const status = (await c.get("/api/plants")).status();
      await c.dispose();
      return status;
    };
    expect(await as(await encode({ token: claims, secret, maxAge: 3600 }))).toBe(200); // a valid token works (control)
    expect(await as(await encode({ token: claims, secret, maxAge: -60 }))).toBe(401); // expired
    expect(await as(await encode({ token: claims, secret: "not-the-secret-0123456789abcdef0123456789", maxAge: 3600 }))).toBe(401); // forged
    // Deactivated: the next request is refused, the session cookie notwithstanding.
    await query("UPDATE app_user SET active = false WHERE id = $1", [user.id]);
    try {
      expect([401, 403]).toContain((await ctx.get("/api/plants")).status());
    } finally {
      await query("UPDATE app_user SET active = true WHERE id = $1", [user.id]);
    }
    await ctx.dispose();
  });

  test("a malformed sign-in body gets 400 with a message", async ({ request }) => {
    const res = await request.post("/api/auth/callback/credentials", { data: { email: 42 } });
    expect(res.status()).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/email/);
  });
});

test.describe("API edges", () => {
  test("health checks the database", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", checks: { database: { ok: true } } });
  });

  test("API routes answer 401 JSON without a session, unknown routes 404", async ({ request, page }) => {
    const anon = await request.get("/api/plants");
    expect(anon.status()).toBe(401);
    expect(await anon.json()).toMatchObject({ error: { code: "unauthorized" } });
    await signIn(request, "auditor@andon.local");
    const missing = await request.get("/api/does-not-exist");
    expect(missing.status()).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    await signIn(page.request, "auditor@andon.local");
    const res = await page.goto("/no-such-page");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });

  test("a client mistake on a write is a 4xx, never a 5xx", async ({ request }) => {
    await signIn(request, "admin@andon.local");
    const badJson = await request.patch("/api/plants/DE-HAM", { headers: { "content-type": "application/json" }, data: "{not json" });
    expect(badJson.status()).toBe(400);
    const badTz = await request.patch("/api/plants/DE-HAM", { data: { timezone: "Mars/Olympus_Mons" } });
    expect(badTz.status()).toBe(400);
    expect(((await badTz.json()) as { error: { message: string } }).error.message).toMatch(/time zone/);
    const unknownField = await request.patch("/api/plants/DE-HAM", { data: { id: "x" } });
    expect(unknownField.status()).toBe(400);
  });
});
