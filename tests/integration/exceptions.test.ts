import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import type { ConnectorPrincipal } from "../../server/connectors/keys";
import { OPEN_STATUSES } from "../../lib/rules";
import { db, pool } from "../../server/db";
import { assignException } from "../../server/exceptions/assign-exception";
import { commentOnException } from "../../server/exceptions/comment-on-exception";
import { discardException } from "../../server/exceptions/discard-exception";
import { exceptionDetail } from "../../server/exceptions/detail";
import { listExceptionGroups, listExceptions, parseQueueFilter } from "../../server/exceptions/queue";
import { ingestEvents } from "../../server/ingest/ingest-events";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let operator: Actor; // all four plants
let operatorWro: Actor; // PL-WRO only
let manager: Actor; // DE-HAM + PL-WRO, read-only
let approver: Actor;
let ham: ConnectorPrincipal;
const tag = randomUUID().slice(0, 8);

async function actor(email: string): Promise<Actor> {
  const u = await db().user.findUniqueOrThrow({ where: { email } });
  return (await loadPrincipal(u.id))!;
}

async function fail(messageId: string, code: string, message: string, businessKey = `BK-${tag}`) {
  await ingestEvents(ham, [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: `c-${messageId}`,
        messageId,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        businessKey,
        occurredAt: new Date().toISOString(),
        outcome: "failed",
        latencyMs: 900,
        attempt: 1,
        error: { category: "business", code, message },
        payload: { q: 1 },
      },
    },
  ]);
  return db().exception.findFirstOrThrow({ where: { transaction: { messageId } } });
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [operator, operatorWro, manager, approver] = (await Promise.all(
    ["operator@andon.local", "operator.wro@andon.local", "manager@andon.local", "approver@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor];
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } }, include: { plant: true } });
  ham = { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" };
});

describe("exception queue", () => {
  it("filters, searches, counts per status and pages with a stable keyset", async () => {
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.push((await fail(`Q-${tag}-${i}`, "M7-021", `Deficit of SL Unrestricted-use ${i + 1} PC : RM-4711 1000 0001`, `PAGE-${tag}`)).id);
    const filter = parseQueueFilter({ plant: "DE-HAM", q: `PAGE-${tag}`, limit: "2" });
    const first = await listExceptions(operator, filter);
    expect(first.items).toHaveLength(2);
    expect(first.counts.NEW).toBe(5);
    const second = await listExceptions(operator, { ...filter, cursor: first.nextCursor! });
    const third = await listExceptions(operator, { ...filter, cursor: second.nextCursor! });
    expect(third.nextCursor).toBeNull();
    const seen = [...first.items, ...second.items, ...third.items].map((r) => r.id);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen).toHaveLength(5);
    // Every sort order pages through the same set exactly once, in its order.
    await db().exception.updateMany({ where: { id: { in: ids.slice(0, 2) } }, data: { severity: "CRITICAL" } });
    for (const sort of ["oldest", "severity"] as const) {
      const pages = [];
      let cursor: string | undefined;
      do {
        const page = await listExceptions(operator, { ...filter, sort, cursor });
        pages.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(pages.map((r) => r.id).sort()).toEqual([...ids].sort());
      if (sort === "severity") expect(pages.slice(0, 2).every((r) => r.severity === "CRITICAL")).toBe(true);
      if (sort === "oldest") expect(pages.map((r) => r.firstSeenAt)).toEqual(pages.map((r) => r.firstSeenAt).sort());
    }
    // LIKE wildcards in a search are literal: "%" finds nothing instead of everything.
    expect((await listExceptions(operator, parseQueueFilter({ q: "%", status: "all" }))).items).toHaveLength(0);
    // Out of scope: the PL-WRO operator sees none of DE-HAM's.
    expect((await listExceptions(operatorWro, filter)).items).toHaveLength(0);
    // Malformed URL parameters fall back instead of failing the page.
    expect(parseQueueFilter({ severity: "PURPLE", limit: "-3", sort: "chaos" })).toMatchObject({ severity: [], limit: 50, sort: "recent" });
  });

  it("groups by fingerprint across instances", async () => {
    await fail(`G-${tag}-1`, "M7-021", "Deficit of SL Unrestricted-use 7 PC : RM-0815 1000 0001", `GRP-${tag}`);
    await fail(`G-${tag}-2`, "M7-021", "Deficit of SL Unrestricted-use 90 PC : PK-0100 1000 0002", `GRP-${tag}`);
    const groups = await listExceptionGroups(operator, parseQueueFilter({ q: `GRP-${tag}` }));
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ count: 2, interfaceCode: "GOODS_MOVEMENT", errorCode: "M7-021", plants: ["DE-HAM"], lastHour: 2 });
  });
});

describe("open count", () => {
  /**
   * "Open exceptions" is one number across Andon: the rows with an open status in the user's plants. The
   * queue counted each status only up to 1,000 and showed "Open (1,002+)" while the dashboard said 18,263.
   */
  it("is exact above the old cap of 1,000 per status, for every scope and filter", async () => {
    const n = 1_100;
    const closed = 2_100;
    const fingerprint = randomBytes(10).toString("hex");
    const prefix = `OC-${tag}-`;
    await pool().query(
      `INSERT INTO business_transaction (id, plant_id, interface_id, message_id, correlation_id, business_key, status, first_seen_at, last_event_at, failed_at, attempts)
       SELECT gen_random_uuid(), p.id, i.id, $2 || g, 'corr-' || $2 || g, $2 || g, 'FAILED', now(), now(), now(), 1
       FROM generate_series(1, $1::int) g, (SELECT id FROM plant WHERE code = 'DE-HAM') p, (SELECT id FROM interface WHERE code = 'GOODS_MOVEMENT') i`,
      [n + closed, prefix],
    );
    // The first n open (NEW), the others resolved: closed ones are still counted up to 1,000 ("1,000+").
    await pool().query(
      `INSERT INTO exception (id, plant_id, interface_id, transaction_id, fingerprint, category, severity, status, error_code, error_message,
                              first_seen_at, last_seen_at, sla_due_at, resolved_at, resolution, updated_at)
       SELECT gen_random_uuid(), t.plant_id, t.interface_id, t.id, $2, 'BUSINESS', 'HIGH', s.status::exception_status, 'OC-1', 'Deficit of SL Unrestricted-use',
              now(), now(), now() + interval '4 hours', s.resolved_at, s.resolution, now()
       FROM business_transaction t,
            LATERAL (SELECT substring(t.message_id FROM length($1) + 1)::int <= $3 AS open) o,
            LATERAL (SELECT CASE WHEN o.open THEN 'NEW' ELSE 'RESOLVED' END AS status, CASE WHEN o.open THEN NULL ELSE now() END AS resolved_at,
                            CASE WHEN o.open THEN NULL ELSE 'replayed' END AS resolution) s
       WHERE t.message_id LIKE $1 || '%'`,
      [prefix, fingerprint, n],
    );
    try {
      const exactly = async (plantCodes: string[] | "all") =>
        (
          await pool().query<{ n: number }>(
            `SELECT count(*)::int AS n FROM exception e JOIN plant p ON p.id = e.plant_id
             WHERE e.status = ANY($1::exception_status[]) AND ($2::text[] IS NULL OR p.code = ANY($2::text[]))`,
            [OPEN_STATUSES, plantCodes === "all" ? null : plantCodes],
          )
        ).rows[0]!.n;
      const openOf = (page: Awaited<ReturnType<typeof listExceptions>>) => OPEN_STATUSES.reduce((sum, s) => sum + page.counts[s], 0);

      // Everything the operator sees (the four demo plants; other test files add plants of their own), the
      // default view: the dashboard's number, to the unit.
      const all = await listExceptions(operator, parseQueueFilter({}));
      const expected = await exactly(["DE-HAM", "US-CLT", "MX-MTY", "PL-WRO"]);
      expect(expected).toBeGreaterThan(1_002);
      expect(openOf(all)).toBe(expected);
      expect(all.counts.NEW).toBeGreaterThanOrEqual(n);
      expect(all.capped.filter((s) => (OPEN_STATUSES as readonly string[]).includes(s))).toEqual([]);
      expect(all).toMatchObject({ matching: expected, matchingCapped: false });

      // A manager's plants (DE-HAM + PL-WRO) and one status.
      const mine = await listExceptions(manager, parseQueueFilter({}));
      expect(openOf(mine)).toBe(await exactly(["DE-HAM", "PL-WRO"]));
      expect((await listExceptions(manager, parseQueueFilter({ status: "NEW" }))).matching).toBe(mine.counts.NEW);

      // Narrowed by filters the open-count index covers (plant, interface, severity, category, age, assignee) and by group.
      const narrowed = await listExceptions(
        operator,
        parseQueueFilter({ plant: "DE-HAM", interface: "GOODS_MOVEMENT", severity: "HIGH", category: "BUSINESS", age: "1h", assignee: "none" }),
      );
      expect(narrowed.counts.NEW).toBeGreaterThanOrEqual(n);
      const group = await listExceptions(operator, parseQueueFilter({ fingerprint }));
      expect(group).toMatchObject({ matching: n, matchingCapped: false, group: { fingerprint, errorCode: "OC-1", interfaceCode: "GOODS_MOVEMENT" } });
      expect(group.counts).toMatchObject({ NEW: n, RESOLVED: 1_000, DISCARDED: 0 });
      expect(group.capped).toEqual(["RESOLVED"]);
      expect(await listExceptions(operator, parseQueueFilter({ fingerprint, status: "all" }))).toMatchObject({ matching: n + 1_000, matchingCapped: true });
    } finally {
      await pool().query("DELETE FROM exception WHERE fingerprint = $1", [fingerprint]);
      await pool().query("DELETE FROM business_transaction WHERE message_id LIKE $1 || '%'", [prefix]);
    }
  });

  it("says how old each row is from the server's clock (the page renders ages from it)", async () => {
    const e = await fail(`N-${tag}`, "M7-021", "Deficit of SL Unrestricted-use 3 PC : RM-4711 1000 0001", `NOW-${tag}`);
    const page = await listExceptions(operator, parseQueueFilter({ q: `NOW-${tag}` }));
    expect(page.items.map((r) => r.id)).toEqual([e.id]);
    expect(page.items[0]!.plantZone).toBe("Europe/Berlin");
    expect(Date.parse(page.now)).toBeGreaterThanOrEqual(Date.parse(page.items[0]!.firstSeenAt));
  });
});

describe("triage actions", () => {
  it("assigning a NEW exception triages it; every action is audited in order", async () => {
    const e = await fail(`A-${tag}`, "M7-002", "Material RM-1001 not maintained in plant 1000");
    await assignException(operator, e.id, { assigneeId: operator.id });
    expect(await db().exception.findUniqueOrThrow({ where: { id: e.id } })).toMatchObject({ status: "TRIAGED", assigneeId: operator.id });
    await commentOnException(approver, e.id, { body: "Material view missing in plant 1000; asked master data to extend it." });
    await assignException(operator, e.id, { assigneeId: null });
    const detail = await exceptionDetail(operator, e.id);
    expect(detail!.history.map((h) => h.type)).toEqual(["exception.opened", "exception.assigned", "exception.commented", "exception.assigned"]);
    expect(detail!.comments[0]).toMatchObject({ author: "Anna Approver" });
    expect(detail!.timeline?.[0]).toMatchObject({ outcome: "failed", errorCode: "M7-002" });
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it("refuses by role (403), hides other plants (404) and rejects bad input (400) and bad transitions (409)", async () => {
    const e = await fail(`R-${tag}`, "M7-053", "Posting only possible in periods 2026/11 and 2026/10 in company code 1000");
    await expect(assignException(manager, e.id, { assigneeId: manager.id })).rejects.toMatchObject({ status: 403 });
    await expect(commentOnException(operatorWro, e.id, { body: "hi" })).rejects.toMatchObject({ status: 404 });
    await expect(discardException(operator, randomUUID(), { reason: "superseded by a later message" })).rejects.toMatchObject({ status: 404 });
    await expect(discardException(operator, "not-a-uuid", { reason: "superseded by a later message" })).rejects.toMatchObject({ status: 404 });
    await expect(discardException(operator, e.id, { reason: "no" })).rejects.toThrow(/at least 10/);
    await expect(assignException(operator, e.id, { assigneeId: manager.id })).rejects.toMatchObject({ status: 422 });
    await discardException(operator, e.id, { reason: "Superseded: the period was reopened and the movement posted by hand" });
    expect((await db().exception.findUniqueOrThrow({ where: { id: e.id } })).status).toBe("DISCARDED");
    await expect(discardException(operator, e.id, { reason: "again, which must not work" })).rejects.toMatchObject({ status: 409 });
    await expect(assignException(operator, e.id, { assigneeId: operator.id })).rejects.toMatchObject({ status: 409 });
    expect(await exceptionDetail(operatorWro, e.id)).toBeNull();
    expect((await exceptionDetail(manager, e.id))!.timeline).not.toBeNull(); // plant managers read their plants' history (issue 20)
  });
});

describe("saved views", () => {
  it("keeps only filter parameters, validated, per user; owners alone can delete", async () => {
    const { saveView, listSavedViews, deleteView } = await import("../../server/exceptions/saved-views");
    const name = `Hamburg critical ${tag}`;
    const v = await saveView(operator, { name, query: "?plant=DE-HAM&severity=CRITICAL&cursor=abc&evil=1&view=groups" });
    expect(v.query).toBe("plant=DE-HAM&severity=CRITICAL&view=groups");
    await expect(saveView(operator, { name, query: "" })).rejects.toMatchObject({ status: 409 });
    await expect(saveView(operator, { name: `bad ${tag}`, query: "severity=PURPLE" })).rejects.toThrow();
    expect((await listSavedViews(operator)).map((x) => x.name)).toContain(name);
    expect((await listSavedViews(approver)).map((x) => x.name)).not.toContain(name);
    await expect(deleteView(approver, v.id)).rejects.toMatchObject({ status: 404 });
    await deleteView(operator, v.id);
    expect((await listSavedViews(operator)).map((x) => x.name)).not.toContain(name);
  });
});
