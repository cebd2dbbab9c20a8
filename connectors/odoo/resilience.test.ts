/**
 * Technical failures and replays: fault injection (503, 429, hangs, resets), connection refused,
 * credential rotation, and the idempotency contract (a key is applied at most once).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { OdooClient } from "./client";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { OdooRpcError, OdooTransportError, categoryOf } from "./errors";
import { clientFor, postJsonRpc, rpc } from "./test-support";

let emulator: OdooEmulator;

beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_wro", password: "pw-1" });
});
beforeEach(() => emulator.state.reset());
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
}

const order = (origin: string) => ({ product_id: 4211, product_qty: 5, origin });

describe("fault injection", () => {
  it("503: every call fails until cleared, as a technical transport error with Retry-After", async () => {
    const client = clientFor(emulator);
    emulator.faults.unavailable({ retryAfterSeconds: 30 });

    for (let i = 0; i < 2; i++) {
      const error = await failure(client.searchCount("product.product"));
      expect(error).toBeInstanceOf(OdooTransportError);
      expect(error).toMatchObject({ kind: "http", status: 503, retryAfterMs: 30_000, category: "technical" });
    }
    emulator.faults.clear();
    await expect(client.searchCount("product.product")).resolves.toBeGreaterThan(0);
  });

  it("429: rate limited with Retry-After, for the given number of calls", async () => {
    const client = clientFor(emulator);
    await client.authenticate();
    emulator.faults.rateLimit({ retryAfterSeconds: 2, times: 1 });

    const error = await failure(client.searchCount("product.product"));
    expect(error).toMatchObject({ kind: "http", status: 429, retryAfterMs: 2_000, category: "technical" });
    await expect(client.searchCount("product.product")).resolves.toBeGreaterThan(0);
  });

  it("failNext(n): exactly the next n calls fail, then service is back; nothing was applied", async () => {
    const client = clientFor(emulator);
    await client.authenticate();
    emulator.faults.failNext(2);
    const before = emulator.state.records("mrp.production").length;

    await expect(failure(client.create("mrp.production", order("F1")))).resolves.toMatchObject({ status: 503 });
    await expect(failure(client.create("mrp.production", order("F2")))).resolves.toMatchObject({ status: 503 });
    expect(emulator.state.records("mrp.production")).toHaveLength(before);
    await expect(client.create("mrp.production", order("F3"))).resolves.toBeGreaterThan(0);
    expect(
      emulator
        .calls()
        .slice(-3)
        .map((call) => call.outcome),
    ).toEqual(["fault", "fault", "result"]);
  });

  it("a dropped connection is a technical network error", async () => {
    const client = clientFor(emulator);
    emulator.faults.failNext(1, { kind: "reset" });
    const error = await failure(client.version());
    expect(error).toBeInstanceOf(OdooTransportError);
    expect(error).toMatchObject({ kind: "network", category: "technical" });
  });

  it("a hang longer than the client's timeout is a technical timeout, and Odoo still applies the call", async () => {
    const client = clientFor(emulator, { timeoutMs: 150 });
    await client.authenticate();
    emulator.faults.hang(400, { times: 1 });

    const error = await failure(client.create("mrp.production", order("SLOW-1")));
    expect(error).toMatchObject({ kind: "timeout", category: "technical" });
    // The request was only slow: it lands after the client gave up (why replays need idempotency keys).
    await vi.waitFor(() => expect(emulator.state.records("mrp.production").some((row) => row.origin === "SLOW-1")).toBe(true), {
      timeout: 2_000,
      interval: 20,
    });
  });

  it("connection refused is a technical network error", async () => {
    const gone = await startOdooEmulator();
    const url = gone.url;
    await gone.close();
    const client = new OdooClient({ url, db: "odoo", login: "admin", password: "admin", timeoutMs: 2_000 });

    const error = await failure(client.version());
    expect(error).toBeInstanceOf(OdooTransportError);
    expect(error).toMatchObject({ kind: "network", code: "ECONNREFUSED", category: "technical" });
  });

  it("validates fault parameters", () => {
    expect(() => emulator.faults.failNext(0)).toThrow();
    expect(() => emulator.faults.hang(-1)).toThrow();
    expect(() => emulator.faults.failNext(1, { kind: "http", status: 200 })).toThrow();
    expect(emulator.faults.pending()).toEqual([]);
  });
});

describe("credential rotation", () => {
  it("old password: authenticate answers false, execute_kw raises AccessDenied (technical); new one works", async () => {
    const rotating = await startOdooEmulator({ password: "before-rotation", apiKey: "key-old" });
    try {
      const byPassword = clientFor(rotating);
      const byKey = new OdooClient({ url: rotating.url, db: rotating.db, login: rotating.login, apiKey: "key-old" });
      await byPassword.authenticate();
      await byKey.authenticate();

      rotating.rotateCredentials({ password: "after-rotation", apiKey: "key-new" });

      const denied = await failure(byPassword.searchCount("product.product"));
      expect(denied).toBeInstanceOf(OdooRpcError);
      expect(denied).toMatchObject({ name: "odoo.exceptions.AccessDenied", message: "Access Denied", category: "technical", service: "object" });
      await expect(failure(byKey.searchCount("product.product"))).resolves.toMatchObject({ name: "odoo.exceptions.AccessDenied" });
      const raw = await postJsonRpc(rotating.url, rpc("common", "authenticate", [rotating.db, rotating.login, "before-rotation", {}]));
      expect(raw.json).toMatchObject({ result: false });
      // The client dropped its uid: it authenticates again, and is refused there too.
      await expect(failure(byPassword.searchCount("product.product"))).resolves.toMatchObject({ name: "odoo.exceptions.AccessDenied", service: "common" });

      await expect(clientFor(rotating, { password: "after-rotation" }).searchCount("product.product")).resolves.toBeGreaterThan(0);
      const renewedKey = new OdooClient({ url: rotating.url, db: rotating.db, login: rotating.login, apiKey: "key-new" });
      await expect(renewedKey.searchCount("product.product")).resolves.toBeGreaterThan(0);

      rotating.rotateCredentials({ apiKey: null });
      await expect(failure(renewedKey.searchCount("product.product"))).resolves.toMatchObject({ name: "odoo.exceptions.AccessDenied" });
      expect(() => rotating.rotateCredentials({})).toThrow();
    } finally {
      await rotating.close();
    }
  });
});

describe("idempotency (kwargs.context.andon_idempotency_key)", () => {
  it("a repeated create with the same key answers the first id and applies once", async () => {
    const client = clientFor(emulator);
    const key = "PRODORD_RELEASE:SAP-1004711:v1";

    const first = await client.create("mrp.production", order("SAP 1004711"), { idempotencyKey: key });
    const second = await client.create("mrp.production", order("SAP 1004711"), { idempotencyKey: key });

    expect(second).toBe(first);
    expect(emulator.idempotency.applied(key)).toBe(1);
    expect(emulator.idempotency.requests(key)).toBe(2);
    expect(emulator.state.records("mrp.production").filter((row) => row.origin === "SAP 1004711")).toHaveLength(1);
    expect(
      emulator
        .calls()
        .slice(-2)
        .map((call) => call.outcome),
    ).toEqual(["result", "replayed"]);
  });

  it("the key also travels in raw kwargs.context, alongside other context keys", async () => {
    const call = (id: number) =>
      postJsonRpc(
        emulator.url,
        rpc(
          "object",
          "execute_kw",
          ["plant_wro", 2, "pw-1", "mrp.production", "write", [[9311], { origin: "moved" }], { context: { lang: "de_DE", andon_idempotency_key: "w-1" } }],
          id,
        ),
      );
    const [a, b] = [await call(1), await call(2)];
    expect(a.json).toEqual({ jsonrpc: "2.0", id: 1, result: true });
    expect(b.json).toEqual({ jsonrpc: "2.0", id: 2, result: true });
    expect(emulator.idempotency.applied("w-1")).toBe(1);
  });

  it("a failed call does not consume its key: the corrected replay applies", async () => {
    const client = clientFor(emulator);
    const key = "PRODORD_RELEASE:SAP-1004712:v1";

    await expect(failure(client.create("mrp.production", { ...order("SAP 1004712"), product_qty: 0 }, { idempotencyKey: key }))).resolves.toMatchObject({
      name: "odoo.exceptions.ValidationError",
    });
    expect(emulator.idempotency.applied(key)).toBe(0);

    await expect(client.create("mrp.production", order("SAP 1004712"), { idempotencyKey: key })).resolves.toBeGreaterThan(0);
    expect(emulator.idempotency.applied(key)).toBe(1);
    expect(emulator.idempotency.requests(key)).toBe(2);
  });

  it("a replay after a timeout does not apply twice", async () => {
    const slow = clientFor(emulator, { timeoutMs: 150 });
    await slow.authenticate();
    const key = "GOODS_MOVEMENT:ASN-9:v1";
    emulator.faults.hang(400, { times: 1 });

    const timedOut = await failure(slow.create("stock.picking", { picking_type_id: 1, partner_id: 21, origin: "ASN-9" }, { idempotencyKey: key }));
    expect(categoryOf(timedOut)).toBe("technical");
    await vi.waitFor(() => expect(emulator.idempotency.applied(key)).toBe(1), { timeout: 2_000, interval: 20 });

    const replayed = await clientFor(emulator).create("stock.picking", { picking_type_id: 1, partner_id: 21, origin: "ASN-9" }, { idempotencyKey: key });
    expect(
      emulator.state
        .records("stock.picking")
        .filter((row) => row.origin === "ASN-9")
        .map((row) => row.id),
    ).toEqual([replayed]);
    expect(emulator.idempotency.applied(key)).toBe(1);
  });

  it("reusing a key for another operation is refused", async () => {
    const client = clientFor(emulator);
    await client.create("mrp.production", order("K"), { idempotencyKey: "k-shared" });
    const error = await failure(client.write("mrp.production", [9311], { origin: "x" }, { idempotencyKey: "k-shared" }));
    expect(error).toMatchObject({ name: "odoo.exceptions.UserError", message: "Idempotency key 'k-shared' was already used for mrp.production.create" });
    expect(emulator.idempotency.applied("k-shared")).toBe(1);
  });

  it("a key that is not a string is a TypeError, and a credential check still comes first", async () => {
    const client = clientFor(emulator);
    await expect(failure(client.executeKw("mrp.production", "create", [order("N")], { context: { andon_idempotency_key: 42 } }))).resolves.toMatchObject({
      name: "builtins.TypeError",
    });
    const raw = await postJsonRpc(
      emulator.url,
      rpc("object", "execute_kw", ["plant_wro", 2, "wrong", "mrp.production", "create", [order("N")], { context: { andon_idempotency_key: "k-auth" } }]),
    );
    expect(raw.json).toMatchObject({ error: { data: { name: "odoo.exceptions.AccessDenied" } } });
    expect(emulator.idempotency.requests("k-auth")).toBe(0);
  });
});
