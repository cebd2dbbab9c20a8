import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ReplayHandler, ReplayJob, ReplayOutcome } from "../sdk/replay";
import { runReplayHandler } from "../sdk/replay";
import { startEdiEmulator, type EdiEmulator } from "./emulator";
import { ediReplayHandler, guessRefusal } from "./replay-handler";
import type { SupplierAsnPayload } from "./schema";
import { shipSupplierAsn } from "./source";

/**
 * A stand-in for the receiving system (the real ones, Odoo / WMS, are other emulators): it holds the
 * buyer's purchase orders, applies each idempotency key once and refuses as a receiving system does.
 */
function receivingSystem() {
  const openQuantity = new Map([
    ["4500001234/10", 500],
    ["4500001234/20", 10000],
    ["4500001300/10", 1000],
  ]);
  const applied = new Map<string, ReplayOutcome>();
  const asns = new Set<string>();
  let down = false;
  const handler: ReplayHandler = {
    async deliver(job) {
      if (down) return { status: "failed", category: "technical", code: "HTTP-503", message: "receiving system unavailable", durationMs: 0 };
      const known = applied.get(job.idempotencyKey);
      if (known) return known;
      const asn = job.payload as SupplierAsnPayload;
      let outcome: ReplayOutcome = { status: "delivered", response: { receipt: `WH/IN/${applied.size + 1}` }, durationMs: 0 };
      if (asns.has(asn.asnNumber))
        outcome = { status: "failed", category: "business", code: "DUPLICATE", message: `ASN ${asn.asnNumber} already received`, durationMs: 0 };
      for (const line of asn.lines) {
        if (outcome.status === "failed") break;
        const open = openQuantity.get(`${asn.purchaseOrder}/${Number(line.poLine)}`);
        if (open === undefined) {
          outcome = {
            status: "failed",
            category: "business",
            code: "PO_LINE_UNKNOWN",
            message: `Purchase order ${asn.purchaseOrder} line ${line.poLine} does not exist`,
            durationMs: 0,
          };
        } else if (line.quantity > open) {
          outcome = {
            status: "failed",
            category: "business",
            code: "QTY_OVER",
            message: `Quantity ${line.quantity} exceeds the open quantity ${open}`,
            durationMs: 0,
          };
        }
      }
      if (outcome.status === "delivered") {
        asns.add(asn.asnNumber);
        for (const line of asn.lines)
          openQuantity.set(`${asn.purchaseOrder}/${Number(line.poLine)}`, openQuantity.get(`${asn.purchaseOrder}/${Number(line.poLine)}`)! - line.quantity);
      }
      applied.set(job.idempotencyKey, outcome);
      return outcome;
    },
  };
  return { handler, applied, asns, setDown: (value: boolean) => (down = value) };
}

let portal: EdiEmulator;
beforeAll(async () => {
  portal = await startEdiEmulator();
});
afterAll(() => portal.close());
beforeEach(() => portal.reset());

const job = (payload: unknown, key: string): ReplayJob => ({
  replayId: `r-${key}`,
  idempotencyKey: key,
  plantCode: "1000",
  interface: "SUPPLIER_ASN",
  messageId: "m-1",
  correlationId: "c-1",
  payload,
  attempt: 1,
});

describe("ediReplayHandler", () => {
  it("a corrected ASN reaches the receiving system; the portal gets an 824 'accepted' for the original interchange, once", async () => {
    const shipped = await shipSupplierAsn(portal.url, {
      purchaseOrder: "4500001234",
      shipDate: "2026-12-08",
      scenario: "unknown-po-line",
      lines: [{ poLine: "10", quantity: 5 }],
    });
    const receiving = receivingSystem();
    const handler = ediReplayHandler(portal.url, { receiving: receiving.handler });

    const refused = await runReplayHandler(handler, job(shipped.asn, "replay-1"));
    expect(refused).toMatchObject({ status: "failed", category: "business", code: "PO_LINE_UNKNOWN" });
    expect(portal.asn(shipped.asn.asnNumber)).toMatchObject({ status: "REFUSED", refusals: [{ code: "PO_UNKNOWN", poLine: "30" }] });

    const corrected = { ...shipped.asn, lines: shipped.asn.lines.filter((l) => l.poLine !== "30") };
    const delivered = await runReplayHandler(handler, job(corrected, "replay-2"));
    expect(delivered).toMatchObject({
      status: "delivered",
      response: { receipt: "WH/IN/2", supplierAcknowledgment: { document: "824", asnStatus: "ACCEPTED", duplicate: false } },
    });
    const again = await runReplayHandler(handler, job(corrected, "replay-2"));
    expect(again).toMatchObject({ status: "delivered", response: { supplierAcknowledgment: { document: "824", asnStatus: "ACCEPTED" } } });
    expect(portal.applications("replay-2:application")).toBe(1);
    expect(receiving.asns.size).toBe(1);
    const transmission = portal.transmission(shipped.controlNumber)!;
    expect(transmission.acknowledgments.map((a) => `${a.document}:${a.status}`)).toEqual(["824:refused", "824:accepted"]);
    expect(portal.asn(shipped.asn.asnNumber)!.status).toBe("ACCEPTED");
  });

  it("a dry run checks the ASN form, then asks the receiving system's own check; the supplier is told nothing", async () => {
    const shipped = await shipSupplierAsn(portal.url, { purchaseOrder: "4500001234", shipDate: "2026-12-08", lines: [{ poLine: "20", quantity: 10 }] });
    const receiving = receivingSystem();
    // Without a check of the receiving system, the handler has none either (the push endpoint answers DRY_RUN_UNSUPPORTED).
    expect(ediReplayHandler(portal.url, { receiving: receiving.handler }).check).toBeUndefined();
    const checked: string[] = [];
    const handler = ediReplayHandler(portal.url, {
      receiving: {
        ...receiving.handler,
        check: async (j) => {
          checked.push(j.idempotencyKey);
          return { status: "delivered", response: { wouldReceive: true }, durationMs: 0 };
        },
      },
    });
    expect(await runReplayHandler({ deliver: handler.check! }, job({ ...shipped.asn, lines: [] }, "dry-1"))).toMatchObject({
      status: "failed",
      category: "business",
      code: "ASN_INVALID",
    });
    expect(await runReplayHandler({ deliver: handler.check! }, job(shipped.asn, "dry-2"))).toMatchObject({
      status: "delivered",
      response: { wouldReceive: true },
    });
    expect(checked).toEqual(["dry-2"]);
    expect(receiving.applied.size).toBe(0);
    expect(portal.transmission(shipped.controlNumber)!.acknowledgments).toEqual([]);
  });

  it("answers an EDIFACT supplier with APERAK", async () => {
    const shipped = await shipSupplierAsn(portal.url, { purchaseOrder: "4500001300", shipDate: "2026-12-08", scenario: "over-quantity" });
    const outcome = await runReplayHandler(ediReplayHandler(portal.url, { receiving: receivingSystem().handler }), job(shipped.asn, "replay-3"));
    expect(outcome).toMatchObject({
      status: "failed",
      category: "business",
      details: { supplierAcknowledgment: { document: "APERAK", asnStatus: "REFUSED" } },
    });
    expect(portal.asn(shipped.asn.asnNumber)!.refusals[0]).toMatchObject({ code: "QTY_OVER_PO" });
  });

  it("sends nothing when the receiving system is down (technical), and stays delivered when only the portal is down", async () => {
    const shipped = await shipSupplierAsn(portal.url, { purchaseOrder: "4500001234", shipDate: "2026-12-08", lines: [{ poLine: "20", quantity: 10 }] });
    const receiving = receivingSystem();
    const handler = ediReplayHandler(portal.url, { receiving: receiving.handler, timeoutMs: 1_000 });
    receiving.setDown(true);
    expect(await runReplayHandler(handler, job(shipped.asn, "replay-4"))).toMatchObject({ status: "failed", category: "technical" });
    expect(portal.transmission(shipped.controlNumber)!.acknowledgments).toEqual([]);

    receiving.setDown(false);
    portal.faults.unavailable(5);
    const outcome = await runReplayHandler(handler, job(shipped.asn, "replay-4"));
    expect(outcome).toMatchObject({
      status: "delivered",
      response: { supplierAcknowledgment: { verdict: "accepted", error: expect.stringContaining("SERVICE_UNAVAILABLE") } },
    });
  });

  it("refuses a payload that is not a SUPPLIER_ASN without calling anyone", async () => {
    const receiving = receivingSystem();
    const outcome = await runReplayHandler(ediReplayHandler(portal.url, { receiving: receiving.handler }), job({ asnNumber: "X" }, "replay-5"));
    expect(outcome).toMatchObject({ status: "failed", category: "business", code: "ASN_INVALID" });
    expect(receiving.applied.size).toBe(0);
  });

  it("guesses refusal codes from other systems' failures", () => {
    expect(guessRefusal({ code: "odoo.exceptions.MissingError", message: "Record does not exist or has been deleted. (Record: purchase.order.line)" })).toBe(
      "PO_UNKNOWN",
    );
    expect(guessRefusal({ code: "QTY", message: "Quantity 12 exceeds the open quantity 10" })).toBe("QTY_OVER_PO");
    expect(guessRefusal({ code: "X", message: "ASN 4 already received" })).toBe("DUPLICATE_ASN");
    expect(guessRefusal({ code: "ASN-UOM-UNMAPPED", message: 'Unit of measure "KGM" not mapped' })).toBe("OTHER");
  });
});
