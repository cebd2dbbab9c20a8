import { beforeAll, describe, expect, it } from "vitest";
import { DEPENDENCIES } from "../../prisma/seed-deps";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import { db } from "../../server/db";
import { addDependency } from "../../server/dependencies/add-dependency";
import { listDependencies } from "../../server/dependencies/list-dependencies";
import { removeDependency } from "../../server/dependencies/remove-dependency";
import { setAutoReplay } from "../../server/dependencies/set-auto-replay";
import { updateDependency } from "../../server/dependencies/update-dependency";
import { AppError } from "../../server/http/errors";
import { type Actor, actor } from "../support/replay-flow";

/**
 * The dependency catalog (issue 20): seeded from SYSTEMS.md, administered by admins only, every change
 * audited in its transaction, never a cycle (also when two admins add the two halves of one at once),
 * and hostile input answered 4xx.
 */
let admin: Actor;
let operator: Actor;

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message };
    if ((err as { name?: string }).name === "ZodError") return { status: 400, code: "invalid_request", message: String(err) };
    throw err;
  }
  throw new Error("expected a refusal");
};

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [admin, operator] = [await actor("admin@andon.local"), await actor("operator@andon.local")];
});

describe("the seeded catalog", () => {
  it("holds SYSTEMS.md's chain, each row audited by the boot, and a second seed adds nothing", async () => {
    const { dependencies } = await listDependencies(admin);
    const pairs = dependencies.map((d) => `${d.prerequisite.code}>${d.dependent.code}:${d.refKind}`).sort();
    for (const d of DEPENDENCIES) expect(pairs).toContain(`${d.prerequisite}>${d.dependent}:${d.refKind}`);
    expect(pairs).toContain("QUALITY_HOLD>GOODS_MOVEMENT:LOT");
    expect(pairs).toContain("MAINT_WORK_ORDER>SPARE_PARTS_USAGE:WORK_ORDER");
    const created = await db().auditEvent.count({ where: { type: "dependency.created", actorLabel: "andon boot" } });
    expect(created).toBe(DEPENDENCIES.length);
    await seedReference(db());
    expect(await db().interfaceDependency.count()).toBe(dependencies.length);
    expect(await db().auditEvent.count({ where: { type: "dependency.created", actorLabel: "andon boot" } })).toBe(created);
  });
});

describe("administration", () => {
  it("adds, changes and removes a dependency, each audited with before and after in the same transaction", async () => {
    const added = await addDependency(admin, {
      prerequisite: "INSPECTION_RESULT",
      dependent: "INVOICE_POSTING",
      refKind: "PURCHASE_ORDER",
      description: "Pay only for accepted goods",
    });
    expect(added).toMatchObject({
      prerequisite: { code: "INSPECTION_RESULT" },
      dependent: { code: "INVOICE_POSTING" },
      refKind: "PURCHASE_ORDER",
      enabled: true,
    });
    const changed = await updateDependency(admin, added.id, { enabled: false, description: "Pay only for goods QM accepted" });
    expect(changed).toMatchObject({ enabled: false, description: "Pay only for goods QM accepted" });
    expect((await refusal(updateDependency(admin, added.id, { enabled: false }))).code).toBe("no_change");
    await removeDependency(admin, added.id);
    expect(await db().interfaceDependency.findUnique({ where: { id: added.id } })).toBeNull();
    expect((await refusal(removeDependency(admin, added.id))).status).toBe(404);

    const trail = await db().auditEvent.findMany({ where: { subjectType: "interface_dependency", subjectId: added.id }, orderBy: { id: "asc" } });
    expect(trail.map((t) => [t.type, t.actorLabel])).toEqual([
      ["dependency.created", admin.email],
      ["dependency.updated", admin.email],
      ["dependency.deleted", admin.email],
    ]);
    expect(trail[1]!.data).toMatchObject({
      before: { enabled: true, description: "Pay only for accepted goods" },
      after: { enabled: false, description: "Pay only for goods QM accepted" },
    });
    expect(trail[2]!.data).toMatchObject({ before: { prerequisite: "INSPECTION_RESULT", dependent: "INVOICE_POSTING" }, after: null });
    expect((await verifyChain()).ok).toBe(true);
  });

  it("switches an interface's replay on release, audited as an interface change", async () => {
    await setAutoReplay(admin, "SPARE_PARTS_USAGE", { autoReplayOnRelease: true });
    expect((await db().interface.findUniqueOrThrow({ where: { code: "SPARE_PARTS_USAGE" } })).autoReplayOnRelease).toBe(true);
    expect((await refusal(setAutoReplay(admin, "SPARE_PARTS_USAGE", { autoReplayOnRelease: true }))).code).toBe("no_change");
    await setAutoReplay(admin, "SPARE_PARTS_USAGE", { autoReplayOnRelease: false });
    const last = await db().auditEvent.findFirstOrThrow({ where: { type: "interface.updated" }, orderBy: { id: "desc" } });
    expect(last.data).toMatchObject({ code: "SPARE_PARTS_USAGE", before: { autoReplayOnRelease: true }, after: { autoReplayOnRelease: false } });
    expect((await refusal(setAutoReplay(admin, "NO_SUCH_IFACE", { autoReplayOnRelease: true }))).status).toBe(404);
  });

  it("refuses a dependency that closes a cycle, naming the path (400), and the same dependency twice (409)", async () => {
    const cycle = await refusal(
      addDependency(admin, { prerequisite: "INVOICE_POSTING", dependent: "MATERIAL_MASTER", refKind: "MATERIAL", description: "A loop back" }),
    );
    expect(cycle).toMatchObject({ status: 400, code: "dependency_cycle" });
    expect(cycle.message).toContain("MATERIAL_MASTER → BOM_RELEASE → PRODORD_RELEASE → PRODORD_CONFIRM → GOODS_MOVEMENT → INVOICE_POSTING → MATERIAL_MASTER");
    expect(
      await refusal(addDependency(admin, { prerequisite: "GOODS_MOVEMENT", dependent: "QUALITY_HOLD", refKind: "LOT", description: "Backwards" })),
    ).toMatchObject({ status: 400, code: "dependency_cycle" });
    expect(
      await refusal(addDependency(admin, { prerequisite: "GOODS_MOVEMENT", dependent: "GOODS_MOVEMENT", refKind: "LOT", description: "Itself" })),
    ).toMatchObject({ status: 400, code: "dependency_cycle" });
    expect(
      await refusal(addDependency(admin, { prerequisite: "QUALITY_HOLD", dependent: "GOODS_MOVEMENT", refKind: "LOT", description: "Again" })),
    ).toMatchObject({ status: 409, code: "dependency_exists" });
  });

  it("two admins adding the two halves of a cycle at once: one succeeds, the other is refused", async () => {
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([
        addDependency(admin, { prerequisite: "FORECAST_IMPORT", dependent: "SUPPLIER_ASN", refKind: "FORECAST_VERSION", description: "Race A" }),
        addDependency(admin, { prerequisite: "SUPPLIER_ASN", dependent: "FORECAST_IMPORT", refKind: "ASN", description: "Race B" }),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>[];
      expect(ok).toHaveLength(1);
      const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(failed.reason).toMatchObject({ status: 400, code: "dependency_cycle" });
      await removeDependency(admin, ok[0]!.value.id);
    }
  });

  it("answers hostile or wrong input with 4xx and lets no one but administrators in", async () => {
    const bad: unknown[] = [
      null,
      "x",
      [],
      {},
      { prerequisite: "QUALITY_HOLD", dependent: "GOODS_MOVEMENT", refKind: "LOT" },
      { prerequisite: "QUALITY_HOLD", dependent: "GOODS_MOVEMENT", refKind: "NOPE", description: "kind" },
      { prerequisite: "'; DROP TABLE interface; --", dependent: "GOODS_MOVEMENT", refKind: "LOT", description: "injection" },
      { prerequisite: "QUALITY_HOLD", dependent: "GOODS_MOVEMENT", refKind: "LOT", description: "x".repeat(501) },
      { prerequisite: "QUALITY_HOLD", dependent: "GOODS_MOVEMENT", refKind: "LOT", description: "extra", extra: 1 },
      { prerequisite: { $ne: "" }, dependent: "GOODS_MOVEMENT", refKind: "LOT", description: "object" },
    ];
    for (const input of bad) expect((await refusal(addDependency(admin, input))).status).toBe(400);
    expect(
      await refusal(addDependency(admin, { prerequisite: "NO_SUCH_IFACE", dependent: "GOODS_MOVEMENT", refKind: "LOT", description: "unknown" })),
    ).toMatchObject({ status: 422, code: "unknown_interface" });
    const [one] = (await listDependencies(admin)).dependencies;
    expect((await refusal(updateDependency(admin, "not-a-uuid", { enabled: false }))).status).toBe(404);
    expect((await refusal(updateDependency(admin, one!.id, {}))).status).toBe(400);
    expect((await refusal(updateDependency(admin, one!.id, { prerequisite: "X" }))).status).toBe(400);
    expect((await refusal(updateDependency(admin, one!.id, { enabled: "yes" }))).status).toBe(400);
    expect((await refusal(listDependencies(operator))).status).toBe(403);
    expect((await refusal(addDependency(operator, { prerequisite: "A_B", dependent: "C_D", refKind: "LOT", description: "nope" }))).status).toBe(403);
    expect((await refusal(removeDependency(operator, one!.id))).status).toBe(403);
    expect(await db().interfaceDependency.findUnique({ where: { id: one!.id } })).not.toBeNull();
  });
});
