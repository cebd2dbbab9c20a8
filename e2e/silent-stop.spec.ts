import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import PgBoss from "pg-boss";
import { createIngestClient, type IngestClient } from "../connectors/sdk";
import { connectorKey, expect, expectAccessible, query, signIn, test } from "./fixtures";

/**
 * Issue 19's journey: a flow stops while its connector stays alive. DE-HAM's MES connector keeps sending
 * heartbeats but its operation confirmations (PRODORD_CONFIRM) stop. The real flow monitor, running in
 * the portal's workers, opens a STOPPED finding; the plant manager's dashboard (already open) shows the
 * stopped flow and the process view (already open) turns the plant's order-to-production cell red, both
 * without a reload. Then the manager follows the cell to the findings, opens the finding and
 * acknowledges it; every page passes axe.
 *
 * Timing: the monitor judges flows on per-minute rollups, and its silence rule needs at least one whole
 * minute without traffic (server/monitor/rules.ts), so a stop is seen 60–120 s after the last message.
 * The expectation here has the shortest silence there is (at least 15 messages per 5 minutes), and the test
 * asks the workers for a monitor run every few seconds (the job the once-a-minute schedule sends) instead
 * of waiting for the schedule. No fixed sleeps: every wait polls for its condition.
 */
const PLANT = "DE-HAM";
const IFACE = "PRODORD_CONFIRM";

test("a flow that stops while its connector stays alive shows on the dashboard and turns the process view red, live", async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const dbUrl = process.env.E2E_DATABASE_URL!;
  const [ids] = await query<{ plant_id: string; interface_id: string }>(
    "SELECT p.id AS plant_id, i.id AS interface_id FROM plant p, interface i WHERE p.code = $1 AND i.code = $2",
    [PLANT, IFACE],
  );
  const { plant_id: plantId, interface_id: interfaceId } = ids!;
  // Nothing of an earlier run is left open for this flow.
  await query("DELETE FROM flow_expectation WHERE plant_id = $1 AND interface_id = $2", [plantId, interfaceId]);
  await query(
    "UPDATE finding SET status = 'RESOLVED', resolved_at = now(), resolution = 'e2e_reset' WHERE plant_id = $1 AND interface_id = $2 AND status <> 'RESOLVED'",
    [plantId, interfaceId],
  );

  // The MES connector of the plant: heartbeats every second, a confirmation every second while the line runs.
  const journal = await mkdtemp(path.join(tmpdir(), "andon-e2e-silent-"));
  const client: IngestClient = await createIngestClient({
    baseUrl: baseURL!,
    apiKey: await connectorKey(PLANT, "MES"),
    journalDir: journal,
    connectorVersion: "e2e-silent-stop",
    batchSize: 50,
    flushIntervalMs: 50,
    heartbeatIntervalMs: 1000,
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
  });
  const confirmation = (at: Date) => {
    const id = randomUUID();
    return {
      eventId: id,
      correlationId: `conf-${id}`,
      messageId: `CONF-${id}`,
      interface: IFACE,
      hop: { source: "MES" as const, target: "SAP_ERP" as const },
      businessKey: `1004712/0010/${id.slice(0, 6)}`,
      occurredAt: at.toISOString(),
      outcome: "delivered" as const,
      latencyMs: 800,
      attempt: 1,
    };
  };
  // The line ran before anyone watched: six minutes of confirmations (6 a minute), then live ones.
  await client.send(Array.from({ length: 36 }, (_, i) => confirmation(new Date(Date.now() - (i + 1) * 10_000))));
  await client.flush();
  let running = true;
  const line = setInterval(() => {
    if (running) void client.send([confirmation(new Date())]);
  }, 1000);

  const boss = new PgBoss({ connectionString: dbUrl, schema: "pgboss", supervise: false, schedule: false });
  await boss.start();
  /** Asks the portal's workers for a monitor run now (what the once-a-minute schedule sends). */
  const runMonitor = () => boss.send("monitor.run", {});
  const stoppedFindings = async () =>
    (
      await query<{ n: string }>("SELECT count(*) AS n FROM finding WHERE plant_id = $1 AND interface_id = $2 AND kind = 'STOPPED' AND status <> 'RESOLVED'", [
        plantId,
        interfaceId,
      ])
    )[0]!.n;

  try {
    // The shortest silence there is (one minute): at least 15 confirmations in 5 minutes (the shortest window), at any time.
    await query(
      `INSERT INTO flow_expectation (plant_id, interface_id, window_minutes, min_count, max_count, production_only, enabled, updated_at)
       VALUES ($1, $2, 5, 15, NULL, false, true, now())`,
      [plantId, interfaceId],
    );

    const context = await browser.newContext({ baseURL });
    await signIn(context.request, "manager@andon.local");
    const dashboard = await context.newPage();
    await dashboard.goto("/dashboard");
    const tile = dashboard.locator(`[data-plant-tile="${PLANT}"]`);
    await expect(tile).toBeVisible();
    const processes = await context.newPage();
    await processes.goto("/processes");
    const cell = processes.locator(`[data-cell="${PLANT}:ORDER_TO_PRODUCTION"]`);
    await expect(cell).toBeVisible();
    await expectAccessible(processes);

    // While confirmations flow, a monitor run finds nothing stopped.
    await runMonitor();
    await expect.poll(async () => (await query("SELECT 1 FROM pgboss.job WHERE name = 'monitor.run' AND state IN ('created', 'active')")).length).toBe(0);
    expect(await stoppedFindings()).toBe("0");
    await expect(cell).not.toHaveAttribute("data-state", "stopped");
    await expect(tile.getByTestId("tile-findings").locator('[data-kind="STOPPED"]')).toHaveCount(0);

    // The line stops confirming; the connector keeps sending heartbeats.
    running = false;
    clearInterval(line);
    await client.flush();
    const [{ last }] = (await query<{ last: Date }>(
      "SELECT max(last_heartbeat_at) AS last FROM connector c JOIN plant p ON p.id = c.plant_id WHERE p.code = $1",
      [PLANT],
    )) as [{ last: Date }];
    await expect
      .poll(
        async () => {
          await runMonitor();
          return stoppedFindings();
        },
        { timeout: 180_000, intervals: [3_000] },
      )
      .toBe("1");
    // Heartbeats went on meanwhile: a flow stopped, not a connector down.
    const [{ now }] = (await query<{ now: Date }>("SELECT max(last_heartbeat_at) AS now FROM connector c JOIN plant p ON p.id = c.plant_id WHERE p.code = $1", [
      PLANT,
    ])) as [{ now: Date }];
    expect(now.getTime()).toBeGreaterThan(last.getTime());

    // Both pages show it without a reload.
    await expect(cell).toHaveAttribute("data-state", "stopped", { timeout: 10_000 });
    await expect(cell).toContainText("Stopped");
    await expect(cell).toContainText("1 stopped flow");
    await expect(tile.getByTestId("tile-findings")).toContainText("1 stopped flow", { timeout: 10_000 });
    await expect(tile.getByTestId("tile-findings")).toContainText(IFACE);

    // From the cell to the findings, to the finding; acknowledge it.
    await cell.getByRole("link", { name: /Stopped/ }).click();
    await expect(processes).toHaveURL(/\/findings\?plant=DE-HAM&process=ORDER_TO_PRODUCTION/);
    const item = processes.locator('li[data-kind="STOPPED"]').filter({ hasText: IFACE });
    await expect(item).toHaveCount(1);
    await expectAccessible(processes);
    await item.getByRole("link", { name: new RegExp(IFACE) }).click();
    await expect(processes.getByRole("heading", { name: /PRODORD_CONFIRM at DE-HAM/ })).toBeVisible();
    await expect(processes.getByTestId("finding-flow")).toContainText(/Expected: 15 or more messages per 5\s+min/);
    await expectAccessible(processes);
    await processes.getByRole("button", { name: "Acknowledge" }).click();
    await expect(processes.getByTestId("finding-outcome")).toContainText("Acknowledged");
    await expect(processes.getByTestId("finding-status")).toHaveText("Acknowledged");
    const audit = await query("SELECT 1 FROM audit_event WHERE type = 'finding.acknowledged' AND actor_label = 'manager@andon.local'");
    expect(audit.length).toBeGreaterThan(0);
    // The dashboard, still open, says it is acknowledged.
    await expect(tile.getByTestId("tile-findings")).toContainText("1 acknowledged");
    // The plant page tells the three silences apart: a flow stopped, its connector not down.
    await processes.goto(`/plants/${PLANT}`);
    await expect(processes.locator('[data-silence="flow"]')).toContainText(IFACE);
    await expect(processes.locator('[data-silence="flow"]')).toHaveAttribute("data-active", "true");
    await expect(processes.locator('[data-silence="connector"]')).not.toContainText("MES");
    await expectAccessible(processes);
    await context.close();
  } finally {
    running = false;
    clearInterval(line);
    // Later specs see no expectation for this flow: the next monitor run clears the finding.
    await query("DELETE FROM flow_expectation WHERE plant_id = $1 AND interface_id = $2", [plantId, interfaceId]);
    await runMonitor().catch(() => undefined);
    await boss.stop({ graceful: false }).catch(() => undefined);
    await client.close();
    await rm(journal, { recursive: true, force: true });
  }
});
