import { describe, expect, it } from "vitest";
import { record } from "../../server/audit";
import { exportAuditEvents, listAuditEvents } from "../../server/audit/list-events";
import { verifyChainAs } from "../../server/audit/verify-action";
import { db } from "../../server/db";
import type { Principal } from "../../server/policy";

const auditor: Principal = { id: "00000000-0000-0000-0000-00000000a0d1", role: "AUDITOR", plantIds: [] };
const admin: Principal = { id: "00000000-0000-0000-0000-00000000ad01", role: "ADMIN", plantIds: [] };
const manager: Principal = { id: "00000000-0000-0000-0000-00000000aa01", role: "VIEWER", plantIds: [] };

describe("audit trail reads", () => {
  it("pages newest first by id with a type filter", async () => {
    for (let i = 0; i < 5; i++) await record({ type: "auth.sign_out", actor: { type: "user", id: `p${i}`, label: `page-${i}` }, data: {} });
    const first = await listAuditEvents(auditor, { type: "auth.sign_out", limit: 3 });
    expect(first.events).toHaveLength(3);
    expect(first.events.every((e) => e.type === "auth.sign_out")).toBe(true);
    expect(Number(first.events[0]!.id)).toBeGreaterThan(Number(first.events[2]!.id));
    const second = await listAuditEvents(auditor, { type: "auth.sign_out", limit: 3, before: BigInt(first.nextBefore!) });
    expect(Number(second.events[0]!.id)).toBeLessThan(Number(first.events[2]!.id));
  });

  it("is closed to roles without audit.read, export to non-auditors", async () => {
    await expect(listAuditEvents(manager, { limit: 10 })).rejects.toThrow(/auditors/);
    await expect(exportAuditEvents(admin).next()).rejects.toThrow(/Only auditors/);
    const exported = [];
    for await (const row of exportAuditEvents(auditor, db(), 2)) exported.push(row);
    expect(exported.length).toBe(await db().auditEvent.count());
    expect(exported[1]!.prevHash).toBe(exported[0]!.hash);
  });

  it("verifying the chain is itself audited", async () => {
    const result = await verifyChainAs({ ...admin, email: "admin@test" });
    expect(result.ok).toBe(true);
    const row = await db().auditEvent.findFirst({ where: { type: "audit.chain_verified" }, orderBy: { id: "desc" } });
    expect(row).toMatchObject({ actorLabel: "admin@test", data: { ok: true, checked: result.checked } });
    await expect(verifyChainAs({ ...manager })).rejects.toThrow();
  });
});
