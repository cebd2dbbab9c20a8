import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadSchemaFor } from "../../server/corrections/payload-schemas";
import { validatePayload } from "../../server/corrections/validate";
import { sapReplayHandler, startSapEmulator, type SapEmulator } from "../sap";
import { runReplayHandler } from "../sdk/replay";
import { startCmmsEmulator, type CmmsEmulator } from "./emulator";
import { CMMS_PAYLOAD_SCHEMAS, MAINT_WORK_ORDER_JSON_SCHEMA, maintWorkOrderPayloadSchema } from "./schema";
import { cmmsSource } from "./source";

/**
 * Contract of what the CMMS publishes: MAINT_WORK_ORDER against its zod schema and the exported
 * JSON Schema (the portal's validator, @cfworker/json-schema), and SPARE_PARTS_USAGE against the
 * seeded MBGMCR03 schema and — end to end — the SAP emulator, which posts it against the order.
 */

const fixture = () => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "maint-work-order.json"), "utf8")) as Record<string, unknown>;

let cmms: CmmsEmulator;
let sap: SapEmulator;
beforeAll(async () => {
  cmms = await startCmmsEmulator({ now: () => new Date("2026-11-23T09:30:00Z") });
  sap = await startSapEmulator({ now: () => new Date("2026-11-23T09:30:00Z") });
});
afterAll(async () => {
  await cmms.close();
  await sap.close();
});

describe("MAINT_WORK_ORDER", () => {
  it("the fixture is the seeded work order 4100017 as the CMMS publishes it, valid under zod and JSON Schema", () => {
    expect(maintWorkOrderPayloadSchema.safeParse(fixture()).success).toBe(true);
    expect(validatePayload(MAINT_WORK_ORDER_JSON_SCHEMA, fixture())).toEqual([]);
    expect(cmms.state.workOrderPayload(cmms.workOrder("4100017")!)).toEqual({ ...fixture(), changedAt: "2026-11-23T09:30:00Z" });
    expect(CMMS_PAYLOAD_SCHEMAS.MAINT_WORK_ORDER).toBe(MAINT_WORK_ORDER_JSON_SCHEMA);
  });

  const cases: [string, Record<string, unknown>][] = [
    ["status DONE (MES vocabulary)", { ...fixture(), status: "DONE" }],
    ["priority 0 (Odoo's)", { ...fixture(), priority: "0" }],
    ["no equipment", { ...fixture(), equipment: undefined }],
    ["planned start not a date-time", { ...fixture(), plannedStart: "24.11.2026" }],
    ["reservation quantity 0", { ...fixture(), reservations: [{ ...(fixture().reservations as object[])[0], quantity: 0 }] }],
    ["plant as Andon code", { ...fixture(), plant: "DE-HAM" }],
    ["unknown property", { ...fixture(), stage_id: 2 }],
  ];
  it.each(cases)("zod and JSON Schema refuse: %s", (_name, payload) => {
    const clean = JSON.parse(JSON.stringify(payload)) as unknown;
    expect(maintWorkOrderPayloadSchema.safeParse(clean).success).toBe(false);
    expect(validatePayload(MAINT_WORK_ORDER_JSON_SCHEMA, clean)).not.toEqual([]);
  });

  it("every work order message of a day's work validates", async () => {
    cmms.reset();
    const source = cmmsSource(cmms.url);
    const created = await source.createWorkOrder({
      equipment: "EQ-1012",
      description: "Spindle bearing noise",
      maintenanceType: "CORRECTIVE",
      priority: "2",
      plannedStart: "2026-11-24T13:00:00Z",
      plannedEnd: "2026-11-24T17:00:00Z",
    });
    await source.reserve(created.workOrder, { material: "SP-0042", quantity: 2 });
    await source.advance(created.workOrder, "RELEASED");
    await source.advance(created.workOrder, "IN_PROGRESS");
    await source.consume(created.workOrder, { material: "SP-0042", quantity: 2 });
    await source.advance(created.workOrder, "COMPLETED");
    await source.advance(created.workOrder, "CLOSED");
    const { events } = await source.poll();
    expect(events.map((e) => e.interface)).toEqual([
      "MAINT_WORK_ORDER",
      "MAINT_WORK_ORDER",
      "MAINT_WORK_ORDER",
      "MAINT_WORK_ORDER",
      "SPARE_PARTS_USAGE",
      "MAINT_WORK_ORDER",
      "MAINT_WORK_ORDER",
    ]);
    for (const event of events) {
      const schema = event.interface === "MAINT_WORK_ORDER" ? MAINT_WORK_ORDER_JSON_SCHEMA : payloadSchemaFor("SPARE_PARTS_USAGE");
      expect(validatePayload(schema, event.payload), `seq ${event.seq}`).toEqual([]);
      if (event.interface === "MAINT_WORK_ORDER") expect(maintWorkOrderPayloadSchema.safeParse(event.payload).success).toBe(true);
    }
  });
});

describe("SPARE_PARTS_USAGE reaches SAP", () => {
  it("a consumption against 4100017 posts in the SAP emulator as 261 against order 000004100017", async () => {
    cmms.reset();
    sap.reset();
    const stock = { material: "SP-0042", plant: "1000", storageLocation: "0001" };
    expect(sap.stock(stock)).toBe(24);
    const usage = await cmmsSource(cmms.url).consume("4100017", { material: "SP-0042", quantity: 3 });
    const outcome = await runReplayHandler(sapReplayHandler(sap.url), {
      replayId: "r-1",
      idempotencyKey: "spu-1",
      plantCode: "DE-HAM",
      interface: "SPARE_PARTS_USAGE",
      messageId: "m-1",
      correlationId: "c-1",
      payload: usage,
      attempt: 1,
    });
    expect(outcome).toMatchObject({ status: "delivered", response: { status: "53" } });
    expect(sap.stock(stock)).toBe(21);
  });

  it("a CMMS-only spare part is refused by SAP (M3 305): the kind of failure the portal shows", async () => {
    cmms.reset();
    sap.reset();
    const source = cmmsSource(cmms.url);
    await source.reserve("4100017", { material: "SP-0315", quantity: 1 });
    const usage = await source.consume("4100017", { material: "SP-0315", quantity: 1 });
    const outcome = await runReplayHandler(sapReplayHandler(sap.url), {
      replayId: "r-2",
      idempotencyKey: "spu-2",
      plantCode: "DE-HAM",
      interface: "SPARE_PARTS_USAGE",
      messageId: "m-2",
      correlationId: "c-2",
      payload: usage,
      attempt: 1,
    });
    expect(outcome).toMatchObject({ status: "failed", category: "business", code: "M3-305" });
  });
});
