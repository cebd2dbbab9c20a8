/**
 * Wire contract of the emulator, over real HTTP with plain fetch: the shared sample request and
 * error shape, and Odoo's answers to malformed JSON-RPC.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { loadSample, postJsonRpc, rpc } from "./test-support";

const API_KEY = "4b1d1c0ffee0ddf00d5eedbeefcafe17";

describe("shared sample odoo-jsonrpc-create-production.json", () => {
  const sample = loadSample();
  let emulator: OdooEmulator;

  /** The sample request as sent by a connector: the `<api key>` placeholder replaced by a real key. */
  const sampleRequest = (vals: Record<string, unknown> = {}) => {
    const [db, uid, , model, method, args] = sample.request.params.args as [string, number, string, string, string, [Record<string, unknown>]];
    return {
      ...sample.request,
      params: { ...sample.request.params, args: [db, uid, API_KEY, model, method, [{ ...args[0], ...vals }]] },
    };
  };

  beforeAll(async () => {
    emulator = await startOdooEmulator({ db: "plant_ham", apiKey: API_KEY });
  });
  beforeEach(() => emulator.state.reset());
  afterAll(() => emulator.close());

  it("answers the sample request exactly like response_ok (HTTP 200, integer result)", async () => {
    const answer = await postJsonRpc(emulator.url, sampleRequest());

    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.json).toEqual(sample.response_ok);
    const created = emulator.state.record("mrp.production", sample.response_ok.result);
    expect(created).toMatchObject({
      product_id: 4211,
      product_qty: 250,
      product_uom_id: 1,
      bom_id: 88,
      origin: "SAP 1004711",
      date_start: "2026-11-24 06:00:00",
      state: "draft",
    });
  });

  it.each([0, -5])("answers product_qty %d with exactly the response_error shape", async (qty) => {
    const before = emulator.state.records("mrp.production").length;

    const answer = await postJsonRpc(emulator.url, sampleRequest({ product_qty: qty }));

    expect(answer.status).toBe(200);
    const { debug: _debug, ...expectedData } = sample.response_error.error.data;
    expect(answer.json).toEqual({
      ...sample.response_error,
      error: {
        ...sample.response_error.error,
        data: {
          ...expectedData,
          debug: expect.stringMatching(
            /^Traceback \(most recent call last\):\n[\s\S]+\nodoo\.exceptions\.ValidationError: The quantity to produce must be positive!\n$/,
          ),
        },
      },
    });
    expect(emulator.state.records("mrp.production")).toHaveLength(before); // rolled back
  });

  it("words the same violation the Odoo 16+ way when asked to", async () => {
    const modern = await startOdooEmulator({ db: "plant_ham", apiKey: API_KEY, prefixSqlConstraintMessages: true });
    try {
      const answer = await postJsonRpc(modern.url, sampleRequest({ product_qty: 0 }));
      expect(answer.json).toMatchObject({
        error: { data: { name: "odoo.exceptions.ValidationError", message: "The operation cannot be completed: The quantity to produce must be positive!" } },
      });
    } finally {
      await modern.close();
    }
  });
});

describe("JSON-RPC envelope and services", () => {
  let emulator: OdooEmulator;

  beforeAll(async () => {
    emulator = await startOdooEmulator({ db: "plant_ham", password: "s3cret" });
  });
  afterEach(() => emulator.faults.clear());
  afterAll(() => emulator.close());

  it("common.version answers Odoo 19.0 version info without authentication", async () => {
    const answer = await postJsonRpc(emulator.url, rpc("common", "version", [], 3));
    expect(answer.json).toEqual({
      jsonrpc: "2.0",
      id: 3,
      result: { server_version: "19.0", server_version_info: [19, 0, 0, "final", 0, ""], server_serie: "19.0", protocol_version: 1 },
    });
  });

  it("common.authenticate answers the uid, and false (not an error) for wrong credentials", async () => {
    const ok = await postJsonRpc(emulator.url, rpc("common", "authenticate", ["plant_ham", "admin", "s3cret", {}]));
    const wrongPassword = await postJsonRpc(emulator.url, rpc("common", "authenticate", ["plant_ham", "admin", "nope", {}]));
    const wrongLogin = await postJsonRpc(emulator.url, rpc("common", "login", ["plant_ham", "someone", "s3cret"]));

    expect(ok.json).toEqual({ jsonrpc: "2.0", id: 1, result: 2 });
    expect(wrongPassword.json).toEqual({ jsonrpc: "2.0", id: 1, result: false });
    expect(wrongLogin.json).toEqual({ jsonrpc: "2.0", id: 1, result: false });
  });

  it("db service: list, db_exist, server_version; privileged methods are refused", async () => {
    expect((await postJsonRpc(emulator.url, rpc("db", "list", []))).json).toEqual({ jsonrpc: "2.0", id: 1, result: ["plant_ham"] });
    expect((await postJsonRpc(emulator.url, rpc("db", "db_exist", ["plant_ham"]))).json).toMatchObject({ result: true });
    expect((await postJsonRpc(emulator.url, rpc("db", "server_version", []))).json).toMatchObject({ result: "19.0" });
    expect((await postJsonRpc(emulator.url, rpc("db", "drop", ["master", "plant_ham"]))).json).toMatchObject({
      error: { data: { name: "odoo.exceptions.AccessDenied" } },
    });
  });

  it("echoes any id, and answers id null when the request has none", async () => {
    const stringId = await postJsonRpc(emulator.url, rpc("common", "version", [], "req-7"));
    const { id: _id, ...withoutId } = rpc("common", "version", []);
    const noId = await postJsonRpc(emulator.url, withoutId);
    expect(stringId.json).toMatchObject({ id: "req-7" });
    expect(noId.json).toMatchObject({ jsonrpc: "2.0", id: null, result: { server_serie: "19.0" } });
  });

  it("answers unparsable JSON with HTTP 400 'Invalid JSON data'", async () => {
    const answer = await postJsonRpc(emulator.url, '{"jsonrpc": "2.0", "params": ', { raw: true });
    expect(answer).toMatchObject({ status: 400, text: "Invalid JSON data" });
  });

  it("answers JSON that is not an object with HTTP 400 'Invalid JSON-RPC data'", async () => {
    const answer = await postJsonRpc(emulator.url, [rpc("common", "version", [])]);
    expect(answer).toMatchObject({ status: 400, text: "Invalid JSON-RPC data" });
  });

  it("refuses a non-JSON Content-Type on the json route (HTTP 400, werkzeug page)", async () => {
    const answer = await postJsonRpc(emulator.url, rpc("common", "version", []), { contentType: "text/plain" });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("Please verify the Content-Type request header and try again.");
  });

  it("answers other paths with HTTP 404", async () => {
    const response = await fetch(`${emulator.url}/json-rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("<title>404 Not Found</title>");
  });

  it.each([
    [
      "missing params members",
      { jsonrpc: "2.0", method: "call", id: 1, params: { service: "common" } },
      "builtins.TypeError",
      "RPC.jsonrpc() missing 2 required positional arguments: 'method' and 'args'",
    ],
    ["an unknown service", rpc("reports", "list", []), "builtins.KeyError", "'reports'"],
    ["an unknown common method", rpc("common", "whoami", []), "builtins.Exception", "Method not found: whoami"],
    ["an unknown object method", rpc("object", "execute_sql", ["plant_ham", 2, "s3cret"]), "builtins.NameError", "Method not available execute_sql"],
    [
      "too few authenticate arguments",
      rpc("common", "authenticate", ["plant_ham", "admin", "s3cret"]),
      "builtins.TypeError",
      "exp_authenticate() missing 1 required positional argument: 'user_agent_env'",
    ],
    [
      "an unknown database",
      rpc("common", "authenticate", ["plant_xyz", "admin", "s3cret", {}]),
      "psycopg2.OperationalError",
      expect.stringContaining('database "plant_xyz" does not exist'),
    ],
  ])("answers %s with Odoo's error (HTTP 200, code 200)", async (_case, request, name, message) => {
    const answer = await postJsonRpc(emulator.url, request);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: {
        code: 200,
        message: "Odoo Server Error",
        data: { name, message, arguments: expect.any(Array), context: {}, debug: expect.stringMatching(/^Traceback/) },
      },
    });
  });

  it("execute_kw with a wrong password is AccessDenied, not false", async () => {
    const answer = await postJsonRpc(emulator.url, rpc("object", "execute_kw", ["plant_ham", 2, "wrong", "product.product", "search_count", [[]]]));
    expect(answer.json).toMatchObject({
      error: {
        code: 200,
        message: "Odoo Server Error",
        data: { name: "odoo.exceptions.AccessDenied", message: "Access Denied", arguments: ["Access Denied"] },
      },
    });
  });

  it("logs every request with its outcome", async () => {
    const before = emulator.calls().length;
    await postJsonRpc(emulator.url, rpc("object", "execute_kw", ["plant_ham", 2, "s3cret", "product.product", "search_count", [[]]]));
    await postJsonRpc(emulator.url, rpc("object", "execute_kw", ["plant_ham", 2, "s3cret", "product.product", "nope", [[]]]));
    expect(emulator.calls().slice(before)).toMatchObject([
      { service: "object", method: "execute_kw", model: "product.product", modelMethod: "search_count", outcome: "result" },
      { service: "object", method: "execute_kw", model: "product.product", modelMethod: "nope", outcome: "error", detail: "builtins.AttributeError" },
    ]);
  });
});
