/**
 * Wire contract of the External JSON-2 API (Odoo 19) over real HTTP with plain fetch: bearer API
 * key, X-Odoo-Database, named arguments, answers and the error JSON with its HTTP status.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { postJson2 } from "./test-support";

const KEY = "0123456789abcdef0123456789abcdef01234567";
let emulator: OdooEmulator;
const post = (model: string, method: string, body: unknown, init: Parameters<typeof postJson2>[4] = {}) =>
  postJson2(emulator.url, model, method, body, { apiKey: KEY, database: "plant_mty", ...init });

beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", password: "pw", apiKey: KEY, now: () => new Date("2026-11-24T05:30:00Z") });
});
beforeEach(() => emulator.state.reset());
afterEach(() => emulator.faults.clear());
afterAll(() => emulator.close());

/** The serialised exception every JSON-2 error answers. */
const errorBody = (name: string, message: string, args: unknown[] = [message]) => ({
  name,
  message,
  arguments: args,
  context: {},
  debug: expect.stringContaining("Traceback (most recent call last):"),
});

describe("authentication (bearer API key)", () => {
  it("answers 401 with the Unauthorized JSON and WWW-Authenticate when the key is missing", async () => {
    const answer = await post("product.product", "search_count", { domain: [] }, { apiKey: null });
    expect(answer.status).toBe(401);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.wwwAuthenticate).toBe("Bearer");
    const message = "User not authenticated, use an API Key with a Bearer Authorization header.";
    expect(answer.json).toEqual(errorBody("werkzeug.exceptions.Unauthorized", message, [message, 401]));
  });

  it("answers 401 'Invalid apikey' for a wrong key, and for the password used as a key", async () => {
    for (const apiKey of ["wrong", "pw"]) {
      const answer = await post("product.product", "search_count", { domain: [] }, { apiKey });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(errorBody("werkzeug.exceptions.Unauthorized", "Invalid apikey", ["Invalid apikey", 401]));
    }
  });

  it("refuses the old key after a rotation and accepts the new one", async () => {
    emulator.rotateCredentials({ apiKey: "new-key" });
    try {
      expect((await post("product.product", "search_count", { domain: [] })).status).toBe(401);
      expect((await post("product.product", "search_count", { domain: [] }, { apiKey: "new-key" })).json).toBeGreaterThan(0);
    } finally {
      emulator.rotateCredentials({ apiKey: KEY });
    }
  });
});

describe("database, content type, HTTP method", () => {
  it("serves the request with the right X-Odoo-Database or none (single database)", async () => {
    expect((await post("product.product", "search_count", { domain: [] })).status).toBe(200);
    expect((await post("product.product", "search_count", { domain: [] }, { database: null })).status).toBe(200);
  });

  it("answers werkzeug's 404 page for another database (served without database, no bearer route)", async () => {
    const answer = await post("product.product", "search_count", { domain: [] }, { database: "plant_ham" });
    expect(answer.status).toBe(404);
    expect(answer.contentType).toMatch(/^text\/html/);
  });

  it("refuses a non-JSON content type with the http dispatcher's 400 page", async () => {
    const answer = await post("product.product", "search_count", "x", { contentType: "text/plain", raw: true });
    expect(answer.status).toBe(400);
    expect(answer.text).toContain("is type=&#x27;/json/2/rpc&#x27;");
  });

  it("answers 400 JSON for a body that is not JSON or not an object", async () => {
    const broken = await post("product.product", "search_count", "{", { raw: true });
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ name: "werkzeug.exceptions.BadRequest", message: expect.stringMatching(/^could not parse the body as json: /) });
    const list = await post("product.product", "search_count", [1, 2]);
    expect(list.status).toBe(400);
    expect(list.json).toMatchObject({
      message: "could not parse the body, expecting a json object",
      arguments: ["could not parse the body, expecting a json object", 400],
    });
  });

  it("answers 405 to anything but POST", async () => {
    const answer = await postJson2(emulator.url, "product.product", "search_count", undefined, { apiKey: KEY, httpMethod: "GET" });
    expect(answer.status).toBe(405);
    expect(answer.json).toMatchObject({ name: "werkzeug.exceptions.MethodNotAllowed" });
  });

  it("GET /web/version answers 19.0 without authentication", async () => {
    const response = await fetch(`${emulator.url}/web/version`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ version_info: [19, 0, 0, "final", 0, ""], version: "19.0" });
  });
});

describe("named arguments and answers", () => {
  it("create with vals_list (a dict or a list) answers the ids", async () => {
    const one = await post("mrp.production", "create", { vals_list: { product_id: 4211, product_qty: 5, origin: "J2-1" } });
    expect(one.status).toBe(200);
    expect(one.json).toEqual([9312]);
    const many = await post("product.product", "create", { vals_list: [{ name: "A" }, { name: "B" }] });
    expect(many.json).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it("search_read / read / write / search_count / unlink with named arguments; context is applied", async () => {
    const found = await post("product.product", "search_read", { domain: [["default_code", "=", "GH-200"]], fields: ["name", "uom_id"], limit: 1 });
    expect(found.json).toEqual([{ id: 4211, name: "Gearbox Housing GH-200", uom_id: [1, "Units"] }]);
    expect((await post("mrp.production", "read", { ids: [9311], fields: ["state"] })).json).toEqual([{ id: 9311, state: "draft" }]);
    expect((await post("mrp.production", "write", { ids: [9311], vals: { origin: "moved" } })).json).toBe(true);
    expect((await post("mrp.production", "search_count", { domain: [["origin", "=", "moved"]] })).json).toBe(1);
    const archived = await post("product.product", "search_count", { domain: [["default_code", "=", "GH-100"]], context: { active_test: false } });
    expect(archived.json).toBe(1);
    expect((await post("mrp.production", "action_confirm", { ids: [9311] })).json).toBe(true);
    expect(emulator.state.record("mrp.production", 9311)?.state).toBe("confirmed");
  });

  it("answers 404 for an unknown model or method, 403 for a private method", async () => {
    const model = await post("x.nothing", "search", { domain: [] });
    expect(model.status).toBe(404);
    expect(model.json).toEqual(
      errorBody("werkzeug.exceptions.NotFound", "the model 'x.nothing' does not exist", ["the model 'x.nothing' does not exist", 404]),
    );
    const method = await post("mrp.production", "explode", {});
    expect(method.status).toBe(404);
    expect(method.json).toMatchObject({ name: "werkzeug.exceptions.NotFound", message: "The method 'mrp.production.explode' does not exist" });
    const privateMethod = await post("mrp.production", "_compute_state", { ids: [9311] });
    expect(privateMethod.status).toBe(403);
    expect(privateMethod.json).toMatchObject({
      name: "odoo.exceptions.AccessError",
      message: "Private methods (such as 'mrp.production._compute_state') cannot be called remotely.",
    });
  });

  it("answers 422 for ids on a model method, an unknown or a missing argument", async () => {
    const withIds = await post("mrp.production", "create", { ids: [1], vals_list: {} });
    expect(withIds.status).toBe(422);
    expect(withIds.json).toMatchObject({ name: "werkzeug.exceptions.UnprocessableEntity", message: "cannot call mrp.production.create with ids" });
    const unknown = await post("mrp.production", "write", { ids: [9311], vals: {}, badparameter: 1 });
    expect(unknown.status).toBe(422);
    expect(unknown.json).toMatchObject({
      message: "got an unexpected keyword argument 'badparameter'",
      arguments: ["got an unexpected keyword argument 'badparameter'", 422],
    });
    const missing = await post("mrp.production", "create", {});
    expect(missing.json).toMatchObject({ message: "missing a required argument: 'vals_list'" });
  });
});

describe("errors of the called method and transactions", () => {
  it("answers UserError / ValidationError 422, MissingError 404 with the serialised exception", async () => {
    const user = await post("mrp.production", "create", { vals_list: { product_id: 4212, product_qty: 5 } });
    expect(user.status).toBe(422);
    expect(user.json).toMatchObject({ name: "odoo.exceptions.UserError", message: expect.stringContaining("There is no Bill of Material"), context: {} });
    const validation = await post("mrp.production", "create", { vals_list: { product_id: 4211, product_qty: 0 } });
    expect(validation.status).toBe(422);
    expect(validation.json).toEqual(errorBody("odoo.exceptions.ValidationError", "The quantity to produce must be positive!"));
    const missing = await post("mrp.production", "write", { ids: [424242], vals: { origin: "x" } });
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ name: "odoo.exceptions.MissingError" });
  });

  it("answers 500 with the Python exception for other errors (ValueError: invalid field)", async () => {
    const answer = await post("product.product", "create", { vals_list: { name: "X", colour: "red" } });
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ name: "builtins.ValueError", message: "Invalid field 'colour' on model 'product.product'" });
  });

  it("runs each call in one transaction: a failing create of several records creates none", async () => {
    const before = emulator.state.records("product.product").length;
    const answer = await post("product.product", "create", { vals_list: [{ name: "ok" }, { name: "bad", uom_id: 987 }] });
    expect(answer.status).toBe(404);
    expect(emulator.state.records("product.product")).toHaveLength(before);
  });

  it("applies an idempotency key once (context.andon_idempotency_key); other values under the key answer 422", async () => {
    const body = { vals_list: { product_id: 4211, product_qty: 7, origin: "J2-K" }, context: { andon_idempotency_key: "j2-k1" } };
    const [first, second] = await Promise.all([post("mrp.production", "create", body), post("mrp.production", "create", body)]);
    expect(first.json).toEqual(second.json);
    expect(emulator.idempotency.applied("j2-k1")).toBe(1);
    expect(emulator.state.records("mrp.production").filter((row) => row.origin === "J2-K")).toHaveLength(1);
    const other = await post("mrp.production", "create", { ...body, vals_list: { ...body.vals_list, product_qty: 8 } });
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({
      name: "odoo.exceptions.UserError",
      message: "Idempotency key 'j2-k1' was already used for mrp.production.create with other values",
    });
  });

  it("takes the Idempotency-Key header as the key when the context has none", async () => {
    const body = { vals_list: { product_id: 4211, product_qty: 2, origin: "J2-H" } };
    const headers = { "idempotency-key": "j2-header" };
    const first = await post("mrp.production", "create", body, { headers });
    const second = await post("mrp.production", "create", body, { headers });
    expect(second.json).toEqual(first.json);
    expect(emulator.idempotency.applied("j2-header")).toBe(1);
    expect((await post("mrp.production", "create", { vals_list: { ...body.vals_list, product_qty: 3 } }, { headers })).status).toBe(422);
  });

  it("a lost answer after applying: the call is applied, the replay with the key answers the same ids", async () => {
    emulator.faults.dropAfterApplying();
    const body = { vals_list: { product_id: 4211, product_qty: 3, origin: "J2-LOST" }, context: { andon_idempotency_key: "j2-lost" } };
    await expect(post("mrp.production", "create", body)).rejects.toThrow();
    expect(emulator.state.records("mrp.production").filter((row) => row.origin === "J2-LOST")).toHaveLength(1);
    const replay = await post("mrp.production", "create", body);
    expect(replay.status).toBe(200);
    expect(emulator.state.records("mrp.production").filter((row) => row.origin === "J2-LOST")).toHaveLength(1);
    expect(emulator.idempotency.applied("j2-lost")).toBe(1);
  });
});
