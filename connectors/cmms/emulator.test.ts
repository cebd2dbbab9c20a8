import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { CmmsClient, RestCallError } from "./client";
import { startCmmsEmulator, type CmmsEmulator } from "./emulator";
import { maintWorkOrderPayloadSchema } from "./schema";
import { cmmsSource } from "./source";

/** The CMMS emulator over HTTP: work orders, statuses, reservations, consumption, idempotency, faults. */

const NOW = new Date("2026-11-23T09:30:00Z");
let cmms: CmmsEmulator;
let client: CmmsClient;

beforeAll(async () => {
  cmms = await startCmmsEmulator({ now: () => NOW });
  client = new CmmsClient({ baseUrl: cmms.url, timeoutMs: 2_000 });
});
afterAll(async () => {
  await cmms.close();
});
beforeEach(() => {
  cmms.reset();
});

async function refusal(promise: Promise<unknown>): Promise<RestCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestCallError);
  return error as RestCallError;
}

describe("work orders", () => {
  it("creates 4100018 for equipment in plant 1000 and publishes MAINT_WORK_ORDER", async () => {
    const created = await client.createWorkOrder({
      equipment: "EQ-1013",
      description: "Oil leak at valve block",
      priority: "1",
      plannedStart: "2026-11-24T06:00:00Z",
    });
    expect(created).toMatchObject({ workOrder: "4100018", plant: "1000", status: "CREATED", maintenanceType: "CORRECTIVE" });
    expect(created.messages).toHaveLength(1);
    const payload = maintWorkOrderPayloadSchema.parse(created.messages[0]!.payload);
    expect(payload).toEqual({
      workOrder: "4100018",
      erpOrder: "000004100018",
      plant: "1000",
      equipment: "EQ-1013",
      equipmentDescription: "Hydraulic Press HP-400",
      equipmentSerialNumber: "HP400-0173",
      functionalLocation: "Hall 1",
      description: "Oil leak at valve block",
      maintenanceType: "CORRECTIVE",
      priority: "1",
      status: "CREATED",
      plannedStart: "2026-11-24T06:00:00Z",
      reservations: [],
      changedAt: "2026-11-23T09:30:00Z",
    });
    expect((await client.createWorkOrder({ equipment: "EQ-1012", description: "x", plannedStart: "2026-11-24T06:00:00Z" })).workOrder).toBe("4200004");
    expect((await refusal(client.createWorkOrder({ equipment: "EQ-9999", description: "x", plannedStart: "2026-11-24T06:00:00Z" }))).code).toBe(
      "CM-EQUIPMENT-UNKNOWN",
    );
  });

  it("status moves only forward; the same status again is unchanged; each change is published", async () => {
    const source = cmmsSource(cmms.url);
    const released = await source.advance("4200003", "IN_PROGRESS");
    expect(released?.status).toBe("IN_PROGRESS");
    expect(await source.advance("4200003", "IN_PROGRESS")).toBeUndefined();
    const back = await refusal(client.setStatus("4200003", "RELEASED"));
    expect(back).toMatchObject({
      category: "business",
      status: 409,
      code: "CM-STATUS-BACKWARD",
      message: "Work order 4200003 cannot go back from IN_PROGRESS to RELEASED",
    });
    expect((await source.advance("4200003", "CLOSED"))?.status).toBe("CLOSED");
    expect(cmms.events().map((e) => (e.payload as { status: string }).status)).toEqual(["IN_PROGRESS", "CLOSED"]);
    expect((await refusal(client.setStatus("4999999", "CLOSED"))).code).toBe("CM-WO-UNKNOWN");
  });

  it("a status synchronised from the ERP is recorded with its source and not published back", async () => {
    const answer = await client.setStatus("4100017", "COMPLETED", "ERP");
    expect(answer).toMatchObject({ status: "COMPLETED", changed: true, messages: [] });
    expect(cmms.workOrder("4100017")?.statusHistory.at(-1)).toEqual({ status: "COMPLETED", at: "2026-11-23T09:30:00Z", source: "ERP" });
    expect(cmms.events()).toEqual([]);
  });
});

describe("reservations and consumption", () => {
  it("reserve then consume: SPARE_PARTS_USAGE as MBGMCR03 261 against the SAP order with the reservation", async () => {
    const source = cmmsSource(cmms.url);
    const wo = await source.reserve("4100017", { material: "SP-0315", quantity: 2 });
    expect(wo.reservations.map((r) => `${r.reservation}/${r.item} ${r.material} ${r.quantity}`)).toEqual([
      "0000051001/0001 SP-0042 4",
      "0000051001/0002 SP-0315 2",
    ]);
    const usage = await source.consume("4100017", { material: "SP-0042", quantity: 3 });
    expect(usage).toEqual({
      idocType: "MBGMCR03",
      control: { DOCNUM: "0000000007100001", MESTYP: "MBGMCR", SNDPRN: "CMMS_1000", RCVPRN: "ERPCLNT100" },
      E1BP2017_GM_HEAD_01: { PSTNG_DATE: "20261123", DOC_DATE: "20261123", REF_DOC_NO: "GI00000001", HEADER_TXT: "WO 4100017 spare parts" },
      E1BP2017_GM_CODE: { GM_CODE: "03" },
      E1BP2017_GM_ITEM_CREATE: [
        {
          MATERIAL: "SP-0042",
          PLANT: "1000",
          STGE_LOC: "0001",
          MOVE_TYPE: "261",
          ENTRY_QNT: "3",
          ENTRY_UOM: "PC",
          ORDERID: "000004100017",
          RESERV_NO: "0000051001",
          RES_ITEM: "0001",
        },
      ],
    });
    expect(cmms.workOrder("4100017")?.reservations[0]?.withdrawnQuantity).toBe(3);
    expect(cmms.events().map((e) => e.interface)).toEqual(["MAINT_WORK_ORDER", "SPARE_PARTS_USAGE"]);
  });

  it("consume on a closed work order: 'work order closed'; a part not reserved: 'part not reserved'; not released; wrong unit", async () => {
    const closed = await refusal(client.consume("4100016", { material: "SP-0042", quantity: 1 }));
    expect(closed).toMatchObject({ status: 409, code: "CM-WO-CLOSED", message: "Work order 4100016 closed: no goods issue possible" });
    const notReserved = await refusal(client.consume("4100017", { material: "SP-0315", quantity: 1 }));
    expect(notReserved).toMatchObject({ status: 409, code: "CM-PART-NOT-RESERVED", message: "Part SP-0315 not reserved for work order 4100017" });
    const created = await client.createWorkOrder({ equipment: "EQ-1014", description: "x", plannedStart: "2026-11-24T06:00:00Z" });
    await client.reserve(created.workOrder, { material: "SP-0042", quantity: 1 });
    expect((await refusal(client.consume(created.workOrder, { material: "SP-0042", quantity: 1 }))).code).toBe("CM-WO-NOT-RELEASED");
    expect((await refusal(client.consume("4100017", { material: "SP-0042", quantity: 1, unit: "PAL" }))).code).toBe("CM-UNIT-INVALID");
    expect(cmms.events().filter((e) => e.interface === "SPARE_PARTS_USAGE")).toEqual([]);
  });

  it("reservations: refused on closed and completed work orders, for unknown parts and units", async () => {
    expect((await refusal(client.reserve("4100016", { material: "SP-0042", quantity: 1 }))).code).toBe("CM-WO-CLOSED");
    await client.setStatus("4100017", "COMPLETED");
    expect((await refusal(client.reserve("4100017", { material: "SP-0042", quantity: 1 }))).code).toBe("CM-WO-COMPLETED");
    // Completed (SAP: TECO) still allows the goods issue of what was reserved; closed does not.
    expect((await client.consume("4100017", { material: "SP-0042", quantity: 4 })).quantity).toBe(4);
    expect((await refusal(client.reserve("4200003", { material: "SP-9999", quantity: 1 }))).code).toBe("CM-MATERIAL-UNKNOWN");
    expect((await refusal(client.reserve("4200003", { material: "SP-0042", quantity: 1, unit: "KG" }))).code).toBe("CM-UNIT-INVALID");
    const zero = await refusal(client.reserve("4200003", { material: "SP-0042", quantity: 0 }));
    expect(zero).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  });
});

describe("Idempotency-Key and faults", () => {
  it("the same consumption three times concurrently is posted once", async () => {
    const answers = await Promise.all([1, 2, 3].map(() => client.consume("4100017", { material: "SP-0042", quantity: 1 }, { idempotencyKey: "gi-1" })));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(cmms.workOrder("4100017")?.consumptions).toHaveLength(1);
    expect(cmms.applications("gi-1")).toBe(1);
    expect((await refusal(client.consume("4100017", { material: "SP-0042", quantity: 2 }, { idempotencyKey: "gi-1" }))).code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("lost answer after a consumption: the retry with the key posts nothing more", async () => {
    cmms.faults.dropConnection({ phase: "after" });
    expect((await refusal(client.consume("4100017", { material: "SP-0042", quantity: 1 }, { idempotencyKey: "gi-2" }))).code).toBe("CONNECTION");
    const retry = await client.consume("4100017", { material: "SP-0042", quantity: 1 }, { idempotencyKey: "gi-2" });
    expect(retry.document).toBe("GI00000001");
    expect(cmms.workOrder("4100017")?.consumptions).toHaveLength(1);
    expect(cmms.events()).toHaveLength(1);
  });

  it("unavailable and close before apply nothing; hang before applies late", async () => {
    cmms.faults.unavailable(1);
    expect((await refusal(client.setStatus("4200003", "IN_PROGRESS", "CMMS", { idempotencyKey: "s-1" }))).code).toBe("HTTP-503");
    cmms.faults.dropConnection();
    expect((await refusal(client.setStatus("4200003", "IN_PROGRESS", "CMMS", { idempotencyKey: "s-1" }))).category).toBe("technical");
    expect(cmms.workOrder("4200003")?.status).toBe("RELEASED");
    cmms.faults.hang(300);
    const impatient = new CmmsClient({ baseUrl: cmms.url, timeoutMs: 50 });
    expect((await refusal(impatient.setStatus("4200003", "IN_PROGRESS", "CMMS", { idempotencyKey: "s-1" }))).code).toBe("TIMEOUT");
    await vi.waitFor(() => expect(cmms.workOrder("4200003")?.status).toBe("IN_PROGRESS"), { timeout: 2_000, interval: 20 });
    expect(cmms.applications("s-1")).toBe(1);
  });
});
