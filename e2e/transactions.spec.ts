import { randomUUID } from "node:crypto";
import { goodsMovement, sampleItem } from "../connectors/sap/test-support";
import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

const goodsMovementOf = (qty: string) =>
  goodsMovement([sampleItem({ MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC" })]);

/**
 * Auditor journey: a goods movement failed, an operator corrected it and an approver approved it.
 * The auditor searches its business key, opens the message's history, sees who changed what and who
 * approved it, exports the audit trail and verifies the chain.
 */
test.describe("auditor journey: transaction history", () => {
  test("an auditor finds a business key, reads who corrected and approved it, exports and verifies", async ({ page, browser }) => {
    const businessKey = `WH/OUT/AUD-${randomUUID().slice(0, 6)}`;
    const exceptionId = await reportFailure(page.request, await connectorKey("DE-HAM", "SAP_ERP"), {
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      businessKey,
      code: "M7-021",
      message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
      payload: goodsMovementOf("512"),
    });
    // The operator corrects, a second person approves (through the API: the UI journeys are tested elsewhere).
    const op = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    await signIn(op.request, "operator@andon.local");
    const saved = (
      (await (await op.request.post(`/api/exceptions/${exceptionId}/correction`, { data: { payload: goodsMovementOf("500") } })).json()) as {
        correction: { id: string; payloadHash: string };
      }
    ).correction;
    expect((await op.request.post(`/api/corrections/${saved.id}/submit`, { data: { reason: "Issue only the 500 PC on hand." } })).status()).toBe(200);
    const ap = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    await signIn(ap.request, "approver@andon.local");
    expect(
      (
        await ap.request.post(`/api/corrections/${saved.id}/approve`, { data: { comment: "Matches the stock count.", payloadHash: saved.payloadHash } })
      ).status(),
    ).toBe(200);
    await op.close();
    await ap.close();

    await signIn(page.request, "auditor@andon.local");
    await page.goto("/dashboard");
    await page.getByRole("link", { name: "Transactions", exact: true }).click();
    await page.getByLabel("Correlation id, message id or business key").fill(businessKey);
    await page.getByRole("button", { name: "Search" }).click();
    const row = page.locator("tbody tr");
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(businessKey);
    await row.getByRole("link").click();
    await expect(page).toHaveURL(/\/transactions\/corr-/);
    await expect(page.getByTestId("correction-author")).toHaveText("Oskar Operator");
    await expect(page.getByTestId("correction-approver")).toHaveText("Anna Approver");
    await expect(page.locator("[data-correction]")).toContainText("approver@andon.local");
    await expect(page.getByTestId("patch")).toContainText("ENTRY_QNT");
    await expect(page.locator('tr[data-audit-type="correction.approved"]')).toContainText("Anna Approver");
    await expect(page.locator('tr[data-audit-type="correction.approved"]')).toContainText("Author: Oskar Operator");
    await expect(page.locator('tr[data-audit-type="correction.submitted"]')).toContainText("Oskar Operator");
    await expectAccessible(page);

    // The audit trail: export the events of this range and verify the chain.
    await page.getByRole("link", { name: "Audit trail", exact: true }).click();
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export NDJSON" }).click();
    const { readFile } = await import("node:fs/promises");
    const lines = (await readFile((await (await download).path())!, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; subject?: { id: string } | null; subjectId?: string });
    expect(lines.some((l) => l.type === "correction.approved")).toBe(true);
    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Chain intact" })).toBeVisible();
  });

  test("other plants' messages do not exist for a single-plant operator or a manager of another plant; managers read their plants'", async ({ page }) => {
    const [t] = await query<{ correlation_id: string }>(
      "SELECT t.correlation_id FROM business_transaction t JOIN plant p ON p.id = t.plant_id WHERE p.code = 'DE-HAM' LIMIT 1",
    );
    await signIn(page.request, "operator.wro@andon.local");
    expect((await page.goto(`/transactions/${encodeURIComponent(t!.correlation_id)}`))?.status()).toBe(404);
    expect((await page.request.get(`/api/transactions/${encodeURIComponent(t!.correlation_id)}`)).status()).toBe(404);
    expect((await page.request.get("/api/transactions?status=LOST")).status()).toBe(400);
    // Plant managers read their plants' history (issue 20): DE-HAM's manager this message, MX-MTY's manager nothing of it.
    await signIn(page.request, "manager@andon.local");
    expect((await page.request.get("/api/transactions")).status()).toBe(200);
    expect((await page.goto("/transactions"))?.status()).toBe(200);
    expect((await page.request.get(`/api/transactions/${encodeURIComponent(t!.correlation_id)}`)).status()).toBe(200);
    await signIn(page.request, "manager.mty@andon.local");
    expect((await page.goto(`/transactions/${encodeURIComponent(t!.correlation_id)}`))?.status()).toBe(404);
    const rows = ((await (await page.request.get("/api/transactions?limit=200")).json()) as { rows: { plantCode: string }[] }).rows;
    expect(rows.every((r) => r.plantCode === "MX-MTY")).toBe(true);
  });
});
