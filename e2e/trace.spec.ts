import { randomUUID } from "node:crypto";
import { goodsMovement, sampleItem } from "../connectors/sap/test-support";
import { connectorKey, expect, expectAccessible, query, signIn, test } from "./fixtures";

/**
 * Issue 20, traceability: a lot held by the QMS and a goods issue of it that SAP refused, corrected by the
 * operator and approved by the approver; the auditor opens the lot from the exception and reads the whole
 * chain (both interfaces, who corrected and approved), exports it (the page's rows); a plant manager of
 * another plant gets a 404 for the lot, on the page and the API.
 */
test("an auditor opens lot L from an exception and sees its chain across interfaces, with who corrected and approved", async ({ page, browser }) => {
  test.setTimeout(90_000);
  const run = randomUUID().slice(0, 6);
  const lot = `B26-${run}`;
  const issue = (qty: string) =>
    goodsMovement([sampleItem({ MATERIAL: "RM-0815", PLANT: "1000", STGE_LOC: "0001", BATCH: lot, MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "KG" })]);
  const post = async (plantSystem: "QMS" | "ODOO", event: Record<string, unknown>) => {
    const res = await page.request.post("/api/ingest/v1/events", {
      headers: { authorization: `Bearer ${await connectorKey("DE-HAM", plantSystem)}` },
      data: [{ eventId: randomUUID(), occurredAt: new Date().toISOString(), latencyMs: 300, attempt: 1, ...event }],
    });
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
  };
  await post("QMS", {
    correlationId: `qh-${run}`,
    messageId: `QH-${run}`,
    interface: "QUALITY_HOLD",
    hop: { source: "QMS", target: "SAP_ERP" },
    businessKey: lot,
    refs: { lot, material: "RM-0815" },
    outcome: "delivered",
  });
  await post("ODOO", {
    correlationId: `gi-${run}`,
    messageId: `GI-${run}`,
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    businessKey: lot,
    refs: { lot, material: "RM-0815" },
    outcome: "failed",
    error: { category: "business", code: "M7-021", message: `Deficit of BA Unrestricted-use 25 KG : RM-0815 1000 0001 ${lot}` },
    payload: issue("25"),
  });
  const [{ id: exceptionId }] = (await query<{ id: string }>(
    "SELECT e.id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id = $1",
    [`GI-${run}`],
  )) as [{ id: string }];

  const base = test.info().project.use.baseURL;
  const op = await browser.newContext({ baseURL: base });
  const ap = await browser.newContext({ baseURL: base });
  const mty = await browser.newContext({ baseURL: base });
  try {
    await signIn(op.request, "operator@andon.local");
    await signIn(ap.request, "approver@andon.local");
    const saved = (
      (await (await op.request.post(`/api/exceptions/${exceptionId}/correction`, { data: { payload: issue("20") } })).json()) as {
        correction: { id: string; payloadHash: string };
      }
    ).correction;
    expect((await op.request.post(`/api/corrections/${saved.id}/submit`, { data: { reason: "Only 20 KG of the lot are unrestricted." } })).status()).toBe(200);
    expect(
      (await ap.request.post(`/api/corrections/${saved.id}/approve`, { data: { comment: "Matches the stock.", payloadHash: saved.payloadHash } })).status(),
    ).toBe(200);

    // The auditor, from the exception to the lot.
    await signIn(page.request, "auditor@andon.local");
    await page.goto(`/exceptions/${exceptionId}`);
    await page.getByTestId("ref-links").getByRole("link", { name: lot }).click();
    await expect(page).toHaveURL(new RegExp(`/trace/lot/${lot}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Lot ${lot}`);
    const messages = page.getByRole("region", { name: "Messages" });
    await expect(messages.locator("tbody tr")).toHaveCount(2);
    await expect(messages.locator(`tr[data-message="QH-${run}"]`)).toContainText("QUALITY_HOLD");
    await expect(messages.locator(`tr[data-message="GI-${run}"]`)).toContainText("M7-021");
    const chain = page.getByTestId("trace-chain");
    await expect(chain.locator('tr[data-source="hop"]')).toHaveCount(2);
    await expect(chain.locator('tr[data-event="correction.submitted"]')).toContainText("Oskar Operator");
    await expect(chain.locator('tr[data-event="correction.approved"]')).toContainText("Anna Approver");
    await expectAccessible(page);

    // The export is the chain's rows, in the same order.
    const exported = (await (await page.request.get(`/api/trace/lot/${lot}?format=ndjson`)).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; occurredAtUtc: string });
    const shown = await chain.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-event")));
    expect(exported.map((r) => r.event)).toEqual(shown);
    expect(exported.every((r) => r.occurredAtUtc.endsWith("Z"))).toBe(true);

    // A plant manager of another plant (MX-MTY): the lot does not exist for them.
    await signIn(mty.request, "manager.mty@andon.local");
    expect((await mty.request.get(`/trace/lot/${lot}`)).status()).toBe(404);
    expect((await mty.request.get(`/api/trace/lot/${lot}`)).status()).toBe(404);
  } finally {
    await Promise.all([op.close(), ap.close(), mty.close()]);
  }
});
