import { randomBytes, randomUUID } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { sapReplayHandler, startSapEmulator } from "../connectors/sap";
import { startReplayPushServer } from "../connectors/sdk";
import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

/**
 * Issue 17, the support operator's journey: correct a failed SAP goods movement → a second person
 * approves it, seeing the business fields and the error beside the diff → the replay is seen going to
 * resolved on the operator's open page. No reload anywhere: the pages follow their objects live. Each
 * action moves focus to its outcome (or the next control) and announces it; axe on every state.
 *
 * Clicks (operator's page open, approver on the portal): before issue 17 the operator pressed Assign to
 * me, clicked into the editor, Submit, Replay, and reloaded 2–4 times to see "approved" and "resolved"
 * (4 clicks + 2–4 reloads; the approver 2 clicks and a reload to see a new correction). Now: Assign to
 * me, "Correct the payload" (focused after Assign: Enter), Submit, Replay (4 presses, 0 reloads; the
 * approver 2 clicks, 0 reloads) — counted below.
 */
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, "");
const goodsMovement = (qty: string, docnum: string) => ({
  idocType: "MBGMCR03",
  control: { DOCNUM: docnum, MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_HEAD_01: { PSTNG_DATE: today(), DOC_DATE: today() },
  E1BP2017_GM_ITEM_CREATE: [
    { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC", ORDERID: "000001004711" },
  ],
});

async function withSap<T>(run: (sap: Awaited<ReturnType<typeof startSapEmulator>>) => Promise<T>): Promise<T> {
  const sap = await startSapEmulator({ port: 0 });
  const secret = randomBytes(24).toString("hex");
  const push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  await query(
    `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true, replay_failures = 0, replay_paused_until = NULL
     FROM plant p, plant_system s WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'DE-HAM' AND s.kind = 'SAP_ERP'`,
    [push.url, secret],
  );
  try {
    return await run(sap);
  } finally {
    await push.close();
    await sap.close();
  }
}

async function deficit(page: Page, docnum: string): Promise<{ id: string; businessKey: string }> {
  const businessKey = `WH/OUT/${randomUUID().slice(0, 5)}`;
  const id = await reportFailure(page.request, await connectorKey("DE-HAM", "SAP_ERP"), {
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    businessKey,
    code: "M7-021",
    message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
    payload: goodsMovement("512", docnum),
  });
  return { id, businessKey };
}

/** A page that was never reloaded keeps this mark. */
const markLoaded = (page: Page) => page.evaluate(() => ((window as unknown as { __journey?: number }).__journey = 1));
const stillSamePage = (page: Page) => page.evaluate(() => (window as unknown as { __journey?: number }).__journey);

async function approverPage(browser: Browser) {
  const ctx = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const ap = await ctx.newPage();
  await signIn(ap.request, "approver@andon.local");
  return { ctx, ap };
}

test.describe("operator journey: correct → approve → replay, followed live", () => {
  test("an operator corrects a failed SAP goods movement, an approver approves with context, and the replay is seen resolving without a reload", async ({
    page,
    browser,
  }) => {
    test.setTimeout(90_000);
    await withSap(async (sap) => {
      const docnum = String(Date.now()).slice(-12);
      const { id, businessKey } = await deficit(page, docnum);
      let clicks = 0;
      const click = async (l: ReturnType<Page["getByRole"]>) => {
        clicks++;
        await l.click();
      };

      // The operator opens the failed message: the page leads with the state, the error and the next step.
      await signIn(page.request, "operator@andon.local");
      await page.goto(`/exceptions/${id}`);
      await markLoaded(page);
      const state = page.getByTestId("current-state");
      await expect(page.getByTestId("exception-status")).toHaveText("New");
      await expect(page.getByTestId("current-error")).toContainText("Deficit of SL Unrestricted-use 12 PC");
      await expect(page.getByTestId("next-step")).toContainText("correct the payload and submit it for approval");
      await expect(page.getByTestId("key-fields")).toContainText("RM-4711");
      await expectAccessible(page);

      // Taking it: the outcome is announced and focus moves on to the next step's control.
      await click(state.getByRole("button", { name: "Assign to me" }));
      await expect(page.getByTestId("announcer")).toHaveText("Assigned to you");
      await expect(page.getByTestId("assignee")).toHaveText("Assignee: Oskar Operator");
      await expect(page.getByTestId("exception-status")).toHaveText("Triaged");
      const correct = state.getByRole("button", { name: "Correct the payload" });
      await expect(correct).toBeFocused();

      // The approver has the approvals page open already: the correction will arrive there without a reload.
      const { ctx, ap } = await approverPage(browser);
      await ap.goto("/plants");
      clicks++;
      await ap.getByRole("link", { name: "Approvals" }).click();
      await expect(ap.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
      await markLoaded(ap);

      // "Correct the payload" takes focus to the editor (Enter: the keyboard path).
      clicks++;
      await page.keyboard.press("Enter");
      const editor = page.getByRole("textbox", { name: "Corrected payload JSON", exact: true });
      await expect(editor).toBeFocused();
      await page.keyboard.press("ControlOrMeta+a");
      await page.keyboard.press("Delete");
      await page.keyboard.insertText(JSON.stringify(goodsMovement("5", docnum), null, 2));
      await expect(page.getByTestId("schema-result")).toHaveText("Matches the interface schema.");

      // The reason's minimum is said up front and while typing; Submit says what it still needs.
      const reason = page.getByLabel("Reason for the change (at least 10 characters)");
      await reason.fill("Only 5");
      await expect(page.getByTestId("reason-hint")).toContainText("6 of at least 10 characters: 4 more needed");
      const submit = page.getByRole("button", { name: "Submit for approval" });
      await expect(submit).toBeDisabled();
      await expect(submit).toHaveAccessibleDescription(/a reason of at least 10 characters/);
      await reason.fill("Only 5 PC are on hand; the line agreed to issue 5.");
      await expect(page.getByTestId("reason-hint")).toContainText("long enough");
      await expectAccessible(page);

      // Submit: a confirmation next to where the button was, focused and announced; nothing to press twice.
      await click(submit);
      const confirmation = page.getByTestId("submit-confirmation");
      await expect(confirmation).toContainText("Submitted for approval");
      await expect(confirmation).toBeFocused();
      // Read out: the outcome, or — when the live update lands right after it — the new status it led to.
      await expect(page.getByTestId("announcer")).toContainText(/Submitted for approval|Status: Awaiting approval/);
      await expect(page.getByRole("button", { name: "Submit for approval" })).toHaveCount(0);
      await expect(page.getByTestId("exception-status")).toHaveText("Awaiting approval");
      await expectAccessible(page);
      const audited = async () =>
        (await query<{ type: string }>("SELECT type FROM audit_event WHERE subject_id = $1 AND type LIKE 'correction.%' ORDER BY id", [id])).map((r) => r.type);
      expect(await audited()).toEqual(["correction.saved", "correction.submitted"]);
      // Even a repeated request (a double click that got through, a retry) creates nothing new.
      const [{ id: correctionId }] = (await query<{ id: string }>("SELECT id FROM correction WHERE exception_id = $1", [id])) as [{ id: string }];
      const again = await page.request.post(`/api/corrections/${correctionId}/submit`, {
        data: { reason: "Only 5 PC are on hand; the line agreed to issue 5." },
      });
      expect(again.status()).toBe(200);
      expect(await audited()).toEqual(["correction.saved", "correction.submitted"]);

      // The approver decides with context: key fields (changed ones marked), the error it fixes, the diff.
      try {
        const card = ap.locator(`[data-correction="${correctionId}"]`);
        const fields = card.getByTestId("key-fields");
        await expect(fields.locator("tr", { hasText: "Material" })).toContainText("RM-4711");
        await expect(fields.locator("tr", { hasText: "Plant" })).toContainText("1000");
        await expect(fields.locator("tr", { hasText: "Batch" })).toContainText("—");
        await expect(fields.locator("tr", { hasText: "Order" })).toContainText("000001004711");
        const quantity = fields.locator("tr", { hasText: "Quantity" });
        await expect(quantity).toHaveAttribute("data-changed", "true");
        await expect(quantity).toContainText("512 PC");
        await expect(quantity).toContainText("5 PC");
        await expect(card.getByTestId("error-it-fixes")).toContainText("Deficit of SL Unrestricted-use 12 PC");
        await expect(card.getByTestId("patch")).toContainText('"5"');
        await expect(card).toContainText(businessKey);
        expect(await stillSamePage(ap)).toBe(1);
        await expectAccessible(ap);
        await click(card.getByRole("button", { name: "Approve" }));
        await expect(card).toHaveCount(0);
        await expect(ap.getByTestId("approval-result")).toContainText("Correction approved");
        await expect.poll(() => ap.evaluate(() => document.activeElement?.tagName)).not.toBe("BODY");
        await expectAccessible(ap);
      } finally {
        await ctx.close();
      }

      // The author sees it live: on the page (no reload) and as a notice wherever they are.
      await expect(page.getByTestId("exception-status")).toHaveText("Approved");
      await expect(page.getByTestId("correction-decision")).toContainText("Your correction was approved by Anna Approver");
      await expect(page.getByTestId("correction-status")).toContainText("written by Oskar Operator · approved by Anna Approver");
      await expect(page.getByTestId("decision-notice")).toContainText(`Your correction for GOODS_MOVEMENT ${businessKey} was approved by Anna Approver`);
      await expect(page.getByTestId("next-step")).toContainText("replay it to deliver the corrected message to SAP ERP");
      await expectAccessible(page);

      // Replay: the outcome is announced and focused, then the page follows the replay to resolved.
      const stock = { material: "RM-4711", plant: "1000", storageLocation: "0001" };
      const before = sap.stock(stock);
      await click(state.getByRole("button", { name: "Replay corrected message" }));
      await expect(page.getByTestId("action-result")).toContainText("Replay queued");
      await expect(page.getByTestId("action-result")).toBeFocused();
      await expect(page.getByTestId("exception-status")).toHaveText("Resolved", { timeout: 20_000 });
      await expect(page.getByTestId("next-step")).toContainText("Delivered to SAP ERP");
      await expect(page.getByTestId("replays")).toContainText("Push delivery succeeded: SAP ERP accepted the message");
      await expect(page.getByTestId("announcer")).toContainText("Status: Resolved");
      expect(sap.stock(stock)).toBe(before - 5);
      expect(await stillSamePage(page)).toBe(1);
      await expectAccessible(page);
      // Operator: Assign to me, Correct the payload, Submit, Replay; approver: Approvals, Approve. No reload.
      expect(clicks).toBe(6);
    });
  });

  test("when SAP refuses the corrected message, the page leads with SAP's new error and the next step, not the same replay", async ({ page, browser }) => {
    test.setTimeout(90_000);
    await withSap(async () => {
      const docnum = String(Date.now()).slice(-12);
      const { id } = await deficit(page, docnum);
      await signIn(page.request, "operator@andon.local");
      await page.goto(`/exceptions/${id}`);
      await markLoaded(page);
      // More than SAP has on stock: the correction is valid and approved, and SAP refuses it again.
      const saved = (
        (await (await page.request.post(`/api/exceptions/${id}/correction`, { data: { payload: goodsMovement("99999", docnum) } })).json()) as {
          correction: { id: string; payloadHash: string };
        }
      ).correction;
      expect((await page.request.post(`/api/corrections/${saved.id}/submit`, { data: { reason: "Issue the whole order in one posting." } })).status()).toBe(
        200,
      );
      await expect(page.getByTestId("exception-status")).toHaveText("Awaiting approval");
      const { ctx, ap } = await approverPage(browser);
      try {
        expect((await ap.request.post(`/api/corrections/${saved.id}/approve`, { data: { payloadHash: saved.payloadHash } })).status()).toBe(200);
      } finally {
        await ctx.close();
      }
      const state = page.getByTestId("current-state");
      await state.getByRole("button", { name: "Replay corrected message" }).click();
      await expect(page.getByTestId("exception-status")).toHaveText("Replay failed", { timeout: 20_000 });

      // It leads with the replay's error (SAP's answer now), the first report only below it, and the next step.
      const error = page.getByTestId("current-error");
      await expect(error).toContainText("The last replay failed");
      const latest = page.getByTestId("latest-error");
      await expect(latest).toContainText("SAP ERP refused the message: Deficit of SL Unrestricted-use 99499 PC");
      await expect(latest).not.toContainText("12 PC");
      await expect(page.getByTestId("original-error")).toContainText("Originally reported: M7-021 Deficit of SL Unrestricted-use 12 PC");
      await expect(page.getByTestId("next-step")).toContainText("SAP ERP refused the corrected message: sending it unchanged would fail the same way");
      await expect(page.getByTestId("announcer")).toContainText("Status: Replay failed");
      // The same replay is not offered as is; correcting is the primary action; resending needs a reason.
      await expect(state.getByRole("button", { name: "Replay corrected message" })).toHaveCount(0);
      await expect(state.getByRole("button", { name: "Correct the payload" })).toBeVisible();
      await expect(state.getByRole("button", { name: "Send the same payload again…" })).toBeVisible();
      await expect(state.getByRole("button", { name: "Discard…" })).toBeVisible();
      await expect(page.getByTestId("replays")).toContainText("SAP ERP refused the message:");
      await expect(page.getByTestId("replays")).not.toContainText("HTTP 200");
      expect(await stillSamePage(page)).toBe(1);
      await expectAccessible(page);
      await state.getByRole("button", { name: "Correct the payload" }).click();
      await expect(page.getByRole("textbox", { name: "Corrected payload JSON", exact: true })).toBeFocused();
    });
  });
});
