import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { PlanningApiError, PlanningClient } from "./client";
import { startPlanningEmulator, type PlanningEmulator } from "./emulator";
import { isoWeekOf, isoWeekStart, type VersionInput } from "./planning-state";
import { SAMPLE_FORECAST_IMPORT } from "./samples";
import { FORECAST_IMPORT_JSON_SCHEMA, forecastImportPayloadSchema } from "./schema";
import { createForecastVersion, exportForecastVersion, postActual, releaseForecastVersion, setUomMapping } from "./source";

const NOW = new Date("2026-12-07T06:00:00.000Z");
let planning: PlanningEmulator;
let client: PlanningClient;

beforeAll(async () => {
  planning = await startPlanningEmulator({ now: () => NOW });
  client = new PlanningClient(planning.url, { timeoutMs: 2_000 });
});
afterAll(() => planning.close());
beforeEach(() => planning.reset());

async function refusal(promise: Promise<unknown>): Promise<PlanningApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlanningApiError);
  return error as PlanningApiError;
}

const draft = (buckets: VersionInput["buckets"] = [{ material: "FG-300", week: "2026-W51", quantity: 10, unit: "EA" }], versionId = "FV-2000-01") =>
  createForecastVersion(planning.url, { versionId, plant: "2000", buckets });

describe("ISO weeks", () => {
  it("maps weeks to their Monday and back", () => {
    expect(isoWeekStart("2026-W50")).toBe("2026-12-07");
    expect(isoWeekStart("2026-W01")).toBe("2025-12-29");
    expect(isoWeekStart("2026-W53")).toBe("2026-12-28");
    expect(isoWeekOf("2027-01-01")).toBe("2026-W53");
    expect(() => isoWeekStart("2025-W53")).toThrow(/no week 53/);
  });
});

describe("release → FORECAST_IMPORT (the planning engine as source)", () => {
  it("releases the seeded draft: the payload is the sample, valid against the schema, in ERP units", async () => {
    const payload = await releaseForecastVersion(planning.url, "FV-1000-2026-W50");
    expect(payload).toEqual(SAMPLE_FORECAST_IMPORT);
    expect(forecastImportPayloadSchema.parse(payload)).toEqual(payload);
    expect(FORECAST_IMPORT_JSON_SCHEMA).toMatchObject({ type: "object", required: ["forecastVersion", "plant", "releasedAt", "buckets"] });
  });

  it("supersedes the plant's previous release: it can be neither released nor imported any more", async () => {
    const answer = await client.release("FV-1000-2026-W50");
    expect(answer).toMatchObject({ alreadyReleased: false, superseded: "FV-1000-2026-W49", version: { status: "RELEASED" } });
    expect(planning.version("FV-1000-2026-W49")).toMatchObject({ status: "SUPERSEDED", supersededBy: "FV-1000-2026-W50" });
    const again = await refusal(releaseForecastVersion(planning.url, "FV-1000-2026-W49"));
    expect(again).toMatchObject({ category: "business", code: "VERSION_SUPERSEDED", status: 409 });
    expect(again.message).toBe("Forecast version FV-1000-2026-W49 is superseded by FV-1000-2026-W50 and cannot be released");
    expect(await refusal(exportForecastVersion(planning.url, "FV-1000-2026-W49"))).toMatchObject({ code: "VERSION_SUPERSEDED" });
    expect(await exportForecastVersion(planning.url, "FV-1000-2026-W50")).toEqual(SAMPLE_FORECAST_IMPORT);
  });

  it("refuses an unmapped unit ('unit of measure not mapped') and releases once it is mapped", async () => {
    await draft([
      { material: "FG-300", week: "2026-W51", quantity: 10, unit: "EA" },
      { material: "PK-1", week: "2026-W51", quantity: 4, unit: "BX" },
    ]);
    const error = await refusal(releaseForecastVersion(planning.url, "FV-2000-01"));
    expect(error).toMatchObject({ category: "business", code: "UOM_NOT_MAPPED", status: 422 });
    expect(error.message).toBe('Unit of measure "BX" not mapped to an ERP unit for plant 2000 (material PK-1); forecast version FV-2000-01');
    expect(planning.version("FV-2000-01")!.status).toBe("DRAFT");
    await setUomMapping(planning.url, "BX", "KAR", "2000");
    expect((await releaseForecastVersion(planning.url, "FV-2000-01")).buckets.map((b) => b.unit)).toEqual(["PC", "KAR"]);
  });

  it("scenario 7: a mapping changed on the planning side (EA → ST) changes every later export", async () => {
    await releaseForecastVersion(planning.url, "FV-1000-2026-W50");
    await setUomMapping(planning.url, "EA", "ST", "1000");
    const payload = await exportForecastVersion(planning.url, "FV-1000-2026-W50");
    expect(new Set(payload.buckets.filter((b) => b.material === "FG-100").map((b) => b.unit))).toEqual(new Set(["ST"]));
    await setUomMapping(planning.url, "EA", undefined, "1000");
    await setUomMapping(planning.url, "EA", undefined);
    expect(await refusal(exportForecastVersion(planning.url, "FV-1000-2026-W50"))).toMatchObject({ code: "UOM_NOT_MAPPED" });
  });

  it("refuses overlapping buckets and units the planning model does not know", async () => {
    const overlap = await refusal(
      draft([
        { material: "FG-300", week: "2026-W51", quantity: 10, unit: "EA" },
        { material: "FG-300", periodStart: "2026-12-16", quantity: 5, unit: "EA" },
      ]),
    );
    expect(overlap).toMatchObject({ code: "BUCKETS_OVERLAP", status: 422 });
    expect(overlap.details).toMatchObject({ overlaps: [{ material: "FG-300", periodStarts: ["2026-12-14", "2026-12-16"] }] });
    expect(await refusal(draft([{ material: "FG-300", week: "2026-W51", quantity: 1, unit: "PC" }]))).toMatchObject({ code: "UOM_UNKNOWN" });
    expect(
      forecastImportPayloadSchema.safeParse({
        ...SAMPLE_FORECAST_IMPORT,
        buckets: [SAMPLE_FORECAST_IMPORT.buckets[0], { ...SAMPLE_FORECAST_IMPORT.buckets[0], periodStart: "2026-12-10" }],
      }).success,
    ).toBe(false);
  });

  it("changes only drafts", async () => {
    await draft();
    await client.replaceBuckets("FV-2000-01", [{ material: "FG-300", week: "2026-W52", quantity: 12, unit: "EA" }]);
    await releaseForecastVersion(planning.url, "FV-2000-01");
    const error = await refusal(client.replaceBuckets("FV-2000-01", [{ material: "FG-300", week: "2026-W52", quantity: 1, unit: "EA" }]));
    expect(error).toMatchObject({ code: "VERSION_RELEASED", status: 409 });
  });
});

describe("planned orders and actuals (closed loop)", () => {
  it("derives planned orders from the released version, replaces them on the next release", async () => {
    expect((await client.plannedOrders({ plant: "1000" })).map((o) => [o.versionId, o.material, o.quantity, o.finishDate, o.startDate])).toEqual([
      ["FV-1000-2026-W49", "FG-100", 400, "2026-11-30", "2026-11-23"],
      ["FV-1000-2026-W49", "FG-100", 420, "2026-12-07", "2026-11-30"],
      ["FV-1000-2026-W49", "FG-200", 1250.5, "2026-11-30", "2026-11-23"],
    ]);
    await releaseForecastVersion(planning.url, "FV-1000-2026-W50");
    const orders = await client.plannedOrders({ plant: "1000" });
    expect(new Set(orders.map((o) => o.versionId))).toEqual(new Set(["FV-1000-2026-W50"]));
    expect(orders).toHaveLength(5);
  });

  it("records actuals per material and week idempotently; planned orders net them out", async () => {
    const actual = { plant: "1000", material: "FG-100", week: "2026-W50", quantity: 100, unit: "PC" };
    expect(await postActual(planning.url, actual)).toMatchObject({
      status: "created",
      actual: { quantity: 100, unit: "EA", erpUnit: "PC", periodStart: "2026-12-07" },
    });
    expect(await postActual(planning.url, actual)).toMatchObject({ status: "unchanged" });
    expect((await client.plannedOrders({ material: "FG-100" })).find((o) => o.finishDate === "2026-12-07")!.quantity).toBe(320);
    expect(await postActual(planning.url, { ...actual, quantity: 420 })).toMatchObject({ status: "updated" });
    expect((await client.plannedOrders({ material: "FG-100" })).map((o) => o.finishDate)).toEqual(["2026-11-30"]);
    expect(await refusal(postActual(planning.url, { ...actual, unit: "XYZ" }))).toMatchObject({ code: "UOM_NOT_MAPPED" });
  });
});

describe("idempotency", () => {
  it("applies a release key once; the same key with another request is 422", async () => {
    const first = await client.release("FV-1000-2026-W50", { idempotencyKey: "rel-1" });
    const second = await client.release("FV-1000-2026-W50", { idempotencyKey: "rel-1" });
    expect(second).toEqual(first);
    expect(planning.applications("rel-1")).toBe(1);
    expect(await refusal(client.release("FV-1000-2026-W49", { idempotencyKey: "rel-1" }))).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", status: 422 });
    expect(await client.release("FV-1000-2026-W50")).toMatchObject({ alreadyReleased: true, payload: first.payload });
  });

  it("applies concurrent creates with the same key once", async () => {
    const body = { versionId: "FV-2000-01", plant: "2000", buckets: [{ material: "FG-300", week: "2026-W51", quantity: 10, unit: "EA" }] };
    const answers = await Promise.all(Array.from({ length: 6 }, () => client.createVersion(body, { idempotencyKey: "create-1" })));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(planning.applications("create-1")).toBe(1);
    expect(planning.counters()).toMatchObject({ applied: 1, replayed: 5 });
  });

  it("concurrent actuals for the same week without a key end in one actual", async () => {
    const actual = { plant: "1000", material: "FG-200", week: "2026-W49", quantity: 50, unit: "KG" };
    const answers = await Promise.all(Array.from({ length: 5 }, () => postActual(planning.url, actual)));
    expect(answers.map((a) => a.status).sort()).toEqual(["created", "unchanged", "unchanged", "unchanged", "unchanged"]);
    expect(planning.state.actuals.size).toBe(1);
  });
});

describe("faults", () => {
  it("unavailable: 503 with Retry-After, technical, nothing applied", async () => {
    planning.faults.unavailable(1, 60);
    const res = await fetch(`${planning.url}/planning/api/v1/forecast-versions/FV-1000-2026-W50/release`, { method: "POST" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(planning.version("FV-1000-2026-W50")!.status).toBe("DRAFT");
  });

  it("close before: nothing applied", async () => {
    planning.faults.dropConnection();
    expect(await refusal(client.release("FV-1000-2026-W50"))).toMatchObject({ category: "technical", code: "PLANNING_UNREACHABLE" });
    expect(planning.version("FV-1000-2026-W50")!.status).toBe("DRAFT");
  });

  it("close after: released, answer lost; the retry with the key gets the first answer", async () => {
    planning.faults.dropConnection({ phase: "after" });
    expect(await refusal(client.release("FV-1000-2026-W50", { idempotencyKey: "lost" }))).toMatchObject({ category: "technical" });
    expect(planning.version("FV-1000-2026-W50")!.status).toBe("RELEASED");
    expect(await client.release("FV-1000-2026-W50", { idempotencyKey: "lost" })).toMatchObject({ alreadyReleased: false, payload: SAMPLE_FORECAST_IMPORT });
    expect(planning.applications("lost")).toBe(1);
  });

  it("hang before: the client times out, the engine releases when it wakes up", async () => {
    planning.faults.hang(300);
    const impatient = new PlanningClient(planning.url, { timeoutMs: 50 });
    expect(await refusal(impatient.release("FV-1000-2026-W50"))).toMatchObject({ category: "technical", code: "PLANNING_TIMEOUT" });
    await vi.waitFor(() => expect(planning.version("FV-1000-2026-W50")!.status).toBe("RELEASED"), { timeout: 2_000, interval: 20 });
  });

  it("controls over HTTP: faults, seed, state", async () => {
    await fetch(`${planning.url}/planning/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ fault: { kind: "hang", ms: 10, phase: "after" }, count: 3 }),
    });
    expect(planning.faults.pending()).toEqual([{ fault: { kind: "hang", ms: 10, phase: "after" }, remaining: 3 }]);
    await fetch(`${planning.url}/planning/_emulator/faults`, { method: "DELETE" });
    const seeded = await fetch(`${planning.url}/planning/_emulator/seed`, {
      method: "POST",
      body: JSON.stringify({
        versions: [{ versionId: "FV-3000-A", plant: "3000", release: true, buckets: [{ material: "FG-9", week: "2026-W50", quantity: 1, unit: "LTR" }] }],
      }),
    });
    expect(await seeded.json()).toEqual({ versions: 3 });
    expect(planning.version("FV-3000-A")!.status).toBe("RELEASED");
  });
});
