import { expect, expectAccessible, query, signIn, test } from "./fixtures";

test.describe("administration", () => {
  test("an administrator changes the retention policy; it is audited; nobody else may", async ({ page }) => {
    await signIn(page.request, "admin@andon.local");
    await page.goto("/plants");
    await page.getByRole("link", { name: "Admin", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Administration", level: 1 })).toBeVisible();
    const form = page.getByRole("form", { name: "Retention policy" });
    await form.getByLabel("Keep raw telemetry (days)").fill("10");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("alert")).toContainText("at least 31 days");
    await form.getByLabel("Keep raw telemetry (days)").fill("120");
    await form.getByRole("button", { name: "Save" }).click();
    await expect(form.getByRole("status")).toContainText("telemetry 120 days");
    await expectAccessible(page);
    await page.goto("/audit?type=retention.updated");
    await expect(page.locator('tr[data-audit-type="retention.updated"]').first()).toContainText("admin@andon.local");
    expect((await page.request.patch("/api/admin/retention", { data: { telemetryDays: 90 } })).status()).toBe(200);

    // A new user: created here, signs in, sees only their plant; deactivated, they are out.
    await page.goto("/admin");
    const email = `e2e.${Date.now()}@andon.local`;
    const create = page.getByRole("form", { name: "New user" });
    await create.getByLabel("E-mail").fill(email);
    await create.getByLabel("Name").fill("Erik Example");
    await create.getByLabel("Role").selectOption("VIEWER");
    await create.getByRole("group", { name: "Plants" }).getByLabel("MX-MTY").check();
    await create.getByLabel("Initial password").fill("an-initial-password-1");
    await create.getByRole("button", { name: "Add user" }).click();
    const row = page.locator(`tr[data-user="${email}"]`);
    await expect(row).toContainText("Erik Example");
    const other = await page.context().browser()!.newContext({ baseURL: test.info().project.use.baseURL });
    await signIn(other.request, email, "an-initial-password-1");
    expect(((await (await other.request.get("/api/plants")).json()) as { plants: { code: string }[] }).plants.map((p) => p.code)).toEqual(["MX-MTY"]);
    // Her scope widened by one box: saved at once, said so, and in force for her next request.
    // The box follows the list, updated optimistically just after the click: click, then wait for it.
    const wro = row.getByRole("group", { name: `Plants of ${email}` }).getByLabel("PL-WRO");
    await wro.click();
    await expect(wro).toBeChecked();
    await expect(page.getByTestId("users-outcome")).toContainText(`Saved Erik Example (${email}): Plant manager, MX-MTY, PL-WRO, active.`);
    expect(((await (await other.request.get("/api/plants")).json()) as { plants: { code: string }[] }).plants.map((p) => p.code).sort()).toEqual([
      "MX-MTY",
      "PL-WRO",
    ]);
    await row.getByRole("button", { name: "Deactivate" }).click();
    await expect(row).toContainText("deactivated");
    expect([401, 403]).toContain((await other.request.get("/api/plants")).status());
    await other.close();

    await signIn(page.request, "auditor@andon.local");
    expect((await page.goto("/admin"))?.status()).toBe(404);
    expect((await page.request.patch("/api/admin/retention", { data: { telemetryDays: 31 } })).status()).toBe(403);
  });

  test("an administrator adds a plant and its connector, whose key is shown once and works; rotation revokes the old key; interfaces and schema versions change with a diff; all audited", async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await signIn(page.request, "admin@andon.local");
    await page.goto("/admin");
    const code = `T-${Date.now().toString(36).toUpperCase().slice(-6)}`;
    const plantForm = page.getByRole("form", { name: "New plant" });
    await plantForm.getByLabel("Code").fill(code);
    await plantForm.getByLabel("Name").fill("Gdańsk test plant");
    await plantForm.getByLabel("Time zone").fill("Europe/Warsaw");
    await plantForm.getByRole("button", { name: "Add plant" }).click();
    await expect(page.locator(`[data-plant="${code}"]`)).toContainText("Gdańsk test plant (Europe/Warsaw)");

    const connectorForm = page.getByRole("form", { name: "New connector" });
    await connectorForm.getByLabel("Plant").selectOption(code);
    await connectorForm.getByLabel("System").selectOption("ODOO");
    await connectorForm.getByLabel("Connector name").fill("Odoo bridge");
    await connectorForm.getByRole("button", { name: "Add connector" }).click();
    const issued = page.getByTestId("issued-key");
    await expect(issued).toContainText(`New key for ${code} · Odoo bridge`);
    const key = await issued.getByLabel("Connector key").inputValue();
    expect(key).toMatch(/^andon_ck_/);
    const heartbeat = (k: string) =>
      page.request.post("/api/ingest/v1/heartbeat", {
        headers: { authorization: `Bearer ${k}` },
        data: { version: "2.0.0", state: "online", backlog: 0, oldestPendingAgeS: null },
      });
    expect((await heartbeat(key)).status()).toBe(204);
    const row = page.locator(`tr[data-connector="${code}:ODOO"]`);
    await expect(row).toContainText(key.slice(0, 15));
    await issued.getByRole("button", { name: "I have stored it" }).click();
    await page.reload();
    await expect(page.locator(`tr[data-connector="${code}:ODOO"]`)).toContainText("Online · v2.0.0");
    expect(await page.content()).not.toContain(key);

    await page.getByRole("button", { name: `Rotate key of ${code} Odoo connector` }).click();
    await page
      .getByRole("dialog", { name: `Rotate the key of ${code} · Odoo bridge?` })
      .getByRole("button", { name: "Rotate key" })
      .click();
    await expect(issued).toBeVisible();
    const rotated = await issued.getByLabel("Connector key").inputValue();
    expect(rotated).not.toBe(key);
    expect((await heartbeat(key)).status()).toBe(401);
    expect((await heartbeat(rotated)).status()).toBe(204);
    await expectAccessible(page);

    // Interfaces: enable at the new plant, change the SLO; a new schema version shows its diff.
    const iface = page.locator('tr[data-interface="SUPPLIER_ASN"]');
    const saved = () => page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().includes("/api/admin/interfaces/") && r.ok());
    await Promise.all([saved(), iface.getByLabel(`SUPPLIER_ASN at ${code}`).click()]);
    await expect(iface.getByLabel(`SUPPLIER_ASN at ${code}`)).toBeChecked();
    const slo = iface.getByLabel("SLO of SUPPLIER_ASN in seconds", { exact: true });
    const nextSlo = String(Number(await slo.inputValue()) + 60);
    await slo.fill(nextSlo);
    // Leaving the field sends nothing; Save does, and says what it saved.
    await slo.blur();
    await expect(iface.getByRole("button", { name: "Undo SLO of SUPPLIER_ASN in seconds" })).toBeVisible();
    await Promise.all([saved(), iface.getByRole("button", { name: "Save SLO of SUPPLIER_ASN in seconds" }).click()]);
    await expect(page.getByTestId("interfaces-outcome")).toContainText(`Saved SUPPLIER_ASN: SLO ${nextSlo} s.`);
    await expect(iface.getByRole("button", { name: "Save SLO of SUPPLIER_ASN in seconds" })).toHaveCount(0);
    await page.reload();
    await expect(page.locator('tr[data-interface="SUPPLIER_ASN"]').getByLabel("SLO of SUPPLIER_ASN in seconds", { exact: true })).toHaveValue(nextSlo);
    await page.getByRole("button", { name: "Schema versions of SUPPLIER_ASN" }).click();
    const versions = page.getByTestId("schemas-SUPPLIER_ASN");
    await versions.getByRole("button", { name: "New version…" }).click();
    const editor = versions.getByRole("textbox", { name: "New schema version of SUPPLIER_ASN", exact: true });
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText('{"type": "banana"}');
    await versions.getByRole("button", { name: /Save as v/ }).click();
    await expect(versions.getByRole("alert")).toContainText("Not a usable JSON Schema");
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(JSON.stringify({ type: "object", required: ["asnNumber"], $comment: `asked by ${code}` }));
    await versions.getByRole("button", { name: /Save as v/ }).click();
    await expect(versions.getByRole("button", { name: "New version…" })).toBeVisible(); // saved: the editor closed
    await expect(versions.getByTestId("patch")).toContainText("/$comment");
    await expect(versions.getByTestId("patch")).toContainText(`"asked by ${code}"`);

    await page.goto("/audit");
    for (const type of ["plant.created", "connector.created", "connector.key_issued", "interface.updated", "interface.schema_added"]) {
      await expect(page.locator(`tr[data-audit-type="${type}"]`).first()).toContainText("admin@andon.local");
    }
    expect(await page.content()).not.toContain(rotated);
  });

  test.describe("in another time zone and language than the server's", () => {
    // The server renders in UTC/en; a browser in Monterrey speaking German shows any time formatted without
    // an explicit zone and locale differently: React then reports a hydration error (#418).
    test.use({ timezoneId: "America/Monterrey", locale: "de-DE" });

    test("an administrator disables and enables a connector, edits its replay limits and rotates its key through the app's dialogs; no hydration error; menus and dialogs pass axe", async ({
      page,
    }) => {
      test.setTimeout(90_000);
      const browserDialogs: string[] = [];
      page.on("dialog", (d) => {
        browserDialogs.push(`${d.type()}: ${d.message()}`);
        void d.dismiss();
      });
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));

      await signIn(page.request, "admin@andon.local");
      const code = `T-${Date.now().toString(36).toUpperCase().slice(-6)}`;
      expect((await page.request.post("/api/plants", { data: { code, name: "Disable test plant", timezone: "America/Monterrey" } })).status()).toBe(201);
      const created = await page.request.post("/api/admin/connectors", { data: { plant: code, system: "MES", name: "MES bridge" } });
      expect(created.status()).toBe(201);
      const { key } = (await created.json()) as { key: string };
      const heartbeat = (k: string) =>
        page.request.post("/api/ingest/v1/heartbeat", {
          headers: { authorization: `Bearer ${k}` },
          data: { version: "1.0.0", state: "online", backlog: 0, oldestPendingAgeS: null },
        });
      expect((await heartbeat(key)).status()).toBe(204);

      await page.goto("/admin");
      await expect(page.getByRole("heading", { name: "Administration", level: 1 })).toBeVisible();
      const row = page.locator(`tr[data-connector="${code}:MES"]`);
      await expect(row).toContainText("Online · v1.0.0");
      // Times of the plant's connector in the plant's zone, named (CST/CDT for Monterrey).
      await expect(row).toContainText(/last heartbeat \d{2} \w{3} \d{4}, \d{2}:\d{2} (CST|CDT|GMT-[56])/);
      await expectAccessible(page);

      // The theme menu open: nothing hidden from assistive technology stays focusable.
      await page.getByRole("button", { name: "Colour theme" }).click();
      await expect(page.getByRole("menu")).toBeVisible();
      await expectAccessible(page);
      await page.keyboard.press("Escape");
      await expect(page.getByRole("menu")).toHaveCount(0);

      // Disable: the app's dialog says what happens; the key is refused with 403 from then on.
      await row.getByRole("button", { name: `Disable ${code} MES connector` }).click();
      const disable = page.getByRole("dialog", { name: `Disable ${code} · MES bridge?` });
      await expect(disable).toContainText("its key is refused");
      await expectAccessible(page);
      await disable.getByRole("button", { name: "Disable connector" }).click();
      await expect(disable).toHaveCount(0);
      await expect(row).toHaveAttribute("data-disabled", "true");
      await expect(row).toContainText("Disabled");
      const outcome = page.getByTestId("connectors-outcome");
      await expect(outcome).toContainText(`${code} · MES bridge is disabled`);
      await expect(outcome).toBeFocused();
      await expect(page.getByTestId("announcer")).toContainText("is disabled");
      await expectAccessible(page);
      const refused = await heartbeat(key);
      expect(refused.status()).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("connector_disabled");

      // Enable again: the same key works.
      await row.getByRole("button", { name: `Enable ${code} MES connector` }).click();
      await expect(row).toHaveAttribute("data-disabled", "false");
      await expect(outcome).toContainText("enabled again");
      expect((await heartbeat(key)).status()).toBe(204);

      // Name, replay mode and limits: edited in a dialog, saved explicitly, confirmed on the page.
      await row.getByRole("button", { name: `Edit ${code} MES connector` }).click();
      const edit = page.getByRole("dialog", { name: `Edit ${code} · MES bridge` });
      await expect(edit.getByRole("radio", { name: /Pull/ })).toBeChecked();
      await expectAccessible(page);
      await edit.getByLabel("Name").fill("MES line bridge");
      await edit.getByLabel("Replays per second (1–1,000)").fill("5");
      await edit.getByLabel("Replays at once (1–64)").fill("2");
      await edit.getByRole("button", { name: "Save" }).click();
      await expect(edit).toHaveCount(0);
      await expect(outcome).toContainText(`Saved ${code} · MES line bridge: name “MES line bridge”, replay limits 5 per second, 2 at once.`);
      await expect(page.getByTestId("announcer")).toContainText("Saved");
      await expect(row.getByRole("button", { name: `Edit ${code} MES connector` })).toBeFocused();
      await expect(row.getByTestId("replay-settings")).toContainText("Pull · 5\u00a0/s · 2 at once");
      await page.reload();
      await expect(page.locator(`tr[data-connector="${code}:MES"]`)).toContainText("MES line bridge");
      await expect(page.locator(`tr[data-connector="${code}:MES"]`).getByTestId("replay-settings")).toContainText("5\u00a0/s · 2 at once");

      // Rotate through the app's dialog: the new key takes focus; the old one is refused.
      await page.getByRole("button", { name: `Rotate key of ${code} MES connector` }).click();
      const rotate = page.getByRole("dialog", { name: `Rotate the key of ${code} · MES line bridge?` });
      await expect(rotate).toContainText("is refused from the next request on");
      await expectAccessible(page);
      await rotate.getByRole("button", { name: "Rotate key" }).click();
      const fresh = page.getByTestId("issued-key").getByLabel("Connector key");
      await expect(fresh).toBeFocused();
      const rotated = await fresh.inputValue();
      expect(rotated).not.toBe(key);
      expect((await heartbeat(key)).status()).toBe(401);
      expect((await heartbeat(rotated)).status()).toBe(204);
      await expectAccessible(page);

      const trail = await query<{ type: string }>(
        "SELECT a.type FROM audit_event a JOIN connector c ON c.id::text = a.subject_id JOIN plant p ON p.id = c.plant_id WHERE p.code = $1 AND a.actor_type = 'user' ORDER BY a.id",
        [code],
      );
      expect(trail.map((t) => t.type)).toEqual([
        "connector.created",
        "connector.key_issued",
        "connector.disabled",
        "connector.enabled",
        "connector.updated",
        "connector.key_issued",
      ]);
      expect(browserDialogs, "the browser's own confirm()/alert() must not be used").toEqual([]);
      expect(errors.filter((e) => /#418|hydrat|Minified React error/i.test(e))).toEqual([]);
    });
  });
});
