import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { NextResponse } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as signInPost } from "../../app/api/auth/[...nextauth]/route";
import { POST as correctionPost } from "../../app/api/exceptions/[id]/correction/route";
import { POST as heartbeatPost } from "../../app/api/ingest/v1/heartbeat/route";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { issueConnectorKey } from "../../server/connectors/keys";
import { saveCorrection } from "../../server/corrections/save-correction";
import { db } from "../../server/db";
import { BODY_LIMITS, limitBody } from "../../server/http/body";
import { handler } from "../../server/http/handler";
import { ingestEvents } from "../../server/ingest/ingest-events";

/**
 * Issue 15, point 9: JSON routes other than ingest read at most a capped body. A 5 MB body gets a 413
 * and nothing is stored, whether it declares its length or streams it; the client's stream is read no
 * further than the cap. The correction route's cap is one ingest payload (256 KB) plus its envelope.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let operator: Actor;
const sample = JSON.parse(readFileSync("connectors/sap/fixtures/sap-mbgmcr-goods-movement.json", "utf8")) as Record<string, unknown> & {
  E1BP2017_GM_ITEM_CREATE: object[];
};

/** The fixture with items added until its JSON is about `bytes` long. */
function payloadOf(bytes: number) {
  const items: object[] = [];
  for (let i = 0, size = 600; size < bytes; i++) {
    const item = { ...sample.E1BP2017_GM_ITEM_CREATE[0], ENTRY_QNT: String(1 + (i % 900)), ITEM_TEXT: `line ${i}` };
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return { ...sample, E1BP2017_GM_ITEM_CREATE: items };
}

/** A client body sent in 64 KB chunks, counting how much of it the server pulled. */
function clientBody(text: string) {
  const bytes = new TextEncoder().encode(text);
  const sent = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (sent.bytes >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(sent.bytes, sent.bytes + 65_536));
      sent.bytes += 65_536;
    },
  });
  return { stream, sent, length: bytes.length };
}

const post = (url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit);

async function failedGoodsMovement(): Promise<string> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
  const messageId = `LIMIT-${randomUUID()}`;
  await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        occurredAt: new Date().toISOString(),
        outcome: "failed",
        latencyMs: 800,
        attempt: 1,
        error: { category: "business", code: "M7-021", message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" },
        payload: sample,
      },
    },
  ]);
  return (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
}

const stored = async (exceptionId: string) => ({
  corrections: await db().correction.count({ where: { exceptionId } }),
  audit: await db().auditEvent.count({ where: { subjectId: exceptionId } }),
});

const FIVE_MB = JSON.stringify({ payload: payloadOf(5 * 1024 * 1024), reason: "Five megabytes of corrected items." });

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  operator = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "operator@andon.local" } })).id))!;
});

describe("request body caps", () => {
  it("the correction route answers a declared 5 MB body with 413 before reading it; nothing is stored", async () => {
    const id = await failedGoodsMovement();
    const before = await stored(id);
    const body = clientBody(FIVE_MB);
    const res = await correctionPost(post(`http://andon.test/api/exceptions/${id}/correction`, body.stream, { "content-length": String(body.length) }), {
      params: Promise.resolve({ id }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "payload_too_large", details: { maxBytes: BODY_LIMITS.correction } } });
    expect(body.sent.bytes).toBeLessThanOrEqual(65_536); // at most the chunk the stream pre-reads
    expect(await stored(id)).toEqual(before);
  });

  it("a correction streamed without a length is cut at the cap (one ingest payload + envelope): 413, nothing stored, the rest unread", async () => {
    expect(BODY_LIMITS.correction).toBeGreaterThanOrEqual(256 * 1024);
    expect(BODY_LIMITS.correction).toBeLessThan(300 * 1024);
    // The correction route's handler, its user given directly (a script has no session).
    const route = handler(
      async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
        const { id } = await ctx.params;
        return NextResponse.json(await saveCorrection(operator, id, await req.json()));
      },
      { maxBodyBytes: BODY_LIMITS.correction },
    );

    const id = await failedGoodsMovement();
    const before = await stored(id);
    const big = clientBody(FIVE_MB);
    const res = await route(post(`http://andon.test/api/exceptions/${id}/correction`, big.stream), { params: Promise.resolve({ id }) });
    expect(res.status).toBe(413);
    expect(big.sent.bytes).toBeLessThanOrEqual(BODY_LIMITS.correction + 2 * 65_536);
    expect(await stored(id)).toEqual(before);

    // A payload as large as the ingest accepts (250 KB) is a correction like any other.
    const fits = clientBody(JSON.stringify({ payload: payloadOf(250 * 1024), reason: "All items recounted." }));
    const ok = await route(post(`http://andon.test/api/exceptions/${id}/correction`, fits.stream), { params: Promise.resolve({ id }) });
    expect(ok.status).toBe(200);
    expect((await stored(id)).corrections).toBe(1);
  });

  it("a connector's 5 MB heartbeat is refused (413) after at most the default cap, and not recorded", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "MX-MTY" }, system: { kind: "SUPPLIER_PORTAL" } } });
    const key = await issueConnectorKey({ connectorId: c.id, actor: { type: "system", label: "body-limits test" }, reason: "admin_request" });
    const auth = { authorization: `Bearer ${key}` };
    const heartbeat = { version: "1.2.3", state: "online", backlog: 0, oldestPendingAgeS: null };
    const ok = await heartbeatPost(post("http://andon.test/api/ingest/v1/heartbeat", clientBody(JSON.stringify(heartbeat)).stream, auth));
    expect(ok.status).toBe(204);
    const recorded = (await db().connector.findUniqueOrThrow({ where: { id: c.id } })).lastHeartbeatAt;

    const big = clientBody(JSON.stringify({ ...heartbeat, version: "9.9.9", padding: "x".repeat(5 * 1024 * 1024) }));
    const res = await heartbeatPost(post("http://andon.test/api/ingest/v1/heartbeat", big.stream, auth));
    expect(res.status).toBe(413);
    expect(big.sent.bytes).toBeLessThanOrEqual(BODY_LIMITS.json + 2 * 65_536);
    expect(await db().connector.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ version: "1.2.3", lastHeartbeatAt: recorded });
  });

  it("sign-in is capped too: a 5 MB credentials body is a 413, not a parse of 5 MB", async () => {
    const big = clientBody(JSON.stringify({ email: "operator@andon.local", password: "x".repeat(5 * 1024 * 1024) }));
    const res = await signInPost(post("http://andon.test/api/auth/callback/credentials", big.stream), {
      params: Promise.resolve({ nextauth: ["callback", "credentials"] }),
    });
    expect(res.status).toBe(413);
    expect(big.sent.bytes).toBeLessThanOrEqual(BODY_LIMITS.json + 2 * 65_536);
  });

  it("a body within the cap reads as before; a request without a body is left alone", async () => {
    const text = JSON.stringify({ note: "é".repeat(1000) });
    const req = limitBody(
      new Request("http://andon.test/x", { method: "POST", headers: { "content-length": String(Buffer.byteLength(text)) }, body: text }),
      4096,
    );
    expect(await req.json()).toEqual({ note: "é".repeat(1000) });
    const get = new Request("http://andon.test/x");
    expect(limitBody(get, 10)).toBe(get);
    await expect(limitBody(new Request("http://andon.test/x", { method: "POST", body: "x".repeat(11) }), 10).text()).rejects.toMatchObject({ status: 413 });
  });

  it("every route that reads a request body does so through handler (the ingest under its own cap), and none swallows a 413", () => {
    const routes = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? routes(path.join(dir, e.name)) : e.name === "route.ts" ? [path.join(dir, e.name)] : [],
      );
    const readers = routes("app/api").filter((f) =>
      /\breq\.(json|text|formData|arrayBuffer|blob)\(|\breq\.body\b|readIngestBody\(|readOptionalJson\(/.test(readFileSync(f, "utf8")),
    );
    expect(readers.length).toBeGreaterThan(20);
    for (const file of readers) {
      const src = readFileSync(file, "utf8");
      const mutations = [...src.matchAll(/export (?:const|async function|function) (POST|PUT|PATCH|DELETE)\b(.*)/g)];
      expect(mutations.length, file).toBeGreaterThan(0);
      for (const m of mutations) expect(m[2], `${file} ${m[1]}`).toMatch(/^ = handler\(/);
      expect(src, file).not.toMatch(/\.(json|text)\(\)\.catch\(/);
    }
  });
});
