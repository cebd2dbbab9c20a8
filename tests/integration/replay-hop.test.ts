import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import type { SystemKind } from "../../server/db/generated/enums";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { requestReplay } from "../../server/replay/request-replay";
import { queued } from "../support/replay-approval";

/**
 * A replay goes to the system whose hop failed: QUALITY_HOLD runs QMS → SAP and QMS → Odoo, and a
 * failure at Odoo must be replayed to Odoo's connector, not to the interface's first target (SAP).
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let operator: Actor;

async function holdFailedAt(target: SystemKind): Promise<string> {
  const reporter = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "QMS" } } });
  const messageId = `QH-${randomUUID()}`;
  await ingestEvents({ connectorId: reporter.id, connectorName: reporter.name, plantId: reporter.plantId, plantCode: "DE-HAM" }, [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId,
        interface: "QUALITY_HOLD",
        hop: { source: "QMS", target },
        occurredAt: new Date().toISOString(),
        outcome: "failed",
        latencyMs: 120,
        attempt: 1,
        payload: { material: "RM-0815", plant: "1000", batch: "B2026-118", action: "HOLD", targetStockType: "BLOCKED", reason: "Out of spec" },
        error: { category: "technical", code: "HTTP-503", message: `${target} unavailable` },
      },
    },
  ]);
  return (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
}

const connectorOf = async (kind: SystemKind) =>
  (await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind } }, select: { id: true } })).id;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  operator = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "operator@andon.local" } })).id))!;
  // About which connector is chosen, not delivery: the connectors wait to be pulled (no push job needed).
  await db().connector.updateMany({
    where: { plant: { code: "DE-HAM" }, system: { kind: { in: ["ODOO", "SAP_ERP"] } } },
    data: { replayUrl: null, replaySecret: null },
  });
});

describe("replay target", () => {
  it("a failure at the Odoo hop is replayed to the Odoo connector, one at the SAP hop to SAP's", async () => {
    const atOdoo = await holdFailedAt("ODOO");
    const atSap = await holdFailedAt("SAP_ERP");
    expect((await db().exception.findUniqueOrThrow({ where: { id: atOdoo } })).hopTarget).toBe("ODOO");
    const toOdoo = await queued(requestReplay(operator, atOdoo, {}));
    const toSap = await queued(requestReplay(operator, atSap, {}));
    expect(toOdoo.connectorId).toBe(await connectorOf("ODOO"));
    expect(toSap.connectorId).toBe(await connectorOf("SAP_ERP"));
  });

  it("a connector an administrator disabled receives no replay (409, nothing queued)", async () => {
    const id = await holdFailedAt("ODOO");
    await db().connector.update({ where: { id: await connectorOf("ODOO") }, data: { disabledAt: new Date() } });
    try {
      await expect(requestReplay(operator, id, {})).rejects.toMatchObject({ status: 409, code: "connector_disabled" });
      expect(await db().replay.count({ where: { exceptionId: id } })).toBe(0);
      expect((await db().exception.findUniqueOrThrow({ where: { id } })).status).toBe("NEW");
    } finally {
      await db().connector.update({ where: { id: await connectorOf("ODOO") }, data: { disabledAt: null } });
    }
  });
});
