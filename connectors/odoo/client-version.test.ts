/**
 * The client picks its protocol by the configured Odoo version: JSON-2 (bearer API key) from 19 on,
 * JSON-RPC before; the same methods give the same results and the same typed errors on both.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OdooClient } from "./client";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { OdooRpcError, OdooTransportError } from "./errors";

const KEY = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";
let emulator: OdooEmulator;

beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", password: "pw", apiKey: KEY, now: () => new Date("2026-11-24T05:30:00Z") });
});
beforeEach(() => emulator.state.reset());
afterAll(() => emulator.close());

const json2 = (overrides: Partial<{ apiKey: string; db: string; timeoutMs: number }> = {}) =>
  new OdooClient({
    url: emulator.url,
    db: overrides.db ?? "plant_mty",
    apiKey: overrides.apiKey ?? KEY,
    version: "19.0",
    timeoutMs: overrides.timeoutMs ?? 5_000,
  });
const jsonrpc = (version?: string) =>
  new OdooClient({ url: emulator.url, db: "plant_mty", login: "admin", apiKey: KEY, timeoutMs: 5_000, ...(version ? { version } : {}) });

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
}

describe("protocol by version", () => {
  it.each([
    ["19", "json2"],
    ["19.0", "json2"],
    ["saas~19.2", "json2"],
    ["18", "jsonrpc"],
    ["17.0", "jsonrpc"],
    [undefined, "jsonrpc"],
  ])("version %s → %s", (version, protocol) => {
    const client = new OdooClient({ url: emulator.url, db: "plant_mty", login: "admin", apiKey: KEY, ...(version ? { version } : {}) });
    expect(client.protocol).toBe(protocol);
  });

  it("JSON-2 needs an API key; JSON-RPC needs the login", () => {
    expect(() => new OdooClient({ url: emulator.url, db: "x", login: "admin", password: "pw", version: "19" })).toThrow(
      /apiKey: Odoo 19\+ \(JSON-2\) needs an API key/,
    );
    expect(() => new OdooClient({ url: emulator.url, db: "x", password: "pw" })).toThrow(/login: JSON-RPC needs the login/);
  });

  it("sends JSON-2 requests for 19 and /jsonrpc for 17 (the emulator's call log)", async () => {
    await json2().searchCount("product.product");
    await jsonrpc("17").searchCount("product.product");
    const protocols = emulator.calls().map((call) => call.protocol);
    expect(protocols).toEqual(["json2", "jsonrpc", "jsonrpc"]); // JSON-RPC authenticates first
  });
});

describe.each([
  ["JSON-2", () => json2()],
  ["JSON-RPC", () => jsonrpc("17")],
])("the same methods over %s", (_name, make) => {
  it("version, authenticate, create, read, searchRead, write, searchCount, unlink, call", async () => {
    const client = make();
    await expect(client.version()).resolves.toMatchObject({ server_version: "19.0", server_serie: "19.0", protocol_version: 1 });
    await expect(client.authenticate()).resolves.toBe(2);
    const id = await client.create("mrp.production", { product_id: 4211, product_qty: 5, origin: "V-1" }, { idempotencyKey: "v-1" });
    expect(id).toBe(9312);
    await expect(client.createMany("product.product", [{ name: "A" }, { name: "B" }])).resolves.toHaveLength(2);
    await expect(client.read("mrp.production", [id], ["origin", "product_id"])).resolves.toEqual([
      { id, origin: "V-1", product_id: [4211, "[GH-200] Gearbox Housing GH-200"] },
    ]);
    await expect(client.write("mrp.production", [id], { origin: "V-2" })).resolves.toBe(true);
    await expect(client.searchRead("mrp.production", [["origin", "=", "V-2"]], { fields: ["name"] })).resolves.toEqual([{ id, name: "WH/MO/00454" }]);
    await expect(client.searchCount("mrp.production", [["origin", "=", "V-2"]])).resolves.toBe(1);
    await expect(client.call("mrp.production", "action_confirm", { ids: [id] })).resolves.toBe(true);
    await expect(client.executeKw("mrp.production", "action_cancel", [[id]])).resolves.toBe(true);
    await expect(client.unlink("mrp.production", [id])).resolves.toBe(true);
    await expect(client.create("mrp.production", { product_id: 4211, product_qty: 5, origin: "V-1" }, { idempotencyKey: "v-1" })).resolves.toBe(id); // replayed
  });

  it("the same typed errors: UserError / ValidationError business, MissingError business", async () => {
    const client = make();
    const user = await failure(client.create("mrp.production", { product_id: 4212, product_qty: 1 }));
    expect(user).toBeInstanceOf(OdooRpcError);
    expect(user).toMatchObject({ name: "odoo.exceptions.UserError", category: "business", message: expect.stringContaining("There is no Bill of Material") });
    await expect(failure(client.create("mrp.production", { product_id: 4211, product_qty: 0 }))).resolves.toMatchObject({
      name: "odoo.exceptions.ValidationError",
      message: "The quantity to produce must be positive!",
      category: "business",
    });
    await expect(failure(client.write("mrp.production", [424242], { origin: "x" }))).resolves.toMatchObject({
      name: "odoo.exceptions.MissingError",
      category: "business",
    });
  });

  it("key rotation → AccessDenied, technical", async () => {
    const client = make();
    await client.authenticate();
    emulator.rotateCredentials({ apiKey: "rotated" });
    try {
      const error = await failure(client.searchCount("product.product"));
      expect(error).toBeInstanceOf(OdooRpcError);
      expect(error).toMatchObject({ name: "odoo.exceptions.AccessDenied", category: "technical" });
    } finally {
      emulator.rotateCredentials({ apiKey: KEY });
    }
  });

  it("faults are technical transport errors (503 with Retry-After, lost answer)", async () => {
    const client = make();
    await client.authenticate();
    emulator.faults.add({ kind: "unavailable", retryAfterSeconds: 7 });
    await expect(failure(client.searchCount("product.product"))).resolves.toMatchObject({
      kind: "http",
      status: 503,
      retryAfterMs: 7000,
      category: "technical",
    });
    emulator.faults.add({ kind: "close", phase: "after" });
    const lost = await failure(client.create("mrp.production", { product_id: 4211, product_qty: 2, origin: "LOST" }, { idempotencyKey: "lost-1" }));
    expect(lost).toBeInstanceOf(OdooTransportError);
    expect(emulator.idempotency.applied("lost-1")).toBe(1);
    const again = await client.create("mrp.production", { product_id: 4211, product_qty: 2, origin: "LOST" }, { idempotencyKey: "lost-1" });
    expect(
      emulator.state
        .records("mrp.production")
        .filter((row) => row.origin === "LOST")
        .map((row) => row.id),
    ).toEqual([again]);
  });
});

describe("JSON-2 specifics", () => {
  it("the JSON-2 error keeps Odoo's HTTP status and body; a 401 keeps werkzeug's body in data", async () => {
    const error = (await failure(json2().create("mrp.production", { product_id: 4211, product_qty: 0 }))) as OdooRpcError;
    expect(error.code).toBe(422);
    expect(error.data).toMatchObject({ name: "odoo.exceptions.ValidationError", arguments: ["The quantity to produce must be positive!"] });
    const denied = (await failure(json2({ apiKey: "nope" }).searchCount("product.product"))) as OdooRpcError;
    expect(denied).toMatchObject({ name: "odoo.exceptions.AccessDenied", code: 401, category: "technical", message: "Invalid apikey" });
    expect(denied.data.name).toBe("werkzeug.exceptions.Unauthorized");
  });

  it("another database name answers werkzeug's 404 page: a technical HTTP error", async () => {
    await expect(failure(json2({ db: "plant_ham" }).searchCount("product.product"))).resolves.toMatchObject({
      kind: "http",
      status: 404,
      category: "technical",
    });
  });

  it("executeKw with positional arguments of unknown methods is refused before sending", async () => {
    await expect(json2().executeKw("mrp.production", "explode", [[1], 2, 3])).rejects.toThrow(/use call\(\) with named arguments/);
  });
});
