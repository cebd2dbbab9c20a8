import { randomBytes, randomUUID } from "node:crypto";
import { sapReplayHandler, startSapEmulator } from "../connectors/sap";
import { startReplayPushServer } from "../connectors/sdk";
import type { Page } from "@playwright/test";
import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

const goodsMovement = (qty: string) => ({
  idocType: "MBGMCR03",
  control: { DOCNUM: "0000000004712001", MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_HEAD_01: {
    PSTNG_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
    DOC_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
  },
  E1BP2017_GM_ITEM_CREATE: [
    { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC", ORDERID: "000001004711" },
  ],
});

async function deficit(page: Page): Promise<string> {
  return reportFailure(page.request, await connectorKey("DE-HAM", "SAP_ERP"), {
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    businessKey: `WH/OUT/${randomUUID().slice(0, 5)}`,
    code: "M7-021",
    message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
    payload: goodsMovement("512"),
  });
}

async function editPayload(page: Page, payload: unknown) {
  const editor = page.getByRole("textbox", { name: "Corrected payload JSON", exact: true });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(JSON.stringify(payload, null, 2));
}

test.describe("correct → approve (four eyes)", () => {
  test("an operator corrects a stock deficit, a second person approves, the replay reaches SAP, and the history shows each step", async ({ page, browser }) => {
    test.setTimeout(60_000);
    // The plant side: SAP (emulated) and the SAP connector's push endpoint for replays.
    const sap = await startSapEmulator({ port: 0 });
    const secret = randomBytes(24).toString("hex");
    const push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
    await query(
      `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true FROM plant p, plant_system s
       WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'DE-HAM' AND s.kind = 'SAP_ERP'`,
      [push.url, secret],
    );
    // The second replay at the end goes without a second person here (e2e/replay-approval.spec.ts shows that approval); restored below.
    await query("UPDATE interface SET requires_approval = false WHERE code = 'GOODS_MOVEMENT'");
    try {
      const id = await deficit(page);
      await signIn(page.request, "operator@andon.local");
      await page.goto(`/exceptions/${id}`);

      // An invalid edit is flagged live and cannot be submitted.
      await editPayload(page, { ...goodsMovement("-12"), E1BP2017_GM_ITEM_CREATE: [{ ...goodsMovement("x").E1BP2017_GM_ITEM_CREATE[0], ENTRY_QNT: "-12" }] });
      await expect(page.getByTestId("schema-result")).toContainText("/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT");
      await page.getByLabel("Reason for the change (at least 10 characters)").fill("Reduce the issue to the stock on hand (500 PC).");
      await expect(page.getByRole("button", { name: "Submit for approval" })).toBeDisabled();

      await editPayload(page, goodsMovement("500"));
      await expect(page.getByTestId("schema-result")).toHaveText("Matches the interface schema.");
      const diff = page.getByTestId("patch");
      await expect(diff).toContainText("/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT");
      await expect(diff).toContainText('"512"');
      await expect(diff).toContainText('"500"');
      await expectAccessible(page);
      await page.getByRole("button", { name: "Submit for approval" }).click();
      await expect(page.getByTestId("exception-status")).toHaveText("Awaiting approval");
      await expect(page.getByTestId("correction-status")).toContainText("Awaiting approval");

      // The author cannot approve their own correction: refused by the server and audited.
      const [{ id: correctionId }] = (await query<{ id: string }>("SELECT id FROM correction WHERE exception_id = $1 AND status = 'SUBMITTED'", [id])) as [
        { id: string },
      ];
      const own = await page.request.post(`/api/corrections/${correctionId}/approve`, { data: {} });
      expect(own.status()).toBe(403);
      expect(((await own.json()) as { error: { message: string } }).error.message).toMatch(/own correction/);

      // A second person (the approver) decides on the approvals page.
      const approver = await browser.newContext({ baseURL: test.info().project.use.baseURL });
      const ap = await approver.newPage();
      try {
        await signIn(ap.request, "approver@andon.local");
        await ap.goto("/approvals");
        const card = ap.locator(`[data-correction="${correctionId}"]`);
        await expect(card.getByTestId("patch")).toContainText('"500"');
        await expectAccessible(ap);
        await card.getByLabel("Comment (required to reject)").fill("Agreed with the planner.");
        await card.getByRole("button", { name: "Approve" }).click();
        await expect(card).toHaveCount(0);
      } finally {
        await approver.close();
      }

      // The operator's page follows the decision live.
      await expect(page.getByTestId("exception-status")).toHaveText("Approved");
      const history = page.getByTestId("history");
      await expect(history).toContainText("Correction saved by operator@andon.local");
      await expect(history).toContainText("Correction submitted for approval by operator@andon.local");
      await expect(history).toContainText("Approval refused by operator@andon.local — the approver wrote it (four-eyes: someone else must decide)");
      await expect(history).toContainText("Correction approved by approver@andon.local");

      // Replay the approved correction: it reaches SAP once and the exception is resolved.
      const stock = { material: "RM-4711", plant: "1000", storageLocation: "0001" };
      const before = sap.stock(stock);
      await page.getByRole("button", { name: "Replay corrected message" }).click();
      await expect(page.getByTestId("exception-status")).toHaveText("Resolved", { timeout: 20_000 });
      await expect(page.getByTestId("replays")).toContainText("Delivered");
      const [{ idempotency_key: key }] = (await query<{ idempotency_key: string }>("SELECT idempotency_key FROM replay WHERE exception_id = $1", [id])) as [
        { idempotency_key: string },
      ];
      expect(sap.applications(key)).toBe(1);
      expect(sap.stock(stock)).toBe(before - 500);
      await expect(history).toContainText("Replay requested by operator@andon.local");
      await expect(history).toContainText("Replay delivered by andon replay");

      // Sending it again needs a reason; SAP recognises the same document and refuses to post it twice.
      await page.getByRole("button", { name: "Replay again…" }).click();
      const again = page.getByRole("dialog", { name: "Replay a resolved transaction again" });
      await again.getByLabel("Reason (required)").fill("Check that SAP refuses a duplicate posting");
      await again.getByRole("button", { name: "Replay again" }).click();
      await expect(page.getByTestId("exception-status")).toHaveText("Replay failed", { timeout: 20_000 });
      expect(sap.stock(stock)).toBe(before - 500);
      await expect(history).toContainText("Replay failed by andon replay");
    } finally {
      await query("UPDATE interface SET requires_approval = true WHERE code = 'GOODS_MOVEMENT'");
      await push.close();
      await sap.close();
    }
  });

  test("a dry-run refusal is shown to the approver, and approval without an override reason is refused", async ({ page, browser }) => {
    test.setTimeout(60_000);
    const sap = await startSapEmulator({ port: 0 });
    const secret = randomBytes(24).toString("hex");
    const push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
    await query(
      `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true FROM plant p, plant_system s
       WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'DE-HAM' AND s.kind = 'SAP_ERP'`,
      [push.url, secret],
    );
    const approverContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    try {
      // The operator's correction still asks for more than the 500 PC on stock.
      const id = await deficit(page);
      await signIn(page.request, "operator@andon.local");
      const saved = await page.request.post(`/api/exceptions/${id}/correction`, { data: { payload: goodsMovement("600") } });
      expect(saved.ok()).toBe(true);
      const correctionId = ((await saved.json()) as { correction: { id: string } }).correction.id;
      expect((await page.request.post(`/api/corrections/${correctionId}/submit`, { data: { reason: "The order needs 600 PC today." } })).ok()).toBe(true);

      const ap = await approverContext.newPage();
      await signIn(ap.request, "approver@andon.local");
      await ap.goto("/approvals");
      const card = ap.locator(`[data-correction="${correctionId}"]`);
      await expect(card.getByTestId("dry-run-outcome")).toHaveText("Not checked against the target yet");
      await card.getByRole("button", { name: "Dry run against the target" }).click();
      await expect(card.getByTestId("dry-run-outcome")).toHaveText("Refused by the target");
      await expect(card.getByTestId("dry-run-message")).toContainText("Deficit of SL Unrestricted-use 100 PC : RM-4711 1000 0001");
      expect(sap.stock({ material: "RM-4711", plant: "1000", storageLocation: "0001" })).toBe(500);
      await expectAccessible(ap);

      await card.getByRole("button", { name: "Approve" }).click();
      await expect(card.getByRole("alert")).toContainText("approve it only with an override reason");
      await card.getByTestId("override-reason").fill("Goods receipt of 100 PC is posted before the replay.");
      await card.getByRole("button", { name: "Approve" }).click();
      await expect(card).toHaveCount(0);
      const [row] = (await query<{ status: string; approval_override_reason: string }>(
        "SELECT status, approval_override_reason FROM correction WHERE id = $1",
        [correctionId],
      )) as [{ status: string; approval_override_reason: string }];
      expect(row).toEqual({ status: "APPROVED", approval_override_reason: "Goods receipt of 100 PC is posted before the replay." });
    } finally {
      await approverContext.close();
      await push.close();
      await sap.close();
    }
  });

  test("an approver who authored a correction is not offered its approval: the page says another approver must decide", async ({ page }) => {
    const id = await deficit(page);
    await signIn(page.request, "approver@andon.local");
    await page.goto(`/exceptions/${id}`);
    await editPayload(page, goodsMovement("480"));
    await page.getByLabel("Reason for the change (at least 10 characters)").fill("Issue what is left after the morning shift.");
    await page.getByRole("button", { name: "Submit for approval" }).click();
    await expect(page.getByTestId("exception-status")).toHaveText("Awaiting approval");
    await page.goto("/approvals");
    const [{ id: correctionId }] = (await query<{ id: string }>("SELECT id FROM correction WHERE exception_id = $1", [id])) as [{ id: string }];
    const card = page.locator(`[data-correction="${correctionId}"]`);
    await expect(card).toContainText("your correction");
    await expect(card.getByTestId("decision-not-yours")).toHaveText("You wrote this correction — another approver must decide.");
    await expect(card.getByRole("button", { name: "Approve" })).toHaveCount(0);
    await expectAccessible(page);
    // The server refuses it anyway (and audits the attempt), should anyone call the API directly.
    const own = await page.request.post(`/api/corrections/${correctionId}/approve`, { data: {} });
    expect(own.status()).toBe(403);
    const refused = await query("SELECT 1 FROM audit_event WHERE type = 'correction.approval_refused' AND subject_id = $1", [id]);
    expect(refused).toHaveLength(1);
    // Nor does their own exception page offer it.
    await page.goto(`/exceptions/${id}`);
    await expect(page.getByTestId("submit-confirmation")).toContainText("Submitted for approval");
  });

  test("operators have no approvals page", async ({ page }) => {
    await signIn(page.request, "operator@andon.local");
    await page.goto("/plants");
    await expect(page.getByRole("link", { name: "Approvals" })).toHaveCount(0);
    expect((await page.goto("/approvals"))?.status()).toBe(404);
  });
});
