import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMesClient, MesClientError } from "./client";
import { startMesEmulator, type MesEmulator } from "./emulator";
import { prodordReleaseToB2mml } from "./release";
import { PRODORD_RELEASE_SAMPLE } from "./samples";
import type { ProdordRelease } from "./schema";

/** The MES's business rules for production orders and confirmations, through its protocols. */

let mes: MesEmulator;
let key = 0;
const nextKey = () => `key-${++key}`;

beforeAll(async () => {
  mes = await startMesEmulator({ now: () => new Date("2026-11-24T08:30:00Z") });
});
afterAll(async () => {
  await mes.close();
});
beforeEach(() => mes.reset());

const client = () => createMesClient(mes.url);
const release = (order: Partial<ProdordRelease> = {}) => client().releaseOrder({ ...PRODORD_RELEASE_SAMPLE, ...order }, { idempotencyKey: nextKey() });

async function refusal(promise: Promise<unknown>): Promise<MesClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MesClientError)) throw new Error(`expected a MesClientError, got ${String(error)}`);
  return error;
}

async function postXml(xml: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${mes.url}/mes/b2mml/production-schedule`, { method: "POST", headers: { "content-type": "application/xml" }, body: xml });
  return { status: response.status, text: await response.text() };
}

describe("production schedule in (PRODORD_RELEASE)", () => {
  it("creates the order RELEASED with its operations; leading zeros are not significant", async () => {
    const answer = await release();
    expect(answer.acknowledgement.requests).toEqual([{ orderNumber: "1004711", mesStatus: "RELEASED", requestState: "Released" }]);
    const order = await client().order("000001004711");
    expect(order).toMatchObject({ orderNumber: "1004711", status: "RELEASED", sapStatus: "REL", quantity: 250, unit: "PC", bomRevision: "A" });
    expect(order.operations.map((op) => [op.operation, op.workCentre, op.status, op.openQuantity])).toEqual([
      ["0010", "WC-CUT-01", "RELEASED", 250],
      ["0020", "WC-WELD-02", "RELEASED", 250],
    ]);
  });

  it("an order whose operations are not released is SCHEDULED (B2MML Forecast)", async () => {
    const answer = await release({ operations: PRODORD_RELEASE_SAMPLE.operations.map((op) => ({ ...op, released: false })) });
    expect(answer.acknowledgement.requests[0]).toMatchObject({ mesStatus: "SCHEDULED", requestState: "Forecast" });
    expect(mes.order("1004711")?.status).toBe("SCHEDULED");
  });

  it("the same order with the same content again is accepted without change", async () => {
    await release();
    const again = await release();
    expect(again.acknowledgement.description).toMatch(/unchanged/);
    expect(mes.order("1004711")?.revision).toBe(1);
  });

  it("a duplicate order number with different content is refused (MES-ORD-001)", async () => {
    await release();
    const error = await refusal(release({ quantity: 300 }));
    expect(error).toMatchObject({ category: "business", code: "MES-ORD-001", status: 422 });
    expect(error.message).toMatch(/already exists .* different content/);
    expect(mes.order("1004711")?.quantity).toBe(250);
  });

  it("an unknown work centre is refused (MES-EQP-001) and nothing is created", async () => {
    const error = await refusal(release({ operations: [{ operation: "0010", workCentre: "WC-LASER-09" }], components: undefined }));
    expect(error).toMatchObject({ category: "business", code: "MES-EQP-001" });
    expect(error.message).toBe("Work centre WC-LASER-09 (operation 0010) is not defined in the equipment model of site 1000");
    expect(mes.order("1004711")).toBeUndefined();
  });

  it("a work centre added to the equipment model makes the same order acceptable", async () => {
    await refusal(release({ operations: [{ operation: "0010", workCentre: "WC-LASER-09" }], components: undefined }));
    mes.addWorkCentre("1000", "WC-LASER-09");
    await release({ operations: [{ operation: "0010", workCentre: "WC-LASER-09" }], components: undefined });
    expect(mes.order("1004711")?.status).toBe("RELEASED");
  });

  it("unit ST (SAP's internal code for piece) is refused with the MES's own error (scenario 7)", async () => {
    const error = await refusal(release({ unit: "ST" }));
    expect(error).toMatchObject({ category: "business", code: "MES-UOM-001" });
    expect(error.message).toBe("Unit of measure ST (order 1004711) is not defined in the MES; known units: PC, KG, M, L");
    const component = await refusal(release({ components: [{ material: "RM-4711", quantity: 500, unit: "ST" }] }));
    expect(component.code).toBe("MES-UOM-001");
  });

  it("a quantity that is not greater than zero is refused (MES-QTY-001)", async () => {
    // The JSON schema already forbids it, so the message is written directly.
    const xml = prodordReleaseToB2mml(PRODORD_RELEASE_SAMPLE, { bodId: "q0" }).replaceAll(
      "<QuantityString>250</QuantityString>",
      "<QuantityString>0</QuantityString>",
    );
    const answer = await postXml(xml);
    expect(answer.status).toBe(422);
    expect(answer.text).toContain("<ReasonCode>MES-QTY-001</ReasonCode>");
  });

  it("input that is no production schedule is refused as a contract error (400, MES-B2MML-*)", async () => {
    expect(await postXml("<ProcessProductionSchedule><DataArea>")).toMatchObject({ status: 400 });
    const wrongRoot = await postXml('<ProcessProductionPerformance xmlns="http://www.mesa.org/xml/B2MML-V0600"/>');
    expect(wrongRoot.status).toBe(400);
    expect(wrongRoot.text).toContain("<ReasonCode>MES-B2MML-001</ReasonCode>");
    const noBodId = prodordReleaseToB2mml(PRODORD_RELEASE_SAMPLE, { bodId: "x" }).replace("<BODID>x</BODID>", "");
    expect((await postXml(noBodId)).text).toContain("<ReasonCode>MES-B2MML-002</ReasonCode>");
    const json = await fetch(`${mes.url}/mes/b2mml/production-schedule`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(415);
  });

  it("re-release (ChangeProductionSchedule): dates and quantity change before start; unknown orders cannot be changed", async () => {
    const unknown = await refusal(release({ releaseType: "change" }));
    expect(unknown.code).toBe("MES-ORD-002");
    await release();
    const changed = await release({ releaseType: "change", quantity: 200, plannedEnd: "2026-11-27" });
    expect(changed.acknowledgement.description).toMatch(/changed/);
    expect(mes.order("1004711")).toMatchObject({ quantity: 200, plannedEnd: "2026-11-27", revision: 2 });
    const otherMaterial = await refusal(release({ releaseType: "change", material: "FG-3100" }));
    expect(otherMaterial.code).toBe("MES-ORD-001");
  });

  it("an order already started cannot be re-released with a lower quantity (MES-ORD-003); a higher one is fine", async () => {
    await release();
    mes.confirm({ order: "1004711", operation: "0010", yield: 100 });
    const lower = await refusal(release({ releaseType: "change", quantity: 240 }));
    expect(lower).toMatchObject({ code: "MES-ORD-003" });
    expect(lower.message).toMatch(/already started \(RUNNING\).*lower quantity \(240 < 250 PC\)/);
    await release({ releaseType: "change", quantity: 260 });
    const order = mes.order("1004711");
    expect(order).toMatchObject({ quantity: 260, status: "RUNNING" });
    expect(order?.operations[0]).toMatchObject({ status: "RUNNING", confirmedYield: 100 });
  });

  it("confirmed operations cannot be removed, closed orders cannot be re-released", async () => {
    await release();
    mes.confirm({ order: "1004711", operation: "0010", yield: 10 });
    const removed = await refusal(release({ releaseType: "change", operations: [PRODORD_RELEASE_SAMPLE.operations[1]!], components: undefined }));
    expect(removed.code).toBe("MES-OPR-004");
    await client().closeOrder("1004711", { idempotencyKey: nextKey() });
    expect((await refusal(release({ releaseType: "change", quantity: 300 }))).code).toBe("MES-ORD-004");
  });

  it("a schedule is applied all or nothing and lists every refusal", async () => {
    const good = { ...PRODORD_RELEASE_SAMPLE, orderNumber: "1004712" };
    const bad = { ...PRODORD_RELEASE_SAMPLE, orderNumber: "1004713", unit: "ST" };
    const xml = prodordReleaseToB2mml(good, { bodId: "two" }).replace(
      "</ProductionRequest>",
      `</ProductionRequest>${prodordReleaseToB2mml(bad, { bodId: "y" }).match(/<ProductionRequest>[\s\S]*<\/ProductionRequest>/)?.[0]}`,
    );
    const answer = await postXml(xml);
    expect(answer.status).toBe(422);
    expect(mes.order("1004712")).toBeUndefined();
    expect(mes.order("1004713")).toBeUndefined();
  });
});

describe("confirmations at the MES (PRODORD_CONFIRM source)", () => {
  beforeEach(async () => {
    await release();
  });

  it("partial, then final confirmation: operation RUNNING → DONE, order RELEASED → RUNNING → DONE", async () => {
    const first = await client().confirm("1004711", "0010", { yield: 120, scrap: 3 }, { idempotencyKey: nextKey() });
    expect(first.confirmation).toMatchObject({ id: "MESCONF-0000001", final: false, overDelivery: false, orderStatus: "RUNNING" });
    expect(first.order.operations[0]).toMatchObject({ status: "RUNNING", openQuantity: 127 });
    const second = await client().confirm("1004711", "0010", { yield: 127 }, { idempotencyKey: nextKey() });
    expect(second.confirmation.final).toBe(true);
    expect(second.order.operations[0]?.status).toBe("DONE");
    const last = await client().confirm("1004711", "0020", { yield: 240, scrap: 10 }, { idempotencyKey: nextKey() });
    expect(last.order).toMatchObject({ status: "DONE", sapStatus: "CNF" });
    const closed = await client().closeOrder("1004711", { idempotencyKey: nextKey() });
    expect(closed).toMatchObject({ status: "CLOSED", sapStatus: "TECO" });
  });

  it("an operation that is not released cannot be confirmed (MES-OPR-002)", async () => {
    await release({
      releaseType: "change",
      operations: [PRODORD_RELEASE_SAMPLE.operations[0]!, { ...PRODORD_RELEASE_SAMPLE.operations[1]!, released: false }],
    });
    const error = await refusal(client().confirm("1004711", "0020", { yield: 10 }));
    expect(error).toMatchObject({ category: "business", code: "MES-OPR-002", status: 409 });
    expect(error.message).toBe("Operation 0020 of order 1004711 is not released");
  });

  it("over the open quantity: within 10% tolerance accepted and flagged, beyond refused (MES-QTY-002)", async () => {
    const flagged = await client().confirm("1004711", "0010", { yield: 260 });
    expect(flagged.confirmation).toMatchObject({ overDelivery: true, final: true });
    const refused = await refusal(client().confirm("1004711", "0020", { yield: 276 }));
    expect(refused).toMatchObject({ code: "MES-QTY-002" });
    expect(refused.message).toBe("Confirmed quantity 276 PC exceeds the open quantity 250 PC of operation 0020 (tolerance 10%)");
    expect(mes.order("1004711")?.operations[1]?.confirmedYield).toBe(0);
  });

  it("unknown order or operation, a finally confirmed operation, a closed order, bad input", async () => {
    expect(await refusal(client().confirm("999", "0010", { yield: 1 }))).toMatchObject({ code: "MES-ORD-002", status: 404 });
    expect(await refusal(client().confirm("1004711", "0090", { yield: 1 }))).toMatchObject({ code: "MES-OPR-001", status: 404 });
    await client().confirm("1004711", "0010", { yield: 1, final: true });
    expect(await refusal(client().confirm("1004711", "0010", { yield: 1 }))).toMatchObject({ code: "MES-OPR-003" });
    expect(await refusal(client().confirm("1004711", "0020", { yield: 0 }))).toMatchObject({ code: "MES-QTY-004", status: 400 });
    expect(await refusal(client().confirm("1004711", "0020", { yield: -1 }))).toMatchObject({ code: "MES-API-002", status: 400 });
    expect(await refusal(client().confirm("1004711", "0020", { yield: 1, start: "2026-11-24T09:00:00Z", end: "2026-11-24T08:00:00Z" }))).toMatchObject({
      code: "MES-TIM-001",
    });
    await client().closeOrder("1004711");
    expect(await refusal(client().confirm("1004711", "0020", { yield: 1 }))).toMatchObject({ code: "MES-ORD-004" });
  });
});
