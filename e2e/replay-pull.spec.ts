import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { startSapEmulator } from "../connectors/sap";
import { connectorKey, expect, query, reportFailure, signIn, test } from "./fixtures";

function runPuller(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "e2e/support/pull-connector.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exited: new Promise<void>((r) => child.once("exit", () => r())) };
}

// Plants behind a firewall: the connector pulls. Killed after SAP posted but before reporting, the job
// comes back after the visibility timeout with the same idempotency key: SAP applies it exactly once.
test("pull mode: a connector SIGKILLed mid-delivery and restarted delivers the replay exactly once", async ({ page, baseURL }) => {
  test.setTimeout(90_000);
  const sap = await startSapEmulator({ port: 0 });
  const key = await connectorKey("US-CLT", "SAP_ERP");
  await query(
    `UPDATE connector c SET replay_url = NULL, replay_secret = NULL FROM plant p, plant_system s WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = 'US-CLT' AND s.kind = 'SAP_ERP'`,
  );
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  const idoc = {
    idocType: "MBGMCR03",
    control: { DOCNUM: String(Date.now()).slice(-12), MESTYP: "MBGMCR", SNDPRN: "ODOO_CLT", RCVPRN: "ERPCLNT100" },
    E1BP2017_GM_HEAD_01: { PSTNG_DATE: today, DOC_DATE: today },
    E1BP2017_GM_CODE: { GM_CODE: "03" },
    E1BP2017_GM_ITEM_CREATE: [
      { MATERIAL: "RM-1001", PLANT: "2000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "40", ENTRY_UOM: "M", ORDERID: "000002001001" },
    ],
  };
  const id = await reportFailure(page.request, key, {
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    businessKey: `CLT-${randomUUID().slice(0, 6)}`,
    code: "IDOC-02",
    message: "Error passing data to port",
    category: "technical",
    payload: idoc,
  });
  const stock = { material: "RM-1001", plant: "2000", storageLocation: "0001" };
  const before = sap.stock(stock);
  const env = { BASE_URL: baseURL!, API_KEY: key, SAP_URL: sap.url, VISIBILITY_S: "3" };
  // About pull delivery, not approval: GOODS_MOVEMENT's replays go without a second person in this test (restored below).
  await query("UPDATE interface SET requires_approval = false WHERE code = 'GOODS_MOVEMENT'");
  try {
    await signIn(page.request, "operator@andon.local");
    const res = await page.request.post(`/api/exceptions/${id}/replay`, { data: {} });
    expect(res.status()).toBe(200);
    expect(((await res.json()) as { mode: string }).mode).toBe("pull");

    const first = runPuller({ ...env, HANG_AFTER_DELIVERY: "1" });
    await expect.poll(() => first.output(), { timeout: 20_000 }).toContain("delivered-to-sap");
    first.child.kill("SIGKILL");
    await first.exited;
    expect(sap.stock(stock)).toBe(before - 40); // SAP posted; Andon was never told
    expect((await query<{ status: string }>("SELECT status FROM exception WHERE id = $1", [id]))[0]!.status).toBe("REPLAYING");

    const second = runPuller(env);
    try {
      await expect
        .poll(async () => (await query<{ status: string }>("SELECT status FROM exception WHERE id = $1", [id]))[0]!.status, { timeout: 30_000 })
        .toBe("RESOLVED");
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
    const [replay] = await query<{ idempotency_key: string; leases: number }>("SELECT idempotency_key, leases FROM replay WHERE exception_id = $1", [id]);
    expect(replay!.leases).toBe(2);
    expect(sap.applications(replay!.idempotency_key)).toBe(1);
    expect(sap.stock(stock)).toBe(before - 40);
    const attempts = await query<{ mode: string; outcome: string }>(
      "SELECT a.mode, a.outcome FROM replay_attempt a JOIN replay r ON r.id = a.replay_id WHERE r.exception_id = $1",
      [id],
    );
    expect(attempts).toEqual([{ mode: "pull", outcome: "delivered" }]);
  } finally {
    await query("UPDATE interface SET requires_approval = true WHERE code = 'GOODS_MOVEMENT'");
    await sap.close();
  }
});

test("pull endpoints: connector key required, only its own jobs, results validated", async ({ request }) => {
  expect((await request.get("/api/connectors/v1/replays?wait=0")).status()).toBe(401);
  const key = await connectorKey("MX-MTY", "WMS");
  const empty = await request.get("/api/connectors/v1/replays?wait=0", { headers: { authorization: `Bearer ${key}` } });
  expect(empty.status()).toBe(200);
  expect(await empty.json()).toEqual({ jobs: [] });
  const bad = await request.post(`/api/connectors/v1/replays/${randomUUID()}/result`, {
    headers: { authorization: `Bearer ${key}` },
    data: { status: "maybe" },
  });
  expect(bad.status()).toBe(400);
  const unknown = await request.post(`/api/connectors/v1/replays/${randomUUID()}/result`, {
    headers: { authorization: `Bearer ${key}` },
    data: { status: "delivered", durationMs: 5 },
  });
  expect(unknown.status()).toBe(404);
});
