import { randomBytes, randomUUID } from "node:crypto";
import { sapReplayHandler, startSapEmulator } from "../connectors/sap";
import { startReplayPushServer } from "../connectors/sdk";
import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

/**
 * Segregation of duties (issue 16): GOODS_MOVEMENT requires approval, so an operator's replay of a
 * technical failure as is is only a request; a second person approves it on the approvals page, and
 * only then does it reach SAP. The history names both people.
 */
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, "");
const goodsMovement = (qty: string) => ({
  idocType: "MBGMCR03",
  control: { DOCNUM: String(Date.now()).slice(-12), MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_HEAD_01: { PSTNG_DATE: today(), DOC_DATE: today() },
  E1BP2017_GM_ITEM_CREATE: [
    { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC", ORDERID: "000001004711" },
  ],
});

test("an operator asks for a replay as is, an approver approves it on the approvals page, and only then it reaches SAP", async ({ page, browser }) => {
  test.setTimeout(60_000);
  const sap = await startSapEmulator({ port: 0 });
  const secret = randomBytes(24).toString("hex");
  const push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  await query(
    `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true FROM plant p, plant_system s
     WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'DE-HAM' AND s.kind = 'SAP_ERP'`,
    [push.url, secret],
  );
  try {
    const id = await reportFailure(page.request, await connectorKey("DE-HAM", "SAP_ERP"), {
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      businessKey: `WH/OUT/${randomUUID().slice(0, 5)}`,
      code: "HTTP-503",
      message: "SAP inbound unavailable",
      category: "technical",
      payload: goodsMovement("7"),
    });

    // The operator: the replay button says it needs approval, and asking sends nothing.
    await signIn(page.request, "operator@andon.local");
    await page.goto(`/exceptions/${id}`);
    await expect(page.getByRole("button", { name: "Replay as is" })).toHaveCount(0);
    await page.getByRole("button", { name: "Request replay (needs approval)" }).click();
    await expect(page.getByTestId("exception-status")).toHaveText("Awaiting approval");
    await expect(page.getByTestId("replay-request")).toContainText("requested by Oskar Operator");
    await expect(page.getByTestId("replay-request")).toContainText("awaiting approval");
    await expect(page.getByTestId("next-step")).toContainText("Waiting for a second person to approve the replay Oskar Operator asked for");
    await expect(page.getByTestId("action-result")).toBeFocused();
    await expect(page.getByRole("button", { name: /Request replay/ })).toHaveCount(0);
    await expectAccessible(page);
    expect(await query("SELECT 1 FROM replay WHERE exception_id = $1", [id])).toEqual([]);
    const [request] = await query<{ id: string }>("SELECT id FROM replay_request WHERE exception_id = $1 AND status = 'REQUESTED'", [id]);
    // Nor may the operator approve it (an approver's decision, never the requester's): refused and audited.
    const own = await page.request.post(`/api/replay-requests/${request!.id}/approve`, { data: { payloadHash: "0".repeat(64) } });
    expect(own.status()).toBe(403);

    const stock = { material: "RM-4711", plant: "1000", storageLocation: "0001" };
    const before = sap.stock(stock);
    // A second person decides on the approvals page, beside the corrections.
    const approver = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    const ap = await approver.newPage();
    try {
      await signIn(ap.request, "approver@andon.local");
      await ap.goto("/approvals");
      await expect(ap.getByRole("heading", { name: "Replay requests" })).toBeVisible();
      const card = ap.locator(`[data-replay-request="${request!.id}"]`);
      await expect(card).toContainText("requested by Oskar Operator");
      await expect(card).toContainText("as is");
      await expect(card.getByTestId("replay-payload")).toContainText('"ENTRY_QNT": "7"');
      // What the replay sends, in business terms, and the error it is meant to get past.
      await expect(card.getByTestId("key-fields")).toContainText("Material");
      await expect(card.getByTestId("key-fields")).toContainText("RM-4711");
      await expect(card.getByTestId("key-fields")).toContainText("7 PC");
      await expect(card.getByTestId("error-it-fixes")).toContainText("SAP inbound unavailable");
      await expectAccessible(ap);
      await card.getByLabel("Comment (required to reject)").fill("SAP is back; send it.");
      await card.getByRole("button", { name: "Approve replay" }).click();
      await expect(card).toHaveCount(0);
    } finally {
      await approver.close();
    }

    // Now it is sent: once, and the exception resolves — on the operator's open page, without a reload.
    await expect(page.getByTestId("exception-status")).toHaveText("Resolved", { timeout: 20_000 });
    await expect(page.getByTestId("replays")).toContainText("Delivered");
    const [{ idempotency_key: key }] = (await query<{ idempotency_key: string }>("SELECT idempotency_key FROM replay WHERE exception_id = $1", [id])) as [
      { idempotency_key: string },
    ];
    expect(sap.applications(key)).toBe(1);
    expect(sap.stock(stock)).toBe(before - 7);
    await expect(page.getByTestId("replay-request")).toContainText("approved by Anna Approver");
    const history = page.getByTestId("history");
    await expect(history).toContainText("Replay approval requested by operator@andon.local");
    await expect(history).toContainText("Replay approval refused by operator@andon.local");
    await expect(history).toContainText("Replay approved by approver@andon.local");
    await expect(history).toContainText("Replay delivered by andon replay");
  } finally {
    await push.close();
    await sap.close();
  }
});
