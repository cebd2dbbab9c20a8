import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createPlmClient, PlmClientError } from "./client";
import { startPlmEmulator, type PlmEmulator } from "./emulator";

/** Idempotency of writes (ECO release above all) and fault injection. */

let plm: PlmEmulator;
beforeAll(async () => {
  plm = await startPlmEmulator({ now: () => new Date("2026-11-24T08:30:00Z") });
});
afterAll(async () => {
  await plm.close();
});
beforeEach(async () => {
  plm.reset();
  await createPlmClient(plm.url).approveEco("ECO-000103");
});

function post(path: string, body: unknown, init: { key?: string; signal?: AbortSignal } = {}) {
  return fetch(`${plm.url}/plm/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(init.key ? { "idempotency-key": init.key } : {}) },
    body: JSON.stringify(body),
    signal: init.signal,
  });
}

describe("idempotency", () => {
  it("the same release three times concurrently with one key: released once, the same answer three times", async () => {
    const responses = await Promise.all([1, 2, 3].map(() => post("/ecos/ECO-000103/release", {}, { key: "rel-103" })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(2);
    expect(plm.applications("rel-103")).toBe(1);
    expect(plm.bomReleases().filter((b) => b.revision === "B")).toHaveLength(1);
    // processed: the approval in beforeEach and one release.
    expect(plm.counters()).toMatchObject({ requests: 4, processed: 2, replayed: 2 });
  });

  it("sequentially: a repeat with the key answers the first answer; without a key the second release is refused", async () => {
    const first = await post("/ecos/ECO-000103/release", {}, { key: "k-1" });
    const repeat = await post("/ecos/ECO-000103/release", {}, { key: "k-1" });
    expect(repeat.headers.get("idempotent-replayed")).toBe("true");
    expect(await repeat.text()).toBe(await first.text());
    const unkeyed = await post("/ecos/ECO-000103/release", {});
    expect(unkeyed.status).toBe(409);
    expect(((await unkeyed.json()) as { code: string }).code).toBe("ECO_STATE");
  });

  it("the same key for another request is 422 IDEMPOTENCY_KEY_REUSED", async () => {
    await post("/parts", { number: "RM-3000", description: "Washer", unit: "PC" }, { key: "k-2" });
    const reused = await post("/parts", { number: "RM-3001", description: "Washer", unit: "PC" }, { key: "k-2" });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", status: 422 });
    expect(plm.part("RM-3001")).toBeUndefined();
  });

  it("the ECO number is the native key of ECO creation", async () => {
    const eco = {
      number: "ECO-000300",
      title: "housing B",
      affectedBoms: [{ material: "FG-3100", revision: "B", effectiveFrom: "2027-01-01", components: [{ material: "RM-1001", quantity: 0.4, unit: "M" }] }],
    };
    expect((await post("/ecos", eco)).status).toBe(201);
    expect((await post("/ecos", eco)).status).toBe(200);
    const other = await post("/ecos", { ...eco, title: "something else" });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { code: string }).code).toBe("ECO_EXISTS");
  });

  it("a refusal is stored under its key: after the fix, a new key", async () => {
    const create = (components: unknown[]) => ({ title: "t", affectedBoms: [{ material: "FG-3100", revision: "C", effectiveFrom: "2027-01-01", components }] });
    const eco = (await (await post("/ecos", create([{ material: "RM-5555", quantity: 1, unit: "PC" }]))).json()) as { number: string };
    await post(`/ecos/${eco.number}/approve`, {});
    expect((await post(`/ecos/${eco.number}/release`, {}, { key: "r-1" })).status).toBe(422);
    await post("/parts", { number: "RM-5555", description: "Spacer", unit: "PC" });
    expect((await post(`/ecos/${eco.number}/release`, {}, { key: "r-1" })).status).toBe(422);
    expect((await post(`/ecos/${eco.number}/release`, {}, { key: "r-2" })).status).toBe(200);
  });
});

describe("faults", () => {
  it("unavailable: 503 problem with Retry-After; a technical failure for the client; nothing released", async () => {
    plm.faults.unavailable(1, 30);
    const response = await post("/ecos/ECO-000103/release", {}, { key: "f-1" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("30");
    expect(plm.eco("ECO-000103")?.state).toBe("APPROVED");
    plm.faults.unavailable();
    const error = await createPlmClient(plm.url)
      .releaseEco("ECO-000103", { idempotencyKey: "f-1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlmClientError);
    expect(error).toMatchObject({ category: "technical", code: "SERVICE_UNAVAILABLE" });
    expect(plm.applications("f-1")).toBe(0);
  });

  it("close before: nothing released; close after (lost answer): released, and the retry with the key answers without releasing again", async () => {
    plm.faults.dropConnection();
    await expect(post("/ecos/ECO-000103/release", {}, { key: "f-2" })).rejects.toThrow(/fetch failed/);
    expect(plm.eco("ECO-000103")?.state).toBe("APPROVED");

    plm.faults.dropConnection({ phase: "after" });
    const lost = await createPlmClient(plm.url)
      .releaseEco("ECO-000103", { idempotencyKey: "f-2" })
      .catch((e: unknown) => e);
    expect(lost).toMatchObject({ category: "technical", code: "PLM-UNREACHABLE" });
    expect(plm.eco("ECO-000103")?.state).toBe("RELEASED");
    const retry = await createPlmClient(plm.url).releaseEco("ECO-000103", { idempotencyKey: "f-2" });
    expect(retry.bomReleases.map((b) => b.revision)).toEqual(["B"]);
    expect(plm.applications("f-2")).toBe(1);
    expect(plm.bomReleases()).toHaveLength(3);
  });

  it("hang before: the client times out, the PLM still releases; hang after: released, answered late", async () => {
    plm.faults.hang(300);
    const timeout = await createPlmClient(plm.url, { timeoutMs: 50 })
      .releaseEco("ECO-000103", { idempotencyKey: "f-3" })
      .catch((e: unknown) => e);
    expect(timeout).toMatchObject({ category: "technical", code: "PLM-TIMEOUT" });
    await vi.waitFor(() => expect(plm.applications("f-3")).toBe(1), { timeout: 2000, interval: 20 });

    plm.reset();
    await createPlmClient(plm.url).approveEco("ECO-000103");
    plm.faults.hang(5_000, { phase: "after" });
    await expect(post("/ecos/ECO-000103/release", {}, { key: "f-4", signal: AbortSignal.timeout(50) })).rejects.toThrow(/timeout|aborted/i);
    expect(plm.eco("ECO-000103")?.state).toBe("RELEASED");
    plm.reset();
  });

  it("faults hit reads too (the connector's polling)", async () => {
    plm.faults.unavailable();
    expect((await fetch(`${plm.url}/plm/api/v1/bom-releases`)).status).toBe(503);
    expect((await fetch(`${plm.url}/plm/api/v1/bom-releases`)).status).toBe(200);
  });
});

describe("controls over HTTP", () => {
  it("injects, lists and clears faults; resets", async () => {
    const inject = await fetch(`${plm.url}/plm/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fault: { kind: "hang", ms: 10, phase: "after" }, count: 3 }),
    });
    expect(inject.status).toBe(200);
    expect(plm.faults.pending()).toEqual([{ fault: { kind: "hang", ms: 10, phase: "after" }, remaining: 3 }]);
    await fetch(`${plm.url}/plm/_emulator/faults`, { method: "DELETE" });
    expect(plm.faults.pending()).toEqual([]);
    const bad = await fetch(`${plm.url}/plm/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"fault":{"kind":"melt"}}',
    });
    expect(bad.status).toBe(400);
    expect((await fetch(`${plm.url}/plm/_emulator/reset`, { method: "POST" })).status).toBe(200);
    expect(plm.eco("ECO-000103")?.state).toBe("DRAFT");
  });
});
