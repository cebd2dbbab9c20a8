/**
 * The `/_emulator/*` control endpoints a simulator in another process uses: faults in the shared
 * vocabulary, reset, state seeding and inspection, credential rotation, idempotency counters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OdooEmulator } from "./emulator";
import { startOdooEmulator } from "./emulator";
import { postJson2 } from "./test-support";

let emulator: OdooEmulator;
beforeAll(async () => {
  emulator = await startOdooEmulator({ db: "plant_mty", apiKey: "ctl-key" });
});
afterAll(() => emulator.close());

const control = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
};
const count = () => postJson2(emulator.url, "product.product", "search_count", { domain: [] }, { apiKey: "ctl-key" });

describe("control endpoints", () => {
  it("adds, lists and clears faults; faults never hit the control endpoints", async () => {
    expect(await control("POST", "faults", { fault: { kind: "unavailable", retryAfterSeconds: 3 }, count: 2 })).toMatchObject({ status: 201 });
    expect((await control("GET", "faults")).json).toEqual([{ fault: { kind: "http", status: 503, retryAfterSeconds: 3 }, remaining: 2 }]);
    expect((await count()).status).toBe(503);
    expect((await control("DELETE", "faults")).status).toBe(204);
    expect((await count()).status).toBe(200);
    expect((await control("POST", "faults", { fault: { kind: "explode" } })).status).toBe(400);
  });

  it("a close-after fault: applied, then the connection is dropped", async () => {
    await control("POST", "faults", { fault: { kind: "close", phase: "after" } });
    const body = { vals_list: { name: "Dropped" }, context: { andon_idempotency_key: "ctl-drop" } };
    await expect(postJson2(emulator.url, "product.product", "create", body, { apiKey: "ctl-key" })).rejects.toThrow();
    expect((await control("GET", "idempotency/ctl-drop")).json).toEqual({ key: "ctl-drop", applied: 1, requests: 1 });
  });

  it("seeds and reads state, rotates credentials, resets", async () => {
    const seeded = await control("POST", "state/stock.lot", { name: "L-SEEDED", product_id: 4218, locked: true });
    expect(seeded.status).toBe(201);
    const rows = (await control("GET", "state/stock.lot")).json as Array<Record<string, unknown>>;
    expect(rows.find((row) => row.name === "L-SEEDED")).toMatchObject({ locked: true });
    expect((await control("POST", "credentials", { apiKey: "ctl-2" })).json).toMatchObject({ apiKey: "ctl-2" });
    expect((await count()).status).toBe(401);
    expect((await control("POST", "reset")).status).toBe(204);
    expect(emulator.state.records("stock.lot").some((row) => row.name === "L-SEEDED")).toBe(false);
    expect(emulator.state.records("product.product").some((row) => row.name === "Dropped")).toBe(false);
    await control("POST", "credentials", { apiKey: "ctl-key" });
    expect((await count()).status).toBe(200);
  });
});
