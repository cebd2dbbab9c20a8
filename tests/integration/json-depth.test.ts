import { randomUUID } from "node:crypto";
import { NextResponse } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as ingestPost } from "../../app/api/ingest/v1/events/route";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { addSchemaVersion } from "../../server/admin/interfaces";
import { loadPrincipal } from "../../server/auth/principal";
import { type ConnectorPrincipal, issueConnectorKey } from "../../server/connectors/keys";
import { saveCorrection } from "../../server/corrections/save-correction";
import { checkSchema, validatePayload } from "../../server/corrections/validate";
import { db, pool } from "../../server/db";
import { previewPatch } from "../../server/exceptions/preview-patch";
import { startBulk } from "../../server/exceptions/start-bulk";
import { limitBody, readOptionalJson } from "../../server/http/body";
import { errorResponse, handler } from "../../server/http/handler";
import { MAX_JSON_DEPTH, exceedsJsonDepth } from "../../server/http/json-depth";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { reportReplayResult } from "../../server/replay/pull";

/**
 * Issue 16, defect 2: JSON nested 5,000 levels deep used to answer 500 (JSON.parse takes it, but
 * JSON.stringify, hashing, diffs and schema validation recurse past the stack). Depth is now limited
 * to 64 levels where JSON from outside enters: each ingested event on its own (the others are stored),
 * every JSON body a route reads, and the fields that hold arbitrary JSON for callers that bypass those.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let operator: Actor;
let admin: Actor;
let ham: ConnectorPrincipal;
let key: string;

const DEEP = 5000;
/** JSON text of a value nested `n` levels: built as text, since JSON.stringify itself overflows on it. */
const deepText = (n: number, leaf = "1") => '{"a":'.repeat(n) + leaf + "}".repeat(n);
/** The same as a value (JSON.parse is iterative and takes any depth). */
const deepValue = (n: number): Record<string, unknown> => JSON.parse(deepText(n)) as Record<string, unknown>;

function event(over: Record<string, unknown> = {}) {
  const messageId = `DEPTH-${randomUUID()}`;
  return {
    eventId: randomUUID(),
    correlationId: `corr-${messageId}`,
    messageId,
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    occurredAt: new Date().toISOString(),
    outcome: "failed",
    latencyMs: 800,
    attempt: 1,
    error: { category: "business", code: "M7-021", message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" },
    payload: { idocType: "MBGMCR03", E1BP2017_GM_ITEM_CREATE: [{ MATERIAL: "RM-4711", ENTRY_QNT: "512" }] },
    ...over,
  };
}

/** An event's JSON with the value at `marker` replaced by raw JSON text. */
const withRaw = (e: object, raw: string) => JSON.stringify(e).replace('"@@DEEP@@"', raw);

const ingest = (body: string, type = "application/json") =>
  ingestPost(
    new Request("http://andon.test/api/ingest/v1/events", { method: "POST", headers: { "content-type": type, authorization: `Bearer ${key}` }, body }),
  );

const storedEvents = async (...eventIds: string[]) =>
  (await pool().query<{ event_id: string }>("SELECT event_id FROM telemetry_event WHERE event_id = ANY($1)", [eventIds])).rows.map((r) => r.event_id).sort();

/** The HTTP answer an action's outcome becomes (as route handlers map thrown errors). */
async function answer(action: () => Promise<unknown>): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  try {
    await action();
    return { status: 200, body: {} };
  } catch (err) {
    const res = errorResponse(err);
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  }
}

async function failedException(): Promise<string> {
  const e = event();
  await ingestEvents(ham, [{ ok: true, value: e }]);
  return (await db().exception.findFirstOrThrow({ where: { transaction: { messageId: e.messageId } } })).id;
}

const post = (url: string, body: string) => new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body });

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [operator, admin] = [await actor("operator@andon.local"), await actor("admin@andon.local")];
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
  ham = { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" };
  key = await issueConnectorKey({ connectorId: c.id, actor: { type: "system", label: "json-depth test" }, reason: "admin_request" });
});

describe("the depth measure", () => {
  it("counts levels of objects and arrays, iteratively: a million levels cost no stack", () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(exceedsJsonDepth("x")).toBe(false);
    expect(exceedsJsonDepth({}, 0)).toBe(true);
    expect(exceedsJsonDepth({ a: [1] }, 2)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: null }] }, 2)).toBe(true);
    expect(exceedsJsonDepth(deepValue(64))).toBe(false);
    expect(exceedsJsonDepth(deepValue(65))).toBe(true);
    expect(exceedsJsonDepth(JSON.parse("[".repeat(1_000_000) + "]".repeat(1_000_000)))).toBe(true);
    // A deep branch after a wide, shallow one is still found.
    expect(exceedsJsonDepth({ wide: Array.from({ length: 10_000 }, (_, i) => ({ i })), deep: deepValue(70) })).toBe(true);
  });
});

describe("JSON nested 5,000 levels deep is refused where it enters, never a 500", () => {
  it("ingest: an event whose payload nests 5,000 levels is rejected naming the limit, the good item is stored, HTTP 200", async () => {
    const deep = event({ payload: "@@DEEP@@" });
    const good = event();
    const res = await ingest(`[${withRaw(deep, deepText(DEEP))},${JSON.stringify(good)}]`);
    expect(res.status).toBe(200);
    const result = (await res.json()) as { accepted: number; rejected: { index: number; eventId: string; errors: { path: string; message: string }[] }[] };
    expect(result).toMatchObject({ accepted: 1, rejected: [{ index: 0, eventId: deep.eventId, errors: [{ path: "payload" }] }] });
    expect(result.rejected[0]!.errors[0]!.message).toMatch(/more than 64 levels/);
    expect(await storedEvents(deep.eventId, good.eventId)).toEqual([good.eventId]);
    expect(await db().transaction.count({ where: { messageId: deep.messageId } })).toBe(0);
  });

  it("ingest: the same for error.details, and for an NDJSON line", async () => {
    const deep = event({ error: { category: "technical", code: "HTTP-500", message: "SAP said no", details: "@@DEEP@@" } });
    const good = event();
    const res = await ingest(`${withRaw(deep, `{"trace":${deepText(DEEP)}}`)}\n${JSON.stringify(good)}\n`, "application/x-ndjson");
    expect(res.status).toBe(200);
    const result = (await res.json()) as { accepted: number; rejected: { index: number; errors: { path: string; message: string }[] }[] };
    expect(result).toMatchObject({ accepted: 1, rejected: [{ index: 0, errors: [{ path: "error.details" }] }] });
    expect(result.rejected[0]!.errors[0]!.message).toMatch(/64/);
    expect(await storedEvents(deep.eventId, good.eventId)).toEqual([good.eventId]);
  });

  it("ingest: 64 levels counted from the event: a payload of 63 levels is stored, one of 64 is rejected", async () => {
    const fits = event({ payload: deepValue(MAX_JSON_DEPTH - 1) });
    const over = event({ payload: deepValue(MAX_JSON_DEPTH) });
    const result = await ingestEvents(ham, [
      { ok: true, value: fits },
      { ok: true, value: over },
    ]);
    expect(result).toMatchObject({ accepted: 1, rejected: [{ index: 1, errors: [{ path: "payload" }] }] });
  });

  it("a correction whose payload nests 5,000 levels: 400 too_deep naming the limit, nothing stored", async () => {
    const id = await failedException();
    // The correction route's handler (the route itself needs a session), its user given directly.
    const route = handler(async (req: Request, ctx: { params: Promise<{ id: string }> }) => {
      const { id } = await ctx.params;
      return NextResponse.json(await saveCorrection(operator, id, await req.json()));
    });
    const body = `{"reason":"Recounted.","payload":${deepText(DEEP)}}`;
    const res = await route(post(`http://andon.test/api/exceptions/${id}/correction`, body), { params: Promise.resolve({ id }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "too_deep", message: expect.stringMatching(/64/), details: { maxDepth: 64 } } });
    expect(await db().correction.count({ where: { exceptionId: id } })).toBe(0);
    // The payload validator refuses to walk it too (the correction editor runs it in the browser).
    expect(validatePayload({ type: "object" }, deepValue(DEEP))).toEqual([{ path: "/", message: expect.stringMatching(/more than 64 levels/) }]);
  });

  it("a bulk correction or its preview with a patch value nested 5,000 levels: 400, nothing started", async () => {
    const id = await failedException();
    const patch = [{ op: "replace", path: "/idocType", value: deepValue(DEEP) }];
    const before = await db().bulkOperation.count();
    const request = { kind: "CORRECT", selection: { ids: [id] }, params: { patch, reason: "Fix every item at once." } };
    const started = await answer(() => startBulk(operator, request));
    expect(started.status).toBe(400);
    expect(started.body.error!.message).toMatch(/64/);
    const preview = await answer(() => previewPatch(operator, { selection: { ids: [id] }, patch }));
    expect(preview.status).toBe(400);
    expect(await db().bulkOperation.count()).toBe(before);
  });

  it("an interface schema upload nested 5,000 levels: 400 naming the limit, no version added", async () => {
    const iface = await db().interface.findFirstOrThrow({ where: { code: "GOODS_MOVEMENT" } });
    const versions = await db().interfaceSchema.count({ where: { interfaceId: iface.id } });
    let schema: Record<string, unknown> = { type: "object" };
    for (let i = 0; i < DEEP; i++) schema = { type: "object", properties: { a: schema } };
    const res = await answer(() => addSchemaVersion(admin, iface.id, { schema }));
    expect(res.status).toBe(400);
    expect(res.body.error!.message).toMatch(/64/);
    expect(checkSchema(schema)).toEqual([{ path: "/", message: expect.stringMatching(/more than 64 levels/) }]);
    expect(await db().interfaceSchema.count({ where: { interfaceId: iface.id } })).toBe(versions);
  });

  it("a pull connector's report nested 5,000 levels: 400 too_deep", async () => {
    const report = { status: "failed", category: "business", code: "X", message: "no", durationMs: 5, details: deepValue(DEEP) };
    const res = await answer(() => reportReplayResult(ham, randomUUID(), report));
    expect(res).toMatchObject({ status: 400, body: { error: { code: "too_deep" } } });
  });

  it("every JSON body read through the handler's reader is checked: json() and readOptionalJson answer 400 too_deep", async () => {
    const deep = `{"filters":${deepText(DEEP)}}`;
    const tooDeep = { status: 400, code: "too_deep", details: { maxDepth: 64 } };
    await expect(limitBody(post("http://andon.test/x", deep), 1024 * 1024).json()).rejects.toMatchObject(tooDeep);
    await expect(readOptionalJson(post("http://andon.test/x", deep))).rejects.toMatchObject({ status: 400, code: "too_deep" });
    // 64 levels in all is fine.
    expect(await limitBody(post("http://andon.test/x", deepText(64)), 1024 * 1024).json()).toEqual(deepValue(64));
  });
});
