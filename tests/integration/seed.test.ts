import { describe, expect, it } from "vitest";
import { DEMO_USERS, INTERFACES, PLANTS, seedDemoUsers, seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import { DEFAULT_RULES } from "../../server/alerts/rules";
import { db, pool } from "../../server/db";
import { listPlants } from "../../server/plants/list-plants";
import { loadPrincipal } from "../../server/auth/principal";

// Other test files add plants of their own (administration tests): count only the seeded ones.
const SEEDED = PLANTS.map((p) => p.code);
const seeded = { plant: { code: { in: SEEDED } } };

async function counts() {
  const p = db();
  return {
    plants: await p.plant.count({ where: { code: { in: SEEDED } } }),
    systems: await p.plantSystem.count({ where: seeded }),
    connectors: await p.connector.count({ where: seeded }),
    interfaces: await p.interface.count(),
    plantInterfaces: await p.plantInterface.count({ where: seeded }),
    // Other test files create users of their own: count only the demo ones.
    users: await p.user.count({ where: { email: { in: DEMO_USERS.map((u) => u.email) } } }),
    scopes: await p.userPlant.count({ where: { user: { email: { in: DEMO_USERS.map((u) => u.email) } } } }),
  };
}

/** Every row version the seed could write (xmin changes with any write, even one that changes no value). */
async function rowVersions(): Promise<string> {
  const { rows } = await pool().query<{ v: string }>(
    `SELECT string_agg(x, ',' ORDER BY x) AS v FROM (
       SELECT 'p' || id || ':' || xmin FROM plant UNION ALL SELECT 's' || id || ':' || xmin FROM plant_system
       UNION ALL SELECT 'c' || id || ':' || xmin FROM connector UNION ALL SELECT 'i' || id || ':' || xmin FROM interface
       UNION ALL SELECT 'is' || interface_id || version || ':' || xmin FROM interface_schema
       UNION ALL SELECT 'pi' || plant_id || interface_id || ':' || xmin FROM plant_interface
       UNION ALL SELECT 'u' || id || ':' || xmin FROM app_user UNION ALL SELECT 'r' || id || ':' || xmin FROM alert_rule) t(x)`,
  );
  return rows[0]!.v;
}

const BOOT = { actorType: "system", actorLabel: "andon boot" };

describe("seed", () => {
  it("is idempotent and complete", async () => {
    await seedReference(db());
    await seedDemoUsers(db());
    const first = await counts();
    await seedReference(db());
    await seedDemoUsers(db());
    expect(await counts()).toEqual(first);
    expect(first.plants).toBe(4);
    expect(first.interfaces).toBe(12);
    expect(first.connectors).toBe(first.systems); // one connector per plant system
    expect(first.plantInterfaces).toBe(PLANTS.reduce((n, p) => n + p.interfaces.length, 0));
    expect(first.users).toBe(DEMO_USERS.length);
    expect(new Set(INTERFACES.map((i) => i.code)).size).toBe(12);
  });

  it("keeps an admin's edits on re-seed (find-or-create, not overwrite)", async () => {
    await db().plant.update({ where: { code: "MX-MTY" }, data: { name: "Monterrey Components (edited)" } });
    await seedReference(db());
    expect((await db().plant.findUniqueOrThrow({ where: { code: "MX-MTY" } })).name).toBe("Monterrey Components (edited)");
    await db().plant.update({ where: { code: "MX-MTY" }, data: { name: "Monterrey Components" } });
  });

  it("audits each row it created, attributed to andon boot (the database is fresh for this run: every seeded row was created by a seed)", async () => {
    await seedReference(db());
    await seedDemoUsers(db());
    const bootEvents = async (type: string, subjectId: string) => db().auditEvent.count({ where: { ...BOOT, type, subjectId } });
    for (const p of await db().plant.findMany({ where: { code: { in: SEEDED } } })) expect(await bootEvents("plant.created", p.id), p.code).toBe(1);
    for (const i of await db().interface.findMany({ where: { code: { in: INTERFACES.map((x) => x.code) } } })) {
      expect(await bootEvents("interface.created", i.id), i.code).toBe(1);
      expect(await bootEvents("interface.schema_added", i.id), i.code).toBe(1);
    }
    for (const c of await db().connector.findMany({ where: seeded })) expect(await bootEvents("connector.created", c.id), c.name).toBe(1);
    const enabled = await db().auditEvent.findMany({ where: { ...BOOT, type: "interface.plant_enabled" } });
    expect(enabled.map((e) => `${(e.data as { plantCode: string }).plantCode}/${(e.data as { code: string }).code}`).sort()).toEqual(
      PLANTS.flatMap((p) => p.interfaces.map((code) => `${p.code}/${code}`)).sort(),
    );
    expect(await db().auditEvent.count({ where: { ...BOOT, type: "alert_rule.created" } })).toBe(DEFAULT_RULES.length);
    for (const u of await db().user.findMany({ where: { email: { in: DEMO_USERS.map((d) => d.email) } } }))
      expect(await bootEvents("user.created", u.id), u.email).toBe(1);
  });

  it("a boot that finds everything in place writes no row and appends no event; what is missing is created with its event in one transaction", async () => {
    await seedReference(db());
    await seedDemoUsers(db());
    const [versions, events] = [await rowVersions(), await db().auditEvent.count()];
    await seedReference(db());
    await seedDemoUsers(db());
    expect(await rowVersions()).toBe(versions);
    expect(await db().auditEvent.count()).toBe(events);

    // An interface link of a plant gone, and a demo connector no longer allowed private replay targets: the next boot puts both back, audited.
    const plant = await db().plant.findUniqueOrThrow({ where: { code: "PL-WRO" } });
    const iface = await db().interface.findUniqueOrThrow({ where: { code: "FORECAST_IMPORT" } });
    await db().plantInterface.delete({ where: { plantId_interfaceId: { plantId: plant.id, interfaceId: iface.id } } });
    const c = await db().connector.findFirstOrThrow({ where: { plantId: plant.id, system: { kind: "PLANNING" } } });
    await db().connector.update({ where: { id: c.id }, data: { replayAllowPrivate: false } });
    await seedReference(db());
    await seedDemoUsers(db());
    expect(await db().plantInterface.count({ where: { plantId: plant.id, interfaceId: iface.id } })).toBe(1);
    expect((await db().connector.findUniqueOrThrow({ where: { id: c.id } })).replayAllowPrivate).toBe(true);
    const added = await db().auditEvent.findMany({ orderBy: { id: "desc" }, take: 2 });
    expect(added.map((e) => [e.type, e.actorLabel, e.subjectId, e.plantId])).toEqual([
      ["connector.updated", "andon boot", c.id, plant.id],
      ["interface.plant_enabled", "andon boot", iface.id, plant.id],
    ]);
    expect(added[0]!.data).toMatchObject({ before: { replayAllowPrivate: false }, after: { replayAllowPrivate: true } });
    expect(added[1]!.data).toEqual({ interfaceId: iface.id, code: "FORECAST_IMPORT", plantCode: "PL-WRO" });
    expect(await db().auditEvent.count()).toBe(events + 2);
    expect((await verifyChain()).ok).toBe(true);
  });

  it.each(DEMO_USERS)("$email sees exactly its plants", async (demo) => {
    const row = await db().user.findUniqueOrThrow({ where: { email: demo.email } });
    const principal = await loadPrincipal(row.id);
    const codes = (await listPlants(principal!)).map((p) => p.code).filter((c) => demo.plants !== "all" || SEEDED.includes(c));
    const expected = demo.plants === "all" ? SEEDED : demo.plants;
    expect(codes).toEqual([...expected].sort());
  });
});
