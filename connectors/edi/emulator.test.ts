import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { buildApplicationAdvice, buildFunctionalAck, parseAsn } from "./acknowledgments";
import { EdiPortalClient, EdiPortalError } from "./client";
import { startEdiEmulator, type EdiEmulator } from "./emulator";
import { parseEdifactAsn } from "./edifact";
import { SAMPLE_SUPPLIER_ASN } from "./samples";
import { edifactLibSegments, edifactTableErrors, x12ParserElements, x12ParserSegments } from "./test-support";
import { parseX12Asn } from "./x12";

const NOW = new Date("2026-12-07T10:30:00Z");
let portal: EdiEmulator;
let client: EdiPortalClient;

beforeAll(async () => {
  portal = await startEdiEmulator({ now: () => NOW });
  client = new EdiPortalClient(portal.url, { timeoutMs: 2_000 });
});
afterAll(() => portal.close());
beforeEach(() => portal.reset());

const ship = (lines = [{ poLine: "10", quantity: 120, lot: "L-1" }], extra: Record<string, unknown> = {}) =>
  fetch(`${portal.url}/portal/asns`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(extra.key ? { "idempotency-key": String(extra.key) } : {}) },
    body: JSON.stringify({ purchaseOrder: "4500001234", shipDate: "2026-12-07", asnNumber: "ASN-1", lines, ...(extra.body as object) }),
  });

async function problemOf(promise: Promise<unknown>): Promise<EdiPortalError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EdiPortalError);
  return error as EdiPortalError;
}

describe("purchase orders and ASNs", () => {
  it("ships an ASN against an order: 201, shipped quantity, an interchange in the supplier's syntax", async () => {
    const res = await ship();
    expect(res.status).toBe(201);
    const body = (await res.json()) as { asn: unknown; status: string; controlNumber: number; syntax: string };
    expect(body).toMatchObject({ status: "SENT", controlNumber: 1001, syntax: "X12" });
    expect(body.asn).toEqual({
      asnNumber: "ASN-1",
      supplier: "SUP-100",
      shipDate: "2026-12-07",
      purchaseOrder: "4500001234",
      lines: [{ poLine: "10", material: "RM-4711", quantity: 120, unit: "KG", lot: "L-1" }],
    });
    expect((await client.purchaseOrder("4500001234")).lines[0]).toMatchObject({ shipped: 120, open: 380 });
  });

  it("serves the interchange as 856 and as DESADV; both read back to the same JSON form", async () => {
    await ship();
    const x12 = await client.asnEdi("ASN-1");
    const desadv = await client.asnEdi("ASN-1", "EDIFACT");
    expect(x12.startsWith("ISA*")).toBe(true);
    expect(parseX12Asn(x12).envelope).toMatchObject({ interchangeControlNumber: "000001001", groupControlNumber: "1001" });
    expect(parseEdifactAsn(desadv).envelope.controlReference).toBe("1001");
    expect(parseX12Asn(x12).asn).toEqual(parseEdifactAsn(desadv).asn);
    const res = await fetch(`${portal.url}/portal/asns/ASN-1/edi?syntax=EDIFACT`);
    expect(res.headers.get("content-type")).toBe("application/edifact");
    expect(await client.transmissions()).toEqual({ transmissions: [{ controlNumber: 1001, asnNumber: "ASN-1", syntax: "X12", sentAt: NOW.toISOString() }] });
  });

  it("produces the sample payload: SAMPLE_SUPPLIER_ASN is an ASN the portal sends", async () => {
    const shipped = await client.shipAsn({
      asnNumber: SAMPLE_SUPPLIER_ASN.asnNumber,
      purchaseOrder: SAMPLE_SUPPLIER_ASN.purchaseOrder,
      shipDate: SAMPLE_SUPPLIER_ASN.shipDate,
      lines: SAMPLE_SUPPLIER_ASN.lines.map(({ poLine, quantity, lot }) => ({ poLine, quantity, ...(lot ? { lot } : {}) })),
    });
    expect(shipped.asn).toEqual(SAMPLE_SUPPLIER_ASN);
    expect(parseAsn(await client.interchange(shipped.controlNumber)).asn).toEqual(SAMPLE_SUPPLIER_ASN);
  });

  it("serves interchanges the independent parsers read: x12-parser and edifact (its DESADV table)", async () => {
    await ship();
    const x12 = await x12ParserSegments(await client.asnEdi("ASN-1", "X12"));
    expect(x12.map((s) => s.name)).toEqual(["ISA", "GS", "ST", "BSN", "HL", "DTM", "N1", "HL", "PRF", "HL", "LIN", "SN1", "SE", "GE", "IEA"]);
    expect(x12ParserElements(x12.find((s) => s.name === "LIN")!)).toEqual(["10", "BP", "RM-4711", "LT", "L-1"]);
    const desadv = edifactLibSegments(await client.asnEdi("ASN-1", "EDIFACT"));
    expect(edifactTableErrors(desadv, "DESADV")).toEqual([]);
    expect(desadv.find((s) => s.name === "QTY")!.elements).toEqual([["12", "120", "KGM"]]);
  });

  it("refuses as the portal's web form does: unknown PO, unknown line, over the open quantity, duplicate ASN", async () => {
    const unknownPo = await problemOf(client.shipAsn({ purchaseOrder: "4500009999", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 1 }] }));
    expect(unknownPo).toMatchObject({ category: "business", code: "PO_UNKNOWN", status: 422 });
    const unknownLine = await problemOf(client.shipAsn({ purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "30", quantity: 1 }] }));
    expect(unknownLine).toMatchObject({ code: "PO_LINE_UNKNOWN", message: "Line 30 does not exist on purchase order 4500001234" });
    const over = await problemOf(client.shipAsn({ purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 501 }] }));
    expect(over).toMatchObject({ code: "QUANTITY_OVER_PO", message: "Quantity 501 KG exceeds the open quantity 500 KG of purchase order 4500001234 line 10" });
    expect(portal.purchaseOrder("4500001234")!.lines[0]!.shipped).toBe(0);

    await client.shipAsn({ asnNumber: "ASN-7", purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 1 }] });
    const duplicate = await problemOf(
      client.shipAsn({ asnNumber: "ASN-7", purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 2 }] }),
    );
    expect(duplicate).toMatchObject({ code: "DUPLICATE_ASN", status: 409 });
  });

  it("answers errors as RFC 9457 problem details", async () => {
    const res = await ship([{ poLine: "30", quantity: 1, lot: "L" }]);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toEqual({
      type: "urn:supplier-portal:problem:po-line-unknown",
      title: "Unprocessable Content",
      status: 422,
      detail: "Line 30 does not exist on purchase order 4500001234",
      code: "PO_LINE_UNKNOWN",
      instance: "/portal/asns",
      poLine: "30",
    });
  });

  it("lets an unchecked upload through (checks: skip): the ASN for an unknown line leaves the portal", async () => {
    const shipped = await client.shipAsn({
      purchaseOrder: "4500001234",
      shipDate: "2026-12-07",
      checks: "skip",
      lines: [
        { poLine: "10", quantity: 600 },
        { poLine: "40", quantity: 5, material: "RM-4711", unit: "KG" },
      ],
    });
    expect(parseAsn(await client.interchange(shipped.controlNumber)).asn.lines.map((l) => [l.poLine, l.quantity])).toEqual([
      ["10", 600],
      ["40", 5],
    ]);
  });

  it("retransmits under a new control number", async () => {
    await ship();
    const again = await client.retransmit("ASN-1");
    expect(again.controlNumber).toBe(1002);
    expect(parseAsn(await client.interchange(1002)).controlNumber).toBe(1002);
    expect(portal.asn("ASN-1")!.transmissions).toEqual([1001, 1002]);
  });
});

describe("idempotency", () => {
  it("applies a key once and answers the first answer again; another body with the key is 422", async () => {
    const first = await ship(undefined, { key: "k-1" });
    const second = await ship(undefined, { key: "k-1" });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.json()).toEqual(await first.json());
    expect(portal.applications("k-1")).toBe(1);
    expect(portal.purchaseOrder("4500001234")!.lines[0]!.shipped).toBe(120);
    const other = await ship([{ poLine: "10", quantity: 7, lot: "L-1" }], { key: "k-1" });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { code: string }).code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("applies concurrent requests with the same key once", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => ship(undefined, { key: "k-par" })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(portal.applications("k-par")).toBe(1);
    expect(portal.counters()).toMatchObject({ applied: 1, replayed: 7 });
    expect(portal.purchaseOrder("4500001234")!.lines[0]!.shipped).toBe(120);
  });

  it("treats the same ASN again without a key as the same ASN (natural key: the ASN number)", async () => {
    expect((await ship()).status).toBe(201);
    expect((await ship()).status).toBe(200);
    expect(portal.purchaseOrder("4500001234")!.lines[0]!.shipped).toBe(120);
  });

  it("applies an inbound interchange once per control number, also concurrently", async () => {
    await ship();
    const subject = await client.asnEdi("ASN-1");
    const ack = buildFunctionalAck(subject, undefined, { controlNumber: 77 });
    const answers = await Promise.all([client.sendEdi(ack), client.sendEdi(ack), client.sendEdi(ack)]);
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(portal.transmission(1001)!.acknowledgments).toHaveLength(1);
    // the same control number rebuilt later (another timestamp) is still the same interchange
    const rebuilt = buildFunctionalAck(subject, undefined, { controlNumber: 77, now: new Date("2026-12-08T00:00:00Z") });
    expect(await client.sendEdi(rebuilt)).toMatchObject({ duplicate: true });
    const other = buildFunctionalAck(subject, { status: "rejected", code: "5" }, { controlNumber: 77 });
    expect(await problemOf(client.sendEdi(other))).toMatchObject({ code: "CONTROL_NUMBER_REUSED", status: 422 });
  });
});

describe("answers from the buyer", () => {
  beforeEach(async () => {
    await ship();
  });

  it("997 accepted → ACKNOWLEDGED; 824 refused → REFUSED with the refusals; 824 accepted → ACCEPTED", async () => {
    const subject = await client.asnEdi("ASN-1");
    expect(await client.sendEdi(buildFunctionalAck(subject, undefined, { controlNumber: 1 }))).toMatchObject({
      document: "997",
      acknowledgedControlNumber: 1001,
      asnNumber: "ASN-1",
      asnStatus: "ACKNOWLEDGED",
      duplicate: false,
    });
    const refused = buildApplicationAdvice(
      subject,
      { status: "refused", refusals: [{ code: "QTY_OVER_PO", message: "Quantity 120 KG exceeds open 100 KG", poLine: "10" }] },
      { controlNumber: 2 },
    );
    expect(await client.sendEdi(refused)).toMatchObject({ document: "824", asnStatus: "REFUSED" });
    expect((await client.asn("ASN-1")).refusals).toEqual([{ code: "QTY_OVER_PO", message: "Quantity 120 KG exceeds open 100 KG" }]);
    expect(await client.sendEdi(buildApplicationAdvice(subject, { status: "accepted" }, { controlNumber: 3 }))).toMatchObject({ asnStatus: "ACCEPTED" });
    expect(portal.transmission(1001)!.acknowledgments.map((a) => `${a.document}:${a.status}`)).toEqual(["997:accepted", "824:refused", "824:accepted"]);
  });

  it("CONTRL rejected → REJECTED; APERAK refusal for a PO line names the line", async () => {
    const subject = await client.asnEdi("ASN-1", "EDIFACT");
    expect(await client.sendEdi(buildFunctionalAck(subject, { status: "rejected", code: "12" }, { controlNumber: 4 }))).toMatchObject({
      document: "CONTRL",
      asnStatus: "REJECTED",
    });
    const aperak = buildApplicationAdvice(
      subject,
      { status: "refused", refusals: [{ code: "PO_UNKNOWN", message: "PO line 10 unknown", poLine: "10" }] },
      { controlNumber: 5 },
    );
    expect(await client.sendEdi(aperak)).toMatchObject({ document: "APERAK", asnStatus: "REFUSED" });
    expect(portal.asn("ASN-1")!.refusals).toEqual([{ code: "PO_UNKNOWN", message: "PO line 10 unknown", poLine: "10" }]);
  });

  it("refuses an answer for an interchange it did not send, and text that is no EDI", async () => {
    const subject = (await client.asnEdi("ASN-1")).replaceAll("1001", "1999").replace("000001001", "000001999");
    expect(await problemOf(client.sendEdi(buildFunctionalAck(subject, undefined, { controlNumber: 6 })))).toMatchObject({
      code: "UNKNOWN_INTERCHANGE",
      status: 422,
    });
    expect(await problemOf(client.sendEdi("hello"))).toMatchObject({ code: "EDI_SYNTAX", status: 400 });
  });
});

describe("faults", () => {
  it("unavailable: 503 with Retry-After, a technical failure, nothing applied", async () => {
    portal.faults.unavailable(1, 30);
    const res = await ship();
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    expect(portal.asn("ASN-1")).toBeUndefined();
    portal.faults.unavailable();
    expect(await problemOf(client.asn("ASN-1"))).toMatchObject({ category: "technical", code: "SERVICE_UNAVAILABLE" });
  });

  it("close before: no answer and nothing applied", async () => {
    portal.faults.dropConnection();
    const error = await problemOf(
      client.shipAsn({ asnNumber: "ASN-1", purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 1 }] }),
    );
    expect(error).toMatchObject({ category: "technical", code: "PORTAL_UNREACHABLE" });
    expect(portal.asn("ASN-1")).toBeUndefined();
  });

  it("close after: applied, answer lost; the retry with the same key gets the first answer, applied once", async () => {
    portal.faults.dropConnection({ phase: "after" });
    const input = { asnNumber: "ASN-1", purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 5 }] };
    expect(await problemOf(client.shipAsn(input, { idempotencyKey: "lost-1" }))).toMatchObject({ category: "technical" });
    expect(portal.asn("ASN-1")).toBeDefined();
    const retried = await client.shipAsn(input, { idempotencyKey: "lost-1" });
    expect(retried.controlNumber).toBe(1001);
    expect(portal.applications("lost-1")).toBe(1);
    expect(portal.purchaseOrder("4500001234")!.lines[0]!.shipped).toBe(5);
    expect(portal.state.transmissions.size).toBe(1);
  });

  it("hang before: the client times out, the portal applies it when it wakes up", async () => {
    portal.faults.hang(300);
    const impatient = new EdiPortalClient(portal.url, { timeoutMs: 50 });
    const input = { asnNumber: "ASN-1", purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 5 }] };
    expect(await problemOf(impatient.shipAsn(input, { idempotencyKey: "slow-1" }))).toMatchObject({ category: "technical", code: "PORTAL_TIMEOUT" });
    await vi.waitFor(() => expect(portal.applications("slow-1")).toBe(1), { timeout: 2_000, interval: 20 });
    expect((await client.shipAsn(input, { idempotencyKey: "slow-1" })).controlNumber).toBe(1001);
    expect(portal.applications("slow-1")).toBe(1);
  });

  it("hang after: applied at once, answered late", async () => {
    portal.faults.hang(100, { phase: "after" });
    const started = performance.now();
    const answer = client.shipAsn({ asnNumber: "ASN-1", purchaseOrder: "4500001234", shipDate: "2026-12-07", lines: [{ poLine: "10", quantity: 5 }] });
    await vi.waitFor(() => expect(portal.asn("ASN-1")).toBeDefined(), { timeout: 1_000, interval: 5 });
    await answer;
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it("faults can be set, listed and cleared over HTTP", async () => {
    const set = await fetch(`${portal.url}/portal/_emulator/faults`, { method: "POST", body: JSON.stringify({ fault: { kind: "unavailable" }, count: 2 }) });
    expect(await set.json()).toEqual({ pending: [{ fault: { kind: "unavailable" }, remaining: 2 }] });
    await fetch(`${portal.url}/portal/_emulator/faults`, { method: "DELETE" });
    expect(portal.faults.pending()).toEqual([]);
    const seeded = await fetch(`${portal.url}/portal/_emulator/seed`, {
      method: "POST",
      body: JSON.stringify({
        purchaseOrders: [{ poNumber: "4500005555", supplier: "SUP-200", lines: [{ line: "10", material: "RM-1", quantity: 5, unit: "PC" }] }],
      }),
    });
    expect(await seeded.json()).toEqual({ suppliers: 2, purchaseOrders: 3 });
  });
});
