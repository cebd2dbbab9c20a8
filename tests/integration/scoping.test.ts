import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { createRule, listRules } from "../../server/alerts/rules";
import { loadPrincipal } from "../../server/auth/principal";
import type { ConnectorPrincipal } from "../../server/connectors/keys";
import { db } from "../../server/db";
import { exceptionDetail } from "../../server/exceptions/detail";
import { ingestEvents } from "../../server/ingest/ingest-events";

/**
 * Plant scope on the reads beside the main lists (issue 15, point 11): the exception page's "same
 * failure elsewhere" count and the alert rules. A plant-scoped user must learn nothing of other
 * plants from them, not even how many; users of every plant still see everything.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let admin: Actor, auditor: Actor;
let manager: Actor; // DE-HAM + PL-WRO
let managerMty: Actor; // MX-MTY
const tag = randomUUID().slice(0, 8);

const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;

async function connectorOf(plantCode: string): Promise<ConnectorPrincipal> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: plantCode }, system: { kind: "ODOO" } } });
  return { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode };
}

/** n failures of one group (same interface, code and message shape) in one plant. */
async function failures(plantCode: string, n: number) {
  const key = `${plantCode}-${tag}`;
  await ingestEvents(
    await connectorOf(plantCode),
    Array.from({ length: n }, (_, i) => ({
      ok: true as const,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId: `${key}-${i}`,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        businessKey: `${key}-${i}`,
        occurredAt: new Date().toISOString(),
        outcome: "failed" as const,
        latencyMs: 400,
        attempt: 1,
        payload: { q: i },
        error: { category: "business" as const, code: `SC-${tag}`, message: `Deficit of SL Unrestricted-use ${i + 1} PC : RM-4711 1000 0001` },
      },
    })),
  );
  return db().exception.findMany({ where: { transaction: { messageId: { startsWith: `${key}-` } } }, orderBy: { id: "asc" } });
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [admin, auditor, manager, managerMty] = (await Promise.all(
    ["admin@andon.local", "auditor@andon.local", "manager@andon.local", "manager.mty@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor];
});

describe("plant scope of the exception page's 'same failure elsewhere'", () => {
  it("counts and lists only exceptions of the viewer's plants", async () => {
    const ham = await failures("DE-HAM", 2);
    const clt = await failures("US-CLT", 3);
    expect(ham).toHaveLength(2);
    expect(clt).toHaveLength(3);
    expect(new Set([...ham, ...clt].map((e) => e.fingerprint)).size).toBe(1); // one group across both plants

    // The manager sees DE-HAM, not US-CLT: one other exception of the group, not four.
    const seen = (await exceptionDetail(manager, ham[0]!.id))!;
    expect(seen.relatedCount).toBe(1);
    expect(seen.related.map((r) => r.id)).toEqual([ham[1]!.id]);
    // Users of every plant see the whole group.
    const all = (await exceptionDetail(auditor, ham[0]!.id))!;
    expect(all.relatedCount).toBe(4);
    expect(new Set(all.related.map((r) => r.plantCode))).toEqual(new Set(["DE-HAM", "US-CLT"]));
  });
});

describe("plant scope of the alert rules", () => {
  it("lists rules of all plants and of the user's own plants, never another plant's", async () => {
    const rule = (plantCode: string | null) =>
      createRule(admin, { name: `Scope ${plantCode ?? "all"} ${tag}`, kind: "BACKLOG_ABOVE", threshold: 1_000_000, plantCode, enabled: false });
    const [everywhere, ham, clt] = [await rule(null), await rule("DE-HAM"), await rule("US-CLT")];
    const mine = async (user: Actor) =>
      (await listRules(user))
        .filter((r) => r.name.endsWith(tag))
        .map((r) => r.id)
        .sort();

    expect(await mine(manager)).toEqual([everywhere.id, ham.id].sort());
    expect(await mine(managerMty)).toEqual([everywhere.id]);
    expect(await mine(auditor)).toEqual([everywhere.id, ham.id, clt.id].sort());
    // The defaults (rules of all plants) stay visible to plant-scoped users.
    expect((await listRules(managerMty)).filter((r) => r.plantCode === null).length).toBeGreaterThanOrEqual(17);
  });
});
