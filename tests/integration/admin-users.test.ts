import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { createUser, listUsers, updateUser } from "../../server/admin/users";
import { authenticate } from "../../server/auth/authenticate";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let admin: Actor, auditor: Actor;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [admin, auditor] = [await actor("admin@andon.local"), await actor("auditor@andon.local")];
});

describe("user administration", () => {
  it("creates a user who can sign in within their plants; role, scope and state changes are audited; deactivation locks them out", async () => {
    const email = `new.${randomUUID().slice(0, 6)}@andon.local`;
    const u = await createUser(admin, { email: email.toUpperCase(), name: "Nia New", role: "OPERATOR", plants: ["PL-WRO"], password: "a-long-initial-secret" });
    expect(u).toMatchObject({ email, role: "OPERATOR", plants: ["PL-WRO"], active: true });
    expect(await authenticate({ email, password: "a-long-initial-secret" }, { ip: null })).toMatchObject({ id: u.id, role: "OPERATOR" });
    const p = (await loadPrincipal(u.id))!;
    expect(p.plantIds).toHaveLength(1);
    await expect(createUser(admin, { email, name: "Again", role: "OPERATOR", password: "a-long-initial-secret" })).rejects.toMatchObject({ status: 409 });

    const changed = await updateUser(admin, u.id, { role: "APPROVER", plants: ["PL-WRO", "DE-HAM"] });
    expect(changed).toMatchObject({ role: "APPROVER", plants: ["DE-HAM", "PL-WRO"] });
    await updateUser(admin, u.id, { active: false });
    expect(await authenticate({ email, password: "a-long-initial-secret" }, { ip: null })).toBeNull();

    const trail = await db().auditEvent.findMany({ where: { subjectType: "user", subjectId: u.id, type: { startsWith: "user." } }, orderBy: { id: "asc" } });
    expect(trail.map((e) => e.type)).toEqual(["user.created", "user.updated", "user.updated"]);
    expect(trail[1]!.data).toMatchObject({ before: { role: "OPERATOR", plants: ["PL-WRO"] }, after: { role: "APPROVER", plants: ["DE-HAM", "PL-WRO"] } });
    expect(JSON.stringify(trail.map((e) => e.data))).not.toContain("a-long-initial-secret");
    expect((await listUsers(admin)).find((x) => x.id === u.id)?.active).toBe(false);
  });

  it("refuses non-administrators, bad input, unknown plants and self lock-out", async () => {
    await expect(listUsers(auditor)).rejects.toMatchObject({ status: 403 });
    await expect(createUser(auditor, {})).rejects.toMatchObject({ status: 403 });
    await expect(createUser(admin, { email: "x@andon.local", name: "X", role: "OPERATOR", password: "short" })).rejects.toThrow(/12 characters/);
    await expect(
      createUser(admin, { email: "y@andon.local", name: "Why", role: "OPERATOR", plants: ["XX-NOPE"], password: "a-long-initial-secret" }),
    ).rejects.toMatchObject({ status: 422 });
    await expect(updateUser(admin, admin.id, { active: false })).rejects.toMatchObject({ status: 409 });
    await expect(updateUser(admin, admin.id, { role: "AUDITOR" })).rejects.toMatchObject({ status: 409 });
    await expect(updateUser(admin, randomUUID(), { active: false })).rejects.toMatchObject({ status: 404 });
  });
});
