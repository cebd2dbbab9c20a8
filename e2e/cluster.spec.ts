import { type ChildProcess, fork, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { goodsMovement, sampleItem } from "../connectors/sap/test-support";
import { createFreshDatabase, withDatabase } from "../tests/support/database";
import { connectorKey, expect, query, signIn, test } from "./fixtures";

/**
 * Several instances on one database (issue 7): two portal instances, A and B, on their own ports
 * against a database of their own (not the suite's server's). An event ingested on A reaches a
 * browser connected to B (socket.io cluster adapter over PostgreSQL LISTEN/NOTIFY); 1,000 replays
 * requested through A and B are each applied once at the target (SAP emulator behind the SDK's
 * push endpoint, in its own process), although A is SIGKILLed while delivering: B takes over the
 * jobs A held once they expire (ANDON_REPLAY_JOB_EXPIRE_S) and delivers them with the same keys.
 */
test.describe.configure({ mode: "serial", timeout: 240_000 });

type Instance = { name: string; url: string; child: ChildProcess; output: () => string };
const PLANTS = ["DE-HAM", "US-CLT", "PL-WRO"];
let fresh: { url: string; drop: () => Promise<void> };
let target: ChildProcess;
let targetUrl: string;
const secret = randomBytes(24).toString("hex");
const instances: Instance[] = [];

const sql = <T extends pg.QueryResultRow>(text: string, params: unknown[] = []) => query<T>(text, params, fresh.url);

async function startInstance(name: string, port: number): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: fresh.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      ROLE: "all",
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: "e2e-only-secret-0123456789abcdef0123456789",
      ANDON_DEMO: "true",
      ANDON_SIM: "false",
      ANDON_DB_ROLE: "andon_app",
      ANDON_DATA_DIR: ".andon/e2e-cluster",
      ANDON_REPLAY_JOB_EXPIRE_S: "20",
      ANDON_QUEUE_MAINTENANCE_S: "2",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (!running(child)) throw new Error(`instance ${name} exited (${child.exitCode ?? child.signalCode}):\n${out}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`instance ${name} did not become healthy:\n${out}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const instance = { name, url, child, output: () => out };
  instances.push(instance);
  return instance;
}

const sapKey = (plant: string) => connectorKey(plant, "SAP_ERP", fresh.url);

const failure = (i: number, tag: string) => ({
  eventId: randomUUID(),
  correlationId: randomUUID(),
  messageId: `CL-${tag}-${i}`,
  businessKey: `CL-${tag}-${i}`,
  interface: "GOODS_MOVEMENT",
  hop: { source: "ODOO", target: "SAP_ERP" },
  occurredAt: new Date().toISOString(),
  outcome: "failed",
  latencyMs: 30_000,
  attempt: 3,
  error: { category: "technical", code: "HTTP-503", message: "SAP inbound unavailable" },
  payload: goodsMovement([sampleItem({ ENTRY_QNT: "1" })]),
});

let A: Instance;
let B: Instance;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  fresh = await createFreshDatabase(withDatabase(process.env.E2E_DATABASE_URL!, "postgres"), "andon_e2e_cluster");
  target = fork("bench/support/sap-target.ts", [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, REPLAY_SECRET: secret, STOCK: "1000000", TARGET: "sap" },
  });
  targetUrl = await new Promise<string>((resolve) => target.once("message", (m) => resolve((m as { url: string }).url)));
  const port = Number(process.env.E2E_PORT ?? 3100);
  A = await startInstance("A", port + 11); // A migrates and seeds; B then finds it all in place
  B = await startInstance("B", port + 12);
});

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

test.afterAll(async () => {
  test.setTimeout(60_000);
  const live = instances.filter((i) => running(i.child));
  const exited = live.map((i) => new Promise((r) => i.child.once("exit", r)));
  for (const i of live) i.child.kill("SIGTERM");
  await Promise.all(exited);
  target?.disconnect();
  await fresh?.drop();
});

test("a failure ingested on instance A reaches a browser connected to instance B, live", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: B.url });
  const page = await context.newPage();
  await signIn(context.request, "manager@andon.local");
  await page.goto("/dashboard");
  const tile = page.locator('[data-plant-tile="DE-HAM"]');
  await expect(page.locator('[data-status="connected"]')).toBeVisible();
  await page.waitForTimeout(300); // rooms are joined right after connecting
  const before = Number(await tile.getByTestId("tile-open").textContent());
  const key = await sapKey("DE-HAM");
  const res = await fetch(`${A.url}/api/ingest/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify([failure(0, randomUUID().slice(0, 8))]),
  });
  expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
  // Well within the dashboard's 60 s refetch: only the live event can bring it this fast.
  await expect(tile.getByTestId("tile-open")).toHaveText(String(before + 1), { timeout: 5_000 });
  await context.close();
});

test("1,000 replays are each applied once although instance A is killed while delivering; B finishes A's work", async ({ playwright }) => {
  const N = 1000;
  const tag = randomUUID().slice(0, 8);
  await sql(
    `UPDATE connector c SET replay_url = $1, replay_secret = $2, replay_allow_private = true, replay_rate_per_sec = 20, replay_concurrency = 4
     FROM plant p, plant_system s WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = ANY($3) AND s.kind = 'SAP_ERP'`,
    [targetUrl, secret, PLANTS],
  );
  await sql("UPDATE interface SET requires_approval = false WHERE code = 'GOODS_MOVEMENT'"); // this database's own: delivery, not approval, is tested here
  for (const [p, plant] of PLANTS.entries()) {
    const key = await sapKey(plant);
    const events = Array.from({ length: Math.ceil(N / PLANTS.length) }, (_, j) => j * PLANTS.length + p)
      .filter((i) => i < N)
      .map((i) => failure(i, tag));
    const res = await fetch(`${A.url}/api/ingest/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    expect(((await res.json()) as { accepted: number }).accepted).toBe(events.length);
  }
  // An approver replays them in bulk, half the selection through each instance.
  const ids = (
    await sql<{ id: string }>("SELECT e.id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id LIKE $1 ORDER BY e.id", [
      `CL-${tag}-%`,
    ])
  ).map((r) => r.id);
  expect(ids).toHaveLength(N);
  for (const [i, instance] of [A, B].entries()) {
    const ctx = await playwright.request.newContext({ baseURL: instance.url });
    await signIn(ctx, "approver@andon.local");
    const res = await ctx.post("/api/bulk", { data: { kind: "REPLAY", selection: { ids: ids.slice(i * 500, i * 500 + 500) }, params: {} } });
    expect(res.status(), await res.text()).toBeLessThan(300);
    await ctx.dispose();
  }
  const count = async (status: string) =>
    Number(
      (
        await sql<{ n: string }>(
          "SELECT count(*) AS n FROM replay r JOIN exception e ON e.id = r.exception_id WHERE e.id = ANY($1) AND r.status = $2::replay_status",
          [ids, status],
        )
      )[0]!.n,
    );
  // Kill A once deliveries are under way (about 60/s at 20/s per target): it holds jobs it has not finished.
  const t0 = Date.now();
  while ((await count("SUCCEEDED")) < 150) {
    expect(Date.now() - t0, "deliveries did not start").toBeLessThan(60_000);
    await new Promise((r) => setTimeout(r, 100));
  }
  A.child.kill("SIGKILL");
  const killedAt = await count("SUCCEEDED");
  const done = async () => Number((await sql<{ n: string }>("SELECT count(*) AS n FROM exception WHERE id = ANY($1) AND status = 'RESOLVED'", [ids]))[0]!.n);
  const t1 = Date.now();
  while ((await done()) < N) {
    expect(Date.now() - t1, `${await done()}/${N} resolved 150 s after A was killed\n${B.output()}`).toBeLessThan(150_000);
    await new Promise((r) => setTimeout(r, 500));
  }
  const replays = await sql<{ idempotency_key: string; status: string }>("SELECT r.idempotency_key, r.status FROM replay r WHERE r.exception_id = ANY($1)", [
    ids,
  ]);
  expect(replays).toHaveLength(N); // one replay per exception, none lost, none doubled
  expect(replays.filter((r) => r.status !== "SUCCEEDED")).toEqual([]);
  const report = await new Promise<{ applications: number[] }>((resolve) => {
    target.once("message", (m) => resolve(m as { applications: number[] }));
    target.send({ report: replays.map((r) => r.idempotency_key) });
  });
  const applied = report.applications;
  console.log(
    `cluster: ${N} replays, A killed after ${killedAt} delivered; B finished the rest in ${((Date.now() - t1) / 1000).toFixed(1)} s; ` +
      `applied once ${applied.filter((n) => n === 1).length}, twice or more ${applied.filter((n) => n > 1).length}, never ${applied.filter((n) => n === 0).length}`,
  );
  expect(applied.filter((n) => n !== 1)).toEqual([]);
});
