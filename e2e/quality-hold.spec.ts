import { randomBytes, randomUUID } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";
import { sapReplayHandler, startSapEmulator } from "../connectors/sap";
import { startReplayPushServer } from "../connectors/sdk";
import { LOT, goodsIssue, qualityHold } from "../tests/support/quality-hold";
import { connectorKey, expect, expectAccessible, query, signIn, test } from "./fixtures";

/**
 * Issue 20, SYSTEMS.md scenario 1 in dependency order: QMS releases lot L from its hold, but the release
 * message fails at SAP (its target stock type is wrong); meanwhile two goods issues of L fail (the batch is
 * still locked by the hold). The movements show "blocked by" the hold and cannot be replayed; the hold is
 * corrected, approved by a second person and replayed; SAP releases the batch; the movements are released
 * and replayed by Andon in the order they were first seen; SAP posts each exactly once. Failures reach
 * Andon through the real ingest API with their typed references (refs: { lot }); replays reach the SAP
 * emulator through the SDK's signed push endpoint.
 */
/** A failure as a connector reports it: through the ingest API, with the message's typed references. */
async function report(
  request: APIRequestContext,
  system: string,
  f: {
    interface: string;
    hop: { source: string; target: string };
    category: "business" | "technical";
    code: string;
    message: string;
    payload: unknown;
    at: Date;
  },
) {
  const messageId = `QH-E2E-${randomUUID().slice(0, 8)}`;
  const res = await request.post("/api/ingest/v1/events", {
    headers: { authorization: `Bearer ${await connectorKey("DE-HAM", system)}` },
    data: [
      {
        eventId: randomUUID(),
        correlationId: `corr-${messageId}`,
        messageId,
        interface: f.interface,
        hop: f.hop,
        businessKey: LOT.batch,
        refs: { lot: LOT.batch, material: LOT.material },
        occurredAt: f.at.toISOString(),
        outcome: "failed",
        latencyMs: 800,
        attempt: 1,
        error: { category: f.category, code: f.code, message: f.message },
        payload: f.payload,
      },
    ],
  });
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
  const [row] = await query<{ id: string }>("SELECT e.id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id = $1", [
    messageId,
  ]);
  return { id: row!.id, messageId };
}

test("a quality hold blocks the goods issues of its lot until it is delivered; then they replay in order and SAP posts each once", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const sap = await startSapEmulator({ port: 0 });
  const secret = randomBytes(24).toString("hex");
  const push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  await query(
    `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true, replay_failures = 0, replay_paused_until = NULL
     FROM plant p, plant_system s WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'DE-HAM' AND s.kind = 'SAP_ERP'`,
    [push.url, secret],
  );
  // The goods movements replay on release, without a second person (an administrator's setting for this plant's line; put back after).
  const [gm] = await query<{ requires_approval: boolean; auto_replay_on_release: boolean }>(
    "SELECT requires_approval, auto_replay_on_release FROM interface WHERE code = 'GOODS_MOVEMENT'",
  );
  await query("UPDATE interface SET requires_approval = false, auto_replay_on_release = true WHERE code = 'GOODS_MOVEMENT'");
  try {
    // SAP holds the lot (blocked stock).
    const held = await sapReplayHandler(sap.url).deliver({
      replayId: randomUUID(),
      idempotencyKey: `qh-e2e-${randomUUID()}`,
      plantCode: "DE-HAM",
      interface: "QUALITY_HOLD",
      messageId: "qh-e2e-hold",
      correlationId: randomUUID(),
      payload: qualityHold("HOLD"),
      attempt: 1,
    });
    expect(held.status).toBe("delivered");
    const t0 = Date.now() - 60_000;
    // The QMS's release of the lot fails at SAP; then two goods issues of the lot fail (the batch is still locked).
    const release = await report(page.request, "QMS", {
      interface: "QUALITY_HOLD",
      hop: { source: "QMS", target: "SAP_ERP" },
      category: "business",
      code: "QHOLD-TARGET",
      message: "RELEASE moves stock to UNRESTRICTED or QUALITY_INSPECTION, not BLOCKED",
      payload: qualityHold("RELEASE", { targetStockType: "BLOCKED" }),
      at: new Date(t0),
    });
    const issue = (kg: string, n: number) =>
      report(page.request, "ODOO", {
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        category: "technical",
        code: "M3/897",
        message: `The plant data of material ${LOT.material} batch ${LOT.batch} is locked by user QM_HOLD`,
        payload: goodsIssue(kg, `GI-E2E-${n}-${randomUUID().slice(0, 4)}`),
        at: new Date(t0 + n * 1000),
      });
    const first = await issue("6", 1);
    const second = await issue("4", 2);

    // In the queue the movements say they wait (the hold does not); the operator opens the first one:
    // blocked by the hold, and it cannot be replayed.
    await signIn(page.request, "operator@andon.local");
    await page.goto(`/exceptions?q=${first.messageId}`);
    await expect(page.locator(`tr[data-exception-row="${first.id}"]`).getByTestId("waiting")).toHaveText("Waiting on 1");
    await page.goto(`/exceptions?q=${release.messageId}`);
    await expect(page.locator(`tr[data-exception-row="${release.id}"]`)).toBeVisible();
    await expect(page.locator(`tr[data-exception-row="${release.id}"]`).getByTestId("waiting")).toHaveCount(0);
    await page.goto(`/exceptions/${first.id}`);
    const blockedBy = page.getByTestId("blocked-by");
    await expect(blockedBy).toContainText("Blocked by");
    await expect(blockedBy.getByRole("link", { name: `QUALITY_HOLD ${release.messageId}` })).toBeVisible();
    await expect(blockedBy).toContainText(`Lot ${LOT.batch}`);
    await expect(page.getByRole("button", { name: /^Replay/ }).first()).toBeDisabled();
    await expectAccessible(page);
    for (const m of [first, second]) {
      const refused = await page.request.post(`/api/exceptions/${m.id}/replay`, { data: {} });
      expect(refused.status()).toBe(409);
      expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: "blocked_by_prerequisite",
        message: expect.stringContaining(`QUALITY_HOLD ${release.messageId}`),
      });
    }
    // The hold's page says what it blocks.
    const holdPage = await browser.newPage({ baseURL: test.info().project.use.baseURL });
    await signIn(holdPage.request, "operator@andon.local");
    await holdPage.goto(`/exceptions/${release.id}`);
    await expect(holdPage.getByTestId("blocks")).toContainText(`GOODS_MOVEMENT ${first.messageId}`);
    await expect(holdPage.getByTestId("blocks")).toContainText(`GOODS_MOVEMENT ${second.messageId}`);
    await holdPage.close();

    // The hold is corrected (the operator), approved (an approver) and replayed (the operator).
    const saved = (
      (await (await page.request.post(`/api/exceptions/${release.id}/correction`, { data: { payload: qualityHold("RELEASE") } })).json()) as {
        correction: { id: string; payloadHash: string };
      }
    ).correction;
    expect(
      (await page.request.post(`/api/corrections/${saved.id}/submit`, { data: { reason: "A release moves the lot to unrestricted stock." } })).status(),
    ).toBe(200);
    const approverCtx = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    await signIn(approverCtx.request, "approver@andon.local");
    expect(
      (
        await approverCtx.request.post(`/api/corrections/${saved.id}/approve`, { data: { payloadHash: saved.payloadHash, comment: "Retest is in spec." } })
      ).status(),
    ).toBe(200);
    await approverCtx.close();
    expect((await page.request.post(`/api/exceptions/${release.id}/replay`, { data: {} })).status()).toBeLessThan(300);

    // Followed live on the open movement page: released, then replayed by Andon and resolved, without a reload.
    await expect(page.getByTestId("exception-status")).toHaveText("Resolved", { timeout: 30_000 });
    await expect(page.getByTestId("blocked-by")).toHaveCount(0);
    // The hold and the first movement are resolved; the second, replayed after the first, follows.
    const rows = await query<{ id: string; status: string }>("SELECT id, status FROM exception WHERE id = ANY($1::uuid[])", [[release.id, first.id]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [release.id]: "RESOLVED", [first.id]: "RESOLVED" });
    await expect
      .poll(async () => (await query<{ n: number }>("SELECT count(*)::int AS n FROM exception WHERE id = $1 AND status = 'RESOLVED'", [second.id]))[0]!.n)
      .toBe(1);
    const released = await query<{ subject_id: string }>("SELECT subject_id FROM audit_event WHERE type = 'exception.released' AND subject_id = ANY($1)", [
      [first.id, second.id],
    ]);
    expect(released.map((r) => r.subject_id).sort()).toEqual([first.id, second.id].sort());
    // Queued in order (first seen first), each posted exactly once.
    const requested = await query<{ subject_id: string; actor_label: string }>(
      "SELECT subject_id, actor_label FROM audit_event WHERE type = 'replay.requested' AND subject_id = ANY($1) ORDER BY id",
      [[first.id, second.id]],
    );
    expect(requested).toEqual([
      { subject_id: first.id, actor_label: "andon dependencies" },
      { subject_id: second.id, actor_label: "andon dependencies" },
    ]);
    const keys = await query<{ idempotency_key: string }>("SELECT idempotency_key FROM replay WHERE exception_id = ANY($1)", [[first.id, second.id]]);
    for (const k of keys) expect(sap.applications(k.idempotency_key)).toBe(1);
    const issues = sap.materialDocuments().flatMap((d) => d.items.filter((i) => i.movementType === "261" && i.batch === LOT.batch).map((i) => i.quantity));
    // Queued in that order; the two are siblings (same depth), which the target may receive side by side: each posted once.
    expect(issues.sort((a, b) => a - b)).toEqual([4000, 6000]);
    await expectAccessible(page);
  } finally {
    await query("UPDATE interface SET requires_approval = $1, auto_replay_on_release = $2 WHERE code = 'GOODS_MOVEMENT'", [
      gm!.requires_approval,
      gm!.auto_replay_on_release,
    ]);
    await push.close();
    await sap.close();
  }
});
