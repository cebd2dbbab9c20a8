import { describe, expect, it } from "vitest";
import { DEMO_USERS, INTERFACES, PLANTS, seedDemoUsers, seedReference } from "../../prisma/seed";
import { db } from "../../server/db";
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

  it.each(DEMO_USERS)("$email sees exactly its plants", async (demo) => {
    const row = await db().user.findUniqueOrThrow({ where: { email: demo.email } });
    const principal = await loadPrincipal(row.id);
    const codes = (await listPlants(principal!)).map((p) => p.code).filter((c) => demo.plants !== "all" || SEEDED.includes(c));
    const expected = demo.plants === "all" ? SEEDED : demo.plants;
    expect(codes).toEqual([...expected].sort());
  });
});
