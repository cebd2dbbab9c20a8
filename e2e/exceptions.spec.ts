import { randomUUID } from "node:crypto";
import { connectorKey, expect, expectAccessible, query, reportFailure, signIn, test } from "./fixtures";

const hop = { source: "ODOO", target: "SAP_ERP" };

test.describe("support journey: triage the exception queue", () => {
  test("an operator finds a failure, takes it, comments, and discards a superseded one; the history shows it all", async ({ page }) => {
    const key = await connectorKey("PL-WRO", "SAP_ERP");
    const bk = `WRO-${randomUUID().slice(0, 6)}`;
    const first = await reportFailure(page.request, key, {
      interface: "GOODS_MOVEMENT",
      hop,
      businessKey: bk,
      code: "M7-021",
      message: "Deficit of SL Unrestricted-use 12 PC : RM-0815 4000 0001",
    });
    const second = await reportFailure(page.request, key, {
      interface: "GOODS_MOVEMENT",
      hop,
      businessKey: bk,
      code: "M7-021",
      message: "Deficit of SL Unrestricted-use 80 PC : RM-7020 4000 0001",
    });

    await signIn(page.request, "operator.wro@andon.local");
    await page.goto("/plants");
    await page.getByRole("link", { name: "Exceptions", exact: true }).click();
    await expect(page).toHaveURL(/\/exceptions$/);
    await page.getByLabel(/Search business key/).fill(bk);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(new RegExp(`q=${bk}`));
    await expect(page.locator("tr[data-exception-row]")).toHaveCount(2);
    await expectAccessible(page);

    // Save this search as a personal view, leave it, and come back through it.
    await page.getByLabel("Name of the new view").fill(`Deficits ${bk}`);
    await page.getByRole("button", { name: "Save view" }).click();
    const saved = page.getByRole("link", { name: `Deficits ${bk}` });
    await expect(saved).toBeVisible();
    await expect(page.getByTestId("announcer")).toHaveText(`View “Deficits ${bk}” saved`);
    await expect(page.getByLabel("Name of the new view")).toBeFocused();
    await page.goto("/exceptions");
    await page.getByRole("link", { name: `Deficits ${bk}` }).click();
    await expect(page).toHaveURL(new RegExp(`q=${bk}`));
    await expect(page.locator("tr[data-exception-row]")).toHaveCount(2);
    await page.getByRole("button", { name: `Delete view Deficits ${bk}` }).click();
    await expect(page.getByRole("link", { name: `Deficits ${bk}` })).toHaveCount(0);
    await expect(page.getByLabel("Name of the new view")).toBeFocused();

    // The group view puts both deficits together.
    await page.getByRole("button", { name: "Groups" }).click();
    const group = page.locator("tr[data-group]");
    await expect(group).toHaveCount(1);
    await expect(group).toContainText("2");
    await page.getByRole("button", { name: /Open group M7-021/ }).click();
    await expect(page).toHaveURL(/fingerprint=/);
    await expect(page.locator("tr[data-exception-row]")).toHaveCount(2);

    await page.goto(`/exceptions/${first}`);
    await expect(page.getByTestId("exception-status")).toHaveText("New");
    await page.getByRole("button", { name: "Assign to me" }).click();
    await expect(page.getByTestId("exception-status")).toHaveText("Triaged");
    await expect(page.getByTestId("assignee")).toHaveText("Assignee: Olga Operator");
    await page.getByLabel("Add a comment").fill("Stock of RM-0815 batch B2026-205 is short; planner informed.");
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    await expect(page.getByText("Stock of RM-0815 batch B2026-205 is short; planner informed.")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Timeline across systems" })).toBeVisible();
    await expect(page.getByLabel("Events in time order")).toContainText("Failed");
    await expectAccessible(page);

    await page.goto(`/exceptions/${second}`);
    await page.getByRole("button", { name: "Discard…" }).click();
    const dialog = page.getByRole("dialog", { name: "Discard this exception" });
    await dialog.getByLabel("Reason (required)").fill("Superseded: the issue was re-posted as a transfer");
    await dialog.getByRole("button", { name: "Discard" }).click();
    await expect(page.getByTestId("exception-status")).toHaveText("Discarded");
    await expect(page.getByTestId("history")).toContainText(
      "Exception discarded by operator.wro@andon.local — “Superseded: the issue was re-posted as a transfer”",
    );
    await expect(page.getByRole("button", { name: "Discard…" })).toHaveCount(0);

    await page.goto(`/exceptions/${first}`);
    await expect(page.getByTestId("history")).toContainText("Exception assigned by operator.wro@andon.local");
    await expect(page.getByTestId("history")).toContainText("Comment added by operator.wro@andon.local");
    const audit = await query<{ type: string }>("SELECT type FROM audit_event WHERE subject_id = $1 ORDER BY id", [first]);
    expect(audit.map((a) => a.type)).toEqual(["exception.opened", "exception.assigned", "exception.commented"]);
  });

  test("plant managers read exceptions of their plants but cannot act; other plants' exceptions do not exist for them", async ({ page }) => {
    const wro = await reportFailure(page.request, await connectorKey("PL-WRO", "SAP_ERP"), {
      interface: "INVOICE_POSTING",
      hop,
      businessKey: `INV-${randomUUID().slice(0, 6)}`,
      code: "F5-201",
      message: "Posting period 2026/10 is not open for company code 4000",
    });
    const clt = await reportFailure(page.request, await connectorKey("US-CLT", "SAP_ERP"), {
      interface: "INVOICE_POSTING",
      hop,
      businessKey: `INV-${randomUUID().slice(0, 6)}`,
      code: "F5-201",
      message: "Posting period 2026/10 is not open for company code 2000",
    });
    await signIn(page.request, "manager@andon.local"); // DE-HAM + PL-WRO, read-only
    await page.goto(`/exceptions/${wro}`);
    await expect(page.getByTestId("exception-status")).toHaveText("New");
    await expect(page.getByRole("button", { name: "Assign to me" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Discard…" })).toHaveCount(0);
    const assign = await page.request.post(`/api/exceptions/${wro}/assign`, { data: { assigneeId: null } });
    expect(assign.status()).toBe(403);
    const res = await page.goto(`/exceptions/${clt}`);
    expect(res?.status()).toBe(404);
    expect((await page.request.post(`/api/exceptions/${clt}/comments`, { data: { body: "hello" } })).status()).toBe(404);
    const list = (await (await page.request.get("/api/exceptions?status=all&limit=200")).json()) as { items: { plantCode: string }[] };
    expect(new Set(list.items.map((i) => i.plantCode))).not.toContain("US-CLT");
  });
});
