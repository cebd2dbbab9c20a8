import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMesClient, MesClientError } from "./client";
import { startMesEmulator, type MesEmulator } from "./emulator";
import { PRODORD_RELEASE_SAMPLE } from "./samples";
import { prodordConfirmSchema } from "./schema";
import { emitConfirmation, pollConfirmations } from "./source";

/** The MES as the source of PRODORD_CONFIRM: what the simulator calls and what a connector polls. */

let mes: MesEmulator;
beforeAll(async () => {
  mes = await startMesEmulator({ now: () => new Date("2026-11-24T13:00:00Z") });
});
afterAll(async () => {
  await mes.close();
});
beforeEach(async () => {
  mes.reset();
  await createMesClient(mes.url).releaseOrder(PRODORD_RELEASE_SAMPLE, { idempotencyKey: "release" });
});

describe("emitConfirmation", () => {
  it("records the confirmation in the MES and answers its B2MML and the PRODORD_CONFIRM payload", async () => {
    const emitted = await emitConfirmation(mes.url, { order: "000001004711", operation: "0020", yield: 250, start: "2026-11-24T10:00:00Z" });
    expect(emitted).toMatchObject({ sequence: 1, performanceId: "MESPERF-0000001" });
    expect(emitted.xml).toContain("<SegmentState>Completed</SegmentState>");
    expect(prodordConfirmSchema.parse(emitted.payload)).toEqual({
      OrderID: "1004711",
      OrderOperation: "0020",
      Sequence: "0",
      Material: "FG-2200-A",
      Plant: "1000",
      WorkCenter: "WC-WELD-02",
      ConfirmationYieldQuantity: "250",
      ConfirmationScrapQuantity: "0",
      ConfirmationUnit: "PC",
      PostingDate: "2026-11-24",
      FinalConfirmationType: "X",
      ConfirmedExecutionStartDate: "2026-11-24",
      ConfirmedExecutionStartTime: "11:00:00",
      ConfirmedExecutionEndDate: "2026-11-24",
      ConfirmedExecutionEndTime: "14:00:00",
      ConfirmationText: "MES MESCONF-0000001",
      BOMRevision: "A",
    });
    expect(mes.order("1004711")?.operations[1]?.status).toBe("DONE");
  });

  it("the posting date is the plant's day: 23:30 UTC in Hamburg is the next day", async () => {
    const emitted = await emitConfirmation(mes.url, {
      order: "1004711",
      operation: "0010",
      yield: 5,
      start: "2026-11-24T22:00:00Z",
      end: "2026-11-24T23:30:00Z",
    });
    expect(emitted.payload).toMatchObject({ PostingDate: "2026-11-25", ConfirmedExecutionEndTime: "00:30:00", ConfirmedExecutionStartDate: "2026-11-24" });
  });

  it("a refusal at the MES side produces no message", async () => {
    const error = await emitConfirmation(mes.url, { order: "1004711", operation: "0010", yield: 400 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MesClientError);
    expect(error).toMatchObject({ category: "business", code: "MES-QTY-002" });
    expect((await pollConfirmations(mes.url)).items).toEqual([]);
  });

  it("the idempotency key makes a repeated emit record one confirmation", async () => {
    const a = await emitConfirmation(mes.url, { order: "1004711", operation: "0010", yield: 10 }, { idempotencyKey: "sim-1" });
    const b = await emitConfirmation(mes.url, { order: "1004711", operation: "0010", yield: 10 }, { idempotencyKey: "sim-1" });
    expect(b.performanceId).toBe(a.performanceId);
    expect(mes.confirmations()).toHaveLength(1);
  });
});

describe("pollConfirmations", () => {
  it("reads the feed in order with a cursor; the payloads equal what emit answered", async () => {
    const emitted = [];
    for (const yieldQuantity of [10, 20, 30]) emitted.push(await emitConfirmation(mes.url, { order: "1004711", operation: "0010", yield: yieldQuantity }));
    const first = await pollConfirmations(mes.url, 0, { limit: 2 });
    expect(first.items.map((i) => i.sequence)).toEqual([1, 2]);
    expect(first.next).toBe(2);
    const rest = await pollConfirmations(mes.url, first.next);
    expect(rest.items.map((i) => i.payload)).toEqual([emitted[2]?.payload]);
    expect(rest.next).toBe(3);
    expect((await pollConfirmations(mes.url, rest.next)).items).toEqual([]);
    expect(first.items[1]?.payload.ConfirmationYieldQuantity).toBe("20");
  });

  it("an over-delivery within tolerance is published and flagged in ProductionData", async () => {
    await emitConfirmation(mes.url, { order: "1004711", operation: "0010", yield: 270 });
    const { items, xml } = await pollConfirmations(mes.url);
    expect(items[0]?.record.overDelivery).toBe(true);
    expect(xml).toContain("<ID>OverDelivery</ID>");
    expect(items[0]?.payload).toMatchObject({ ConfirmationYieldQuantity: "270", FinalConfirmationType: "X" });
  });
});
