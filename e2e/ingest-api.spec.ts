import { createHash, randomBytes, randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { APIRequestContext } from "@playwright/test";
import { expect, query, test } from "./fixtures";

/** Issues a fresh key for a plant's connector straight in the database (as an admin would). */
async function connectorKey(plantCode: string, system: string): Promise<string> {
  const key = `andon_ck_test_${randomBytes(16).toString("hex")}`;
  const hash = createHash("sha256").update(key).digest("hex");
  const rows = await query(
    `UPDATE connector c SET api_key_hash = $1 FROM plant p, plant_system s
     WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = $2 AND s.kind = $3::system_kind RETURNING c.id`,
    [hash, plantCode, system],
  );
  expect(rows).toHaveLength(1);
  return key;
}

function event(over: Record<string, unknown> = {}) {
  const messageId = `MSG-${randomUUID()}`;
  return {
    eventId: randomUUID(),
    correlationId: `corr-${messageId}`,
    messageId,
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    businessKey: "WH/OUT/00412",
    occurredAt: new Date().toISOString(),
    outcome: "delivered",
    latencyMs: 640,
    attempt: 1,
    ...over,
  };
}

const failed = (over: Record<string, unknown> = {}) =>
  event({
    outcome: "failed",
    error: { category: "business", code: "M7-021", message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" },
    payload: { idocType: "MBGMCR03", E1BP2017_GM_ITEM_CREATE: [{ MATERIAL: "RM-4711", ENTRY_QNT: "512" }] },
    ...over,
  });

type Result = { accepted: number; duplicates: number; rejected: { index: number; eventId: string | null; errors: { path: string; message: string }[] }[] };

async function post(request: APIRequestContext, key: string | null, body: string | Buffer, headers: Record<string, string> = {}) {
  return request.post("/api/ingest/v1/events", {
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    data: typeof body === "string" ? Buffer.from(body) : body, // raw bytes: Playwright would re-encode a non-JSON string
  });
}

async function stored(allIds: string[]) {
  const eventIds = allIds.filter((id) => !id.includes("\u0000") && id.isWellFormed()); // unstorable ids were rejected, and cannot be queried either
  const [r] = await query<{ receipts: string; telemetry: string }>(
    `SELECT (SELECT count(*) FROM ingest_receipt WHERE event_id = ANY($1)) AS receipts, (SELECT count(*) FROM telemetry_event WHERE event_id = ANY($1)) AS telemetry`,
    [eventIds],
  );
  return { receipts: Number(r!.receipts), telemetry: Number(r!.telemetry) };
}

test.describe("ingest API contract (/api/ingest/v1)", () => {
  let key: string;
  test.beforeAll(async () => {
    key = await connectorKey("DE-HAM", "ODOO");
  });

  test("publishes its OpenAPI 3.1 document", async ({ request }) => {
    const res = await request.get("/api/ingest/v1/openapi.json");
    expect(res.status()).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: { Event: { required: string[] } } } };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(["/events", "/heartbeat"]);
    expect(doc.components.schemas.Event.required).toEqual(expect.arrayContaining(["eventId", "messageId", "interface", "outcome", "occurredAt"]));
  });

  test("authenticates with the connector key: absent or wrong ⇒ 401", async ({ request }) => {
    expect((await post(request, null, JSON.stringify([event()]))).status()).toBe(401);
    const wrong = await post(request, "andon_ck_nope", JSON.stringify([event()]));
    expect(wrong.status()).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  test("a connector sending another plant's interface gets 403 and nothing is stored", async ({ request }) => {
    const ok = event();
    const res = await post(request, key, JSON.stringify([ok, event({ interface: "SUPPLIER_ASN", hop: { source: "SUPPLIER_PORTAL", target: "ODOO" } })]));
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/DE-HAM.*SUPPLIER_ASN/);
    expect(await stored([ok.eventId])).toEqual({ receipts: 0, telemetry: 0 });
  });

  test("whole-body mistakes are clear 4xx, never 5xx", async ({ request }) => {
    const cases: [string, string | Buffer, Record<string, string>, number, RegExp][] = [
      ["malformed JSON", "[{", {}, 400, /Malformed JSON/],
      ["not an array", JSON.stringify(event()), {}, 400, /array/],
      ["empty array", "[]", {}, 400, /No events/],
      ["invalid UTF-8", Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d]), {}, 400, /UTF-8/],
      ["not gzip", "[]", { "content-encoding": "gzip" }, 400, /gzip/],
      ["unsupported type", "a,b", { "content-type": "text/csv" }, 415, /Content-Type/],
      ["too many events", JSON.stringify(Array.from({ length: 1001 }, () => ({}))), {}, 413, /1000 events/],
      ["too many bytes", JSON.stringify([{ pad: "x".repeat(5 * 1024 * 1024) }]), {}, 413, /5 MB/],
      ["gzip bomb", gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)), { "content-encoding": "gzip" }, 413, /5 MB/],
    ];
    for (const [name, body, headers, status, message] of cases) {
      const res = await post(request, key, body, headers);
      expect(res.status(), name).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message, name).toMatch(message);
    }
  });

  test("rejects bad items one by one and stores the good ones (JSON, NDJSON, gzip)", async ({ request }) => {
    const good = [event(), failed()];
    const bad = [
      { ...event(), latencyMs: "fast" },
      event({ outcome: "failed" }), // no error, no payload
      { ...event(), eventId: 42 },
      event({ interface: "NO_SUCH_INTERFACE" }),
      failed({ payload: { blob: "x".repeat(300 * 1024) } }),
      event({ occurredAt: "yesterday" }),
    ];
    const res = await post(request, key, JSON.stringify([good[0], ...bad, good[1]]));
    expect(res.status()).toBe(200);
    const result = (await res.json()) as Result;
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6]);
    const paths = result.rejected.map((r) =>
      r.errors
        .map((e) => e.path)
        .sort()
        .join("+"),
    );
    expect(paths).toEqual(["latencyMs", "error+payload", "eventId", "interface", "payload", "occurredAt"]);
    expect(await stored(good.map((e) => e.eventId))).toEqual({ receipts: 2, telemetry: 2 });

    const lines = [event(), event()];
    const ndjson = `${JSON.stringify(lines[0])}\n{"eventId": broken\n${JSON.stringify(lines[1])}\n`;
    const nd = await post(request, key, gzipSync(ndjson), { "content-type": "application/x-ndjson", "content-encoding": "gzip" });
    expect(nd.status()).toBe(200);
    const ndResult = (await nd.json()) as Result;
    expect(ndResult.accepted).toBe(2);
    expect(ndResult.rejected).toEqual([{ index: 1, eventId: null, errors: [{ path: "", message: expect.stringMatching(/Malformed JSON line/) }] }]);
  });

  test("the same batch sent three times concurrently is stored once", async ({ request }) => {
    const batch = Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? failed() : event()));
    const body = JSON.stringify(batch);
    const results = await Promise.all([1, 2, 3].map(async () => (await (await post(request, key, body)).json()) as Result));
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(300);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(600);
    expect(await stored(batch.map((e) => e.eventId))).toEqual({ receipts: 300, telemetry: 300 });
    const [tx] = await query<{ n: string }>("SELECT count(*) AS n FROM business_transaction WHERE message_id = ANY($1)", [batch.map((e) => e.messageId)]);
    expect(Number(tx!.n)).toBe(300);
    const [ex] = await query<{ n: string }>(
      "SELECT count(*) AS n FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id = ANY($1)",
      [batch.map((e) => e.messageId)],
    );
    expect(Number(ex!.n)).toBe(30);
  });

  test("10,000 random mutations of valid events: no 5xx, every item accounted for, nothing partially stored", async ({ request }) => {
    test.setTimeout(120_000);
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const junk = [
      null,
      true,
      -1,
      1e308,
      "",
      " ",
      "\u0000",
      "💥".repeat(50),
      [],
      {},
      { nested: { deep: [1, 2, { x: null }] } },
      "2026-13-45T99:99:99Z",
      NaN,
      "A".repeat(5000),
    ];
    const fields = [
      "eventId",
      "correlationId",
      "messageId",
      "interface",
      "hop",
      "businessKey",
      "occurredAt",
      "outcome",
      "latencyMs",
      "attempt",
      "error",
      "payload",
      "extra",
    ];
    const mutate = (e: Record<string, unknown>) => {
      const m: Record<string, unknown> = structuredClone(e);
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) {
        const f = pick(fields);
        const r = rand();
        if (r < 0.3) delete m[f];
        else if (r < 0.8) m[f] = pick(junk);
        else if (f === "hop") m.hop = { source: pick(["ODOO", "SAP", 1]), target: pick(["SAP_ERP", null]) };
        else if (f === "outcome") m.outcome = pick(["failed", "delivered", "retrying", "received", "FAILED"]);
        else m[f] = String(rand());
      }
      return m;
    };
    let fiveHundreds = 0;
    let accounted = 0;
    for (let b = 0; b < 10; b++) {
      const batch = Array.from({ length: 1000 }, () => mutate(rand() < 0.5 ? event() : failed()));
      const res = await post(request, key, JSON.stringify(batch));
      if (res.status() >= 500) fiveHundreds++;
      expect(res.status()).toBe(200);
      const result = (await res.json()) as Result;
      accounted += result.accepted + result.duplicates + result.rejected.length;
      expect(result.accepted + result.duplicates + result.rejected.length).toBe(1000);
      const ids = batch.map((e) => e.eventId).filter((id): id is string => typeof id === "string");
      const s = await stored(ids);
      expect(s.telemetry).toBe(s.receipts); // every stored event has its telemetry row, and nothing else was written
      // Original ids are unique UUIDs (junk ids like " " repeat across batches, so only these prove anything).
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const rejectedIds = result.rejected
        .map((r) => r.eventId)
        .filter((id): id is string => typeof id === "string" && uuid.test(id) && batch.filter((e) => e.eventId === id).length === 1);
      expect((await stored(rejectedIds)).receipts).toBe(0);
    }
    expect(fiveHundreds).toBe(0);
    expect(accounted).toBe(10_000);
  });

  test("a connector registers its push-replay endpoint with its own key (audited)", async ({ request }) => {
    const post = (auth: string | null, body: unknown) =>
      request.post("/api/connectors/v1/replay-endpoint", { headers: auth ? { authorization: `Bearer ${auth}` } : {}, data: body });
    expect((await post(null, { url: "http://127.0.0.1:9/replay", secret: "x".repeat(40) })).status()).toBe(401);
    const bad = await post(key, { url: "ftp://nope", secret: "short" });
    expect(bad.status()).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/url.*http|at least 32/);
    expect((await post(key, { url: "http://127.0.0.1:9/replay", secret: "s".repeat(40) })).status()).toBe(204);
    const audit = await query("SELECT 1 FROM audit_event WHERE type = 'connector.replay_endpoint_registered' AND data->>'url' = 'http://127.0.0.1:9/replay'");
    expect(audit.length).toBeGreaterThan(0);
  });

  test("heartbeats update the connector; invalid ones are 400", async ({ request }) => {
    const hb = (body: unknown) => request.post("/api/ingest/v1/heartbeat", { headers: { authorization: `Bearer ${key}` }, data: body });
    expect((await hb({ version: "1.4.2", state: "degraded", backlog: 120, oldestPendingAgeS: 42.5 })).status()).toBe(204);
    const [c] = await query<{ state: string; version: string; reported_backlog: number }>(
      `SELECT c.state, c.version, c.reported_backlog FROM connector c JOIN plant p ON p.id = c.plant_id JOIN plant_system s ON s.id = c.system_id WHERE p.code = 'DE-HAM' AND s.kind = 'ODOO'`,
    );
    expect(c).toEqual({ state: "DEGRADED", version: "1.4.2", reported_backlog: 120 });
    const bad = await hb({ version: "1", state: "sleepy", backlog: -1 });
    expect(bad.status()).toBe(400);
    expect((await hb({ version: "1.4.2", state: "online", backlog: 0, oldestPendingAgeS: null })).status()).toBe(204);
  });
});
