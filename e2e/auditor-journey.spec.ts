import { randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Locator } from "@playwright/test";
import { sapReplayHandler, startSapEmulator } from "../connectors/sap";
import { goodsMovement, sampleItem } from "../connectors/sap/test-support";
import { startReplayPushServer } from "../connectors/sdk";
import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

const goodsMovementOf = (qty: string) =>
  goodsMovement([sampleItem({ MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC" })]);

// The auditor works from New York; the plant (DE-HAM) is in Berlin: two zones, each named where it is used.
test.use({ timezoneId: "America/New_York" });

/**
 * Issue 17, the auditor's journey by business key: the audit trail's Entity filter takes the business key
 * (and the export follows it), its rows link to the exception and the message and name people, the same
 * approval reads the same on the audit page and the message's page (plant time, zone named), and the
 * message's page follows a replay live to "Delivered". Clicks by the auditor to the message's story:
 * before, the key was silently ignored (the whole trail listed, no row linked anywhere): 5+ clicks through
 * /transactions; now 3 (Audit trail, Apply, the row's message link).
 */
test("an auditor finds a message by business key in the audit trail, follows it to its page and sees it delivered by a replay", async ({ page, browser }) => {
  test.setTimeout(90_000);
  const sap = await startSapEmulator({ port: 0 });
  const secret = randomBytes(24).toString("hex");
  const push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  await query(
    `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true FROM plant p, plant_system s
     WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'DE-HAM' AND s.kind = 'SAP_ERP'`,
    [push.url, secret],
  );
  const base = test.info().project.use.baseURL;
  const op = await browser.newContext({ baseURL: base });
  const ap = await browser.newContext({ baseURL: base });
  try {
    // A goods movement fails; the operator corrects it, the approver approves (the UI journeys of those are tested elsewhere).
    const businessKey = `WH/OUT/AJ-${randomUUID().slice(0, 6)}`;
    const exceptionId = await reportFailure(page.request, await connectorKey("DE-HAM", "SAP_ERP"), {
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      businessKey,
      code: "M7-021",
      message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
      payload: goodsMovementOf("512"),
    });
    const [{ id: operatorId }] = (await query<{ id: string }>("SELECT id FROM app_user WHERE email = 'operator@andon.local'")) as [{ id: string }];
    await signIn(op.request, "operator@andon.local");
    await signIn(ap.request, "approver@andon.local");
    const saved = (
      (await (await op.request.post(`/api/exceptions/${exceptionId}/correction`, { data: { payload: goodsMovementOf("5") } })).json()) as {
        correction: { id: string; payloadHash: string };
      }
    ).correction;
    expect((await op.request.post(`/api/corrections/${saved.id}/submit`, { data: { reason: "Issue only the 5 PC on hand." } })).status()).toBe(200);
    expect(
      (await ap.request.post(`/api/corrections/${saved.id}/approve`, { data: { comment: "Matches the count.", payloadHash: saved.payloadHash } })).status(),
    ).toBe(200);

    // The auditor.
    let clicks = 0;
    const click = async (target: Locator) => {
      clicks++;
      await target.click();
    };
    await signIn(page.request, "auditor@andon.local");
    await page.goto("/");
    await click(page.getByRole("link", { name: "Audit trail", exact: true }));
    await expect(page).toHaveURL(/\/audit$/);
    const filters = page.getByRole("form", { name: "Filter the audit trail" });
    await filters.getByLabel("Entity").fill(businessKey);
    await click(filters.getByRole("button", { name: "Apply" }));
    await expect(page).toHaveURL(/entity=WH%2FOUT%2FAJ-/);

    // Only this message's events, each linking to its exception and its message; focus on the result, read out.
    const rows = page.locator("tbody tr");
    await expect(page.getByTestId("audit-results")).toBeFocused();
    const [{ n }] = (await query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE subject_type = 'exception' AND subject_id = $1", [
      exceptionId,
    ])) as [{ n: number }];
    expect(n).toBeGreaterThanOrEqual(4); // opened, correction saved, submitted, approved
    await expect(page.getByTestId("audit-results")).toHaveText(`${n} events match these filters`);
    await expect(page.getByTestId("announcer")).toHaveText(`${n} events match these filters`);
    await expect(rows).toHaveCount(n);
    await expect(rows.filter({ has: page.getByRole("link", { name: `Message ${businessKey}` }) })).toHaveCount(n);
    await expect(rows.filter({ has: page.getByRole("link", { name: "Exception M7-021" }) })).toHaveCount(n);
    // People by name, never by id.
    const approval = page.locator('tr[data-audit-type="correction.approved"]');
    await expect(approval.getByTestId("audit-actor")).toContainText("Anna Approver");
    await expect(approval.getByTestId("audit-details")).toContainText("Author: Oskar Operator");
    await expect(page.locator("tbody")).not.toContainText(operatorId);
    // Times: the user's zone first (one zone for the list), the plant's beside it — both named.
    await expect(approval.locator("td").nth(1)).toContainText(/GMT-[45]\b/);
    const plantTime = (await approval.getByTestId("plant-time").locator("time").textContent())!;
    expect(plantTime).toMatch(/ CES?T$/);
    await expectAccessible(page);

    // The export carries exactly the page's filter and rows.
    const exportLink = page.getByRole("link", { name: "Export NDJSON" });
    expect(await exportLink.getAttribute("href")).toContain(`entity=${encodeURIComponent(businessKey)}`);
    const download = page.waitForEvent("download");
    await exportLink.click();
    const exported = (await readFile((await (await download).path())!, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; occurredAt: string });
    const shownIds = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-audit-id")));
    expect(exported.map((r) => r.id)).toEqual([...shownIds].reverse());
    expect(exported.every((r) => r.occurredAt.endsWith("Z"))).toBe(true);

    // To the message's page: the same approval at the same time, in the plant's zone, named.
    await click(approval.getByRole("link", { name: `Message ${businessKey}` }));
    await expect(page).toHaveURL(/\/transactions\/corr-.*\?plant=DE-HAM/);
    expect(clicks).toBe(3);
    await expect(page.locator('tr[data-audit-type="correction.approved"]').getByTestId("audit-time")).toHaveText(plantTime);
    await expect(page.getByTestId("correction-author")).toHaveText("Oskar Operator");
    await expect(page.getByTestId("correction-approver")).toHaveText("Anna Approver");
    await expect(page.getByTestId("transaction-status")).toHaveText("Failed");
    await expect(page.getByTestId("transaction-delivered")).toHaveText("not delivered yet");
    await expectAccessible(page);

    // The replay is asked for by others while the auditor watches: the page follows without a reload.
    // (An approved correction goes at once: its approval was the second person's.)
    expect((await op.request.post(`/api/exceptions/${exceptionId}/replay`, { data: {} })).status()).toBe(200);
    await expect(page.getByTestId("transaction-status")).toHaveText("Delivered", { timeout: 30_000 });
    await expect(page.getByTestId("transaction-delivered")).toContainText(/delivered .* CES?T by a replay/);
    await expect(page.getByTestId("replay-status")).toContainText("Delivered");
    await expect(page.getByTestId("replay-attempts")).toContainText("Attempt 1: Push delivery succeeded");
    // The path says how it got there: the connector's failed hop, then Andon's replay to SAP.
    const path = page.getByRole("region", { name: "Hops of this message" }).locator("tbody tr");
    await expect(path).toHaveCount(2);
    await expect(path.nth(0)).toContainText("Odoo → SAP");
    await expect(path.nth(0)).toContainText("Failed");
    await expect(path.nth(1)).toContainText("Andon replay → SAP");
    await expect(path.nth(1)).toContainText("Delivered");
    await expect(page.getByTestId("announcer")).toContainText("is now delivered");
    await expectAccessible(page);

    // The list says so too.
    await page.goto(`/transactions?q=${encodeURIComponent(businessKey)}`);
    const listed = page.locator("tbody tr");
    await expect(listed).toHaveCount(1);
    await expect(listed.getByText("Delivered", { exact: true })).toBeVisible();
    await expect(listed.getByTestId("plant-time")).toContainText(/CES?T/);
    await expectAccessible(page);
  } finally {
    await op.close();
    await ap.close();
    await push.close();
    await sap.close();
  }
});

test("an entity that names nothing is said, and lists nothing, instead of the whole trail", async ({ page }) => {
  await signIn(page.request, "auditor@andon.local");
  await page.goto("/audit");
  const filters = page.getByRole("form", { name: "Filter the audit trail" });
  await filters.getByLabel("Entity").fill("WH/OUT/NO-SUCH-KEY");
  await filters.getByRole("button", { name: "Apply" }).click();
  const problem = page.getByTestId("audit-filter-problem");
  await expect(problem).toContainText('No message in your plants has the business key, message id or correlation id "WH/OUT/NO-SUCH-KEY"');
  await expect(problem).toBeFocused();
  await expect(page.locator("tbody tr")).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Export NDJSON" })).toHaveCount(0);
  await expect(filters.getByLabel("Entity")).toHaveValue("WH/OUT/NO-SUCH-KEY");
  await expectAccessible(page);
  const res = await page.request.get(`/api/audit/export?entity=${encodeURIComponent("WH/OUT/NO-SUCH-KEY")}`);
  expect(res.status()).toBe(400);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unknown_entity");
});
