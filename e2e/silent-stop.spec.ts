import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DemoKeys } from "../connectors/sim/simulator";
import { expect, expectAccessible, query, signIn, test } from "./fixtures";

/**
 * Issue 19's journey: a flow stops while its connectors stay alive. The plant simulator runs DE-HAM (its
 * emulated MES, SAP, QMS… and their connectors, heartbeating every 10 s) with its MES no longer confirming
 * operations (`--stop-flow DE-HAM:PRODORD_CONFIRM`): every connector keeps its heartbeats and the plant's
 * other flows go on. The line confirmed until 2.5 minutes ago (history sent through the ingest API before the
 * simulator starts). The real flow monitor, running in the portal's workers, opens a STOPPED finding; the
 * plant manager's dashboard (already open) shows the stopped flow and the process view (already open) turns
 * the plant's order-to-production cell red, both without a reload. The manager follows the cell to the
 * findings, opens the finding and acknowledges it; every page passes axe. Then the simulator's MES confirms
 * again (SIGUSR2) and the finding resolves itself ("traffic resumed"), which the dashboard shows live.
 *
 * Timing: the silence rule needs at least one whole minute without traffic (per-minute rollups,
 * server/monitor/rules.ts), which the history's end gives at once, and an administrator asks for monitor
 * runs ("Check flows now", POST /api/admin/monitor/run) instead of waiting for the once-a-minute schedule.
 * The detection delay at the monitor's normal cadence is measured by `npm run bench:silence`. No fixed
 * sleeps: every wait polls for its condition.
 */
const PLANT = "DE-HAM";
const IFACE = "PRODORD_CONFIRM";
/** The demo connectors' keys, written by the portal under test (ANDON_DEMO=true, ANDON_DATA_DIR=.andon/e2e). */
const KEYS_FILE = ".andon/e2e/demo-connector-keys.json";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

test("the simulator stops a flow while its connectors stay alive: the dashboard and the process view show it live, and its recovery", async ({
  browser,
  playwright,
  baseURL,
}) => {
  test.setTimeout(240_000);
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
  // Other specs took some of DE-HAM's connector keys for themselves (fixtures.connectorKey): the plant's
  // connectors get their demo keys back, the ones the simulator holds.
  const keys = JSON.parse(await readFile(KEYS_FILE, "utf8")) as DemoKeys;
  const own = Object.entries(keys).filter(([, k]) => k.plantCode === PLANT);
  expect(own.map(([, k]) => k.system)).toEqual(expect.arrayContaining(["MES", "SAP_ERP"]));
  for (const [id, k] of own) await query("UPDATE connector SET api_key_hash = $1 WHERE id = $2", [sha256(k.key), id]);

  // The line confirmed until 2.5 minutes ago: 12 confirmations a minute over the 7.5 minutes before, reported
  // by SAP's connector (the hop's target reports it) through the ingest API.
  const sapKey = own.find(([, k]) => k.system === "SAP_ERP")![1].key;
  const confirmation = (at: Date) => {
    const id = randomUUID();
    return {
      eventId: id,
      correlationId: `conf-${id}`,
      messageId: `CONF-${id}`,
      interface: IFACE,
      hop: { source: "MES", target: "SAP_ERP" },
      businessKey: `1004712/0010/${id.slice(0, 6)}`,
      occurredAt: at.toISOString(),
      outcome: "delivered",
      latencyMs: 800,
      attempt: 1,
    };
  };
  const stoppedAt = Date.now() - 150_000;
  const history = await fetch(`${baseURL}/api/ingest/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${sapKey}`, "content-type": "application/json" },
    body: JSON.stringify(Array.from({ length: 90 }, (_, i) => confirmation(new Date(stoppedAt - i * 5_000)))),
  });
  expect(history.status).toBe(200);
  expect(((await history.json()) as { accepted: number }).accepted).toBe(90);

  // The simulator: DE-HAM only, calm (no connector outages), its MES not confirming.
  const journal = await mkdtemp(path.join(tmpdir(), "andon-e2e-silent-"));
  let out = "";
  const sim: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "connectors/sim/cli.ts",
      ...["--url", baseURL!, "--keys", KEYS_FILE, "--journal", journal, "--plants", "1", "--rate", "3", "--seed", "19", "--calm"],
      ...["--stop-flow", `${PLANT}:${IFACE}`],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  sim.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  sim.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => sim.once("exit", resolve));

  // An administrator asks for monitor runs (what the once-a-minute schedule does).
  const admin = await playwright.request.newContext({ baseURL });
  await signIn(admin, "admin@andon.local");
  const runMonitor = async () => expect((await admin.post("/api/admin/monitor/run")).status()).toBe(202);
  const stoppedFindings = async () =>
    (
      await query<{ n: string }>("SELECT count(*) AS n FROM finding WHERE plant_id = $1 AND interface_id = $2 AND kind = 'STOPPED' AND status <> 'RESOLVED'", [
        plantId,
        interfaceId,
      ])
    )[0]!.n;

  try {
    // The simulator runs: its connectors heartbeat and report the plant's other flows; PRODORD_CONFIRM stays silent.
    await expect.poll(() => out, { message: "the simulator starts", timeout: 30_000 }).toContain(`${IFACE} stopped at ${PLANT}`);
    const mesHeartbeat = async () =>
      (
        await query<{ at: Date | null }>(
          "SELECT c.last_heartbeat_at AS at FROM connector c JOIN plant p ON p.id = c.plant_id JOIN plant_system s ON s.id = c.system_id WHERE p.code = $1 AND s.kind = 'MES'",
          [PLANT],
        )
      )[0]!.at;
    const started = new Date();
    await expect.poll(async () => ((await mesHeartbeat())?.getTime() ?? 0) >= started.getTime() - 15_000, { timeout: 30_000 }).toBe(true);

    const context = await browser.newContext({ baseURL });
    await signIn(context.request, "manager@andon.local");
    const dashboard = await context.newPage();
    await dashboard.goto("/dashboard");
    const tile = dashboard.locator(`[data-plant-tile="${PLANT}"]`);
    await expect(tile).toBeVisible();
    await expect(tile.getByTestId("tile-findings").locator('[data-kind="STOPPED"]')).toHaveCount(0);
    const processes = await context.newPage();
    await processes.goto("/processes");
    const cell = processes.locator(`[data-cell="${PLANT}:ORDER_TO_PRODUCTION"]`);
    await expect(cell).toBeVisible();
    await expect(cell).not.toHaveAttribute("data-state", "stopped");
    await expectAccessible(processes);

    // What the flow must carry (admin-flows.spec.ts sets one through the page), with the shortest silence there
    // is (one minute): at least 15 confirmations in 5 minutes (the shortest window), at any time. Until now the
    // monitor had nothing to judge this flow by.
    await query(
      `INSERT INTO flow_expectation (plant_id, interface_id, window_minutes, min_count, max_count, production_only, enabled, updated_at)
       VALUES ($1, $2, 5, 15, NULL, false, true, now())`,
      [plantId, interfaceId],
    );

    // The monitor runs (as it does every minute): the flow is stopped, its connector alive.
    await expect
      .poll(
        async () => {
          await runMonitor();
          return stoppedFindings();
        },
        { timeout: 60_000, intervals: [2_000] },
      )
      .toBe("1");
    expect(((await mesHeartbeat())?.getTime() ?? 0) > Date.now() - 60_000).toBe(true);

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

    // The MES confirms again: the finding resolves itself at the next monitor run, and the dashboard says so.
    sim.kill("SIGUSR2");
    await expect.poll(() => out, { timeout: 10_000 }).toContain(`${IFACE} flows again at ${PLANT}`);
    await expect
      .poll(
        async () => {
          await runMonitor();
          return (
            await query<{ resolution: string | null }>(
              "SELECT resolution FROM finding WHERE plant_id = $1 AND interface_id = $2 AND kind = 'STOPPED' ORDER BY opened_at DESC LIMIT 1",
              [plantId, interfaceId],
            )
          )[0]?.resolution;
        },
        { timeout: 60_000, intervals: [2_000] },
      )
      .toBe("traffic_resumed");
    await expect(tile.getByTestId("tile-findings").locator('[data-kind="STOPPED"]')).toHaveCount(0, { timeout: 10_000 });
    await context.close();
  } finally {
    sim.kill("SIGTERM");
    const code = await exited;
    // Later specs see no expectation for this flow: the next monitor run clears the finding.
    await query("DELETE FROM flow_expectation WHERE plant_id = $1 AND interface_id = $2", [plantId, interfaceId]);
    await admin.post("/api/admin/monitor/run").catch(() => undefined);
    await admin.dispose();
    await rm(journal, { recursive: true, force: true });
    expect(code, out).toBe(0);
  }
});
