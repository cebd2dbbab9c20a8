import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { assignException } from "../../server/exceptions/assign-exception";
import { commentOnException } from "../../server/exceptions/comment-on-exception";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { searchTransactions, transactionHistory } from "../../server/transactions/history";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let auditor: Actor, operator: Actor, operatorWro: Actor, manager: Actor;
const run = randomUUID().slice(0, 8);
const correlation = `corr-hist-${run}`;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [auditor, operator, operatorWro, manager] = (await Promise.all(
    ["auditor@andon.local", "operator@andon.local", "operator.wro@andon.local", "manager@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor];
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
  // 25 goods movements with business keys HIST-<run>-00..24, one failed; the failed one shares a correlation id.
  const events = Array.from({ length: 25 }, (_, i) => ({
    ok: true as const,
    value: {
      eventId: randomUUID(),
      correlationId: i === 7 ? correlation : randomUUID(),
      messageId: `HIST-${run}-${i}`,
      businessKey: `HIST-${run}-${String(i).padStart(2, "0")}`,
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO" as const, target: "SAP_ERP" as const },
      occurredAt: new Date(Date.now() - (25 - i) * 1000).toISOString(),
      outcome: i === 7 ? ("failed" as const) : ("delivered" as const),
      latencyMs: 300,
      attempt: 1,
      ...(i === 7
        ? { error: { category: "business" as const, code: "M7-021", message: "Deficit of SL Unrestricted-use" }, payload: { material: "RM-4711", qty: 3 } }
        : {}),
    },
  }));
  expect((await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, events)).rejected).toEqual([]);
});

describe("transaction history search", () => {
  it("finds by business-key prefix, message id and correlation id; pages by keyset without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await searchTransactions(auditor, { q: `HIST-${run}-`, limit: "7", ...(cursor ? { cursor } : {}) });
      seen.push(...r.rows.map((x) => x.messageId));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe(`HIST-${run}-24`); // newest first
    expect((await searchTransactions(auditor, { q: `HIST-${run}-7` })).rows.map((r) => r.messageId)).toEqual([`HIST-${run}-7`]);
    const byCorrelation = await searchTransactions(auditor, { q: correlation });
    expect(byCorrelation.rows).toHaveLength(1);
    expect(byCorrelation.rows[0]).toMatchObject({ status: "FAILED", openExceptions: 1, plantCode: "DE-HAM" });
    expect((await searchTransactions(auditor, { q: `HIST-${run}-`, status: "FAILED" })).rows).toHaveLength(1);
    // LIKE wildcards are literal.
    expect((await searchTransactions(auditor, { q: `HIST_${run}` })).rows).toHaveLength(0);
  });

  it("is scoped by the policy and refuses bad input with a 400", async () => {
    expect((await searchTransactions(operatorWro, { q: `HIST-${run}-` })).rows).toHaveLength(0); // PL-WRO only
    await expect(searchTransactions(manager, {})).rejects.toMatchObject({ status: 403 });
    await expect(searchTransactions(auditor, { cursor: "garbage" })).rejects.toMatchObject({ status: 400 });
    await expect(searchTransactions(auditor, { status: "LOST" })).rejects.toThrow();
    await expect(searchTransactions(auditor, { nope: "1" })).rejects.toThrow();
  });
});

describe("one message's full history", () => {
  it("shows the hops, the payload and who did what, from the audit chain; other plants' people get nothing", async () => {
    const e = await db().exception.findFirstOrThrow({ where: { transaction: { correlationId: correlation } } });
    await assignException(operator, e.id, { assigneeId: operator.id });
    await commentOnException(operator, e.id, { body: "Stock posted late; replay after the 101 receipt." });
    const h = (await transactionHistory(auditor, correlation))!;
    expect(h.transactions).toHaveLength(1);
    expect(h.transactions[0]!.payload).toEqual({ material: "RM-4711", qty: 3 });
    expect(h.timeline.map((t) => t.outcome)).toContain("failed");
    expect(h.audit.map((a) => [a.type, a.actor])).toEqual([
      ["exception.opened", "DE-HAM Odoo connector"],
      ["exception.assigned", "operator@andon.local"],
      ["exception.commented", "operator@andon.local"],
    ]);
    expect(h.transactions[0]!.exceptions[0]!.comments[0]!.body).toMatch(/replay after/);
    expect(await transactionHistory(operatorWro, correlation)).toBeNull();
    await expect(transactionHistory(manager, correlation)).rejects.toMatchObject({ status: 403 });
  });
});
