import { describe, expect, it } from "vitest";
import { record } from "../../server/audit";
import { csvField, csvRow, exportAuditEvents, listAuditEvents } from "../../server/audit/list-events";
import { seedReference } from "../../prisma/seed";
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
    for await (const row of exportAuditEvents(auditor, {}, db(), 2)) exported.push(row);
    expect(exported.length).toBe(await db().auditEvent.count());
    expect(exported[1]!.prevHash).toBe(exported[0]!.hash);
  });

  it("filters by actor, entity, plant and time, in the page and the export alike", async () => {
    await seedReference(db());
    const plant = await db().plant.findFirstOrThrow({ where: { code: "DE-HAM" } });
    const subjectId = `probe-${Date.now()}`;
    await record({
      type: "plant.updated",
      actor: { type: "user", id: admin.id, label: "filter.probe@andon.local" },
      plantId: plant.id,
      subject: { type: "plant", id: subjectId },
      data: { before: { name: "a", timezone: "UTC" }, after: { name: '=HYPERLINK("x")', timezone: "UTC" } },
    });
    const byActor = await listAuditEvents(auditor, { actor: "filter.probe@", limit: 50 });
    expect(byActor.events.map((e) => e.subject)).toEqual([`plant:${subjectId}`]);
    expect((await listAuditEvents(auditor, { entity: `plant:${subjectId}`, limit: 50 })).events).toHaveLength(1);
    expect((await listAuditEvents(auditor, { entity: `plant:${subjectId}`, plant: "MX-MTY", limit: 50 })).events).toHaveLength(0);
    expect(
      (await listAuditEvents(auditor, { entity: `plant:${subjectId}`, from: new Date(Date.now() + 60_000).toISOString(), limit: 50 })).events,
    ).toHaveLength(0);
    const exported = [];
    for await (const row of exportAuditEvents(auditor, { actor: "filter.probe@" })) exported.push(row);
    expect(exported).toHaveLength(1);
    // CSV: quoted where needed, and a formula-looking cell neutralised.
    const line = csvRow(exported[0] as unknown as Record<string, unknown>);
    expect(line).toContain(`""before"":{""name"":""a""`);
    expect(line.endsWith("\r\n")).toBe(true);
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
  });

  it("verifying the chain is itself audited", async () => {
    const result = await verifyChainAs({ ...admin, email: "admin@test" });
    expect(result.ok).toBe(true);
    const row = await db().auditEvent.findFirst({ where: { type: "audit.chain_verified" }, orderBy: { id: "desc" } });
    expect(row).toMatchObject({ actorLabel: "admin@test", data: { ok: true, checked: result.checked } });
    await expect(verifyChainAs({ ...manager })).rejects.toThrow();
  });
});
