import { beforeAll, describe, expect, it } from "vitest";
import { SEED_EXPECTATIONS } from "../../prisma/seed-flow";
import { DEFAULT_LADDER } from "../../server/escalation/ladder";
import { TRAFFIC } from "../../connectors/sim/traffic";
import { PLANTS, seedDemoUsers, seedReference } from "../../prisma/seed";
import { db } from "../../server/db";
import { getEscalationLadders } from "../../server/owners/escalation-ladder";
import { getOwners } from "../../server/owners/owners-view";
import { updateEscalationLadder } from "../../server/owners/update-escalation-ladder";
import { updateInterfaceOwners } from "../../server/owners/update-interface-owners";
import { updatePlantRoles } from "../../server/owners/update-plant-roles";
import { type Actor, actors, answer, events, HOSTILE, testPlant } from "../support/flow-settings";

let a: Awaited<ReturnType<typeof actors>>;
let admin: Actor;
beforeAll(async () => {
  a = await actors();
  admin = a.admin;
});

describe("owners, plant lead and plant manager", () => {
  it("sets an interface's owners and a plant's lead and manager among users who fit, as read; audited by e-mail", async () => {
    const plant = await testPlant(admin, "Europe/Berlin", ["PRODORD_CONFIRM"]);
    const { operator, manager } = plant;
    const view = await getOwners(admin, plant.code);
    const emails = (list: { email: string }[]) => list.map((u) => u.email);
    // The plant's own operator and manager; administrators and auditors see every plant; nobody else.
    const demoOutside = ["operator@andon.local", "manager@andon.local", "manager.mty@andon.local", "approver@andon.local"];
    expect(emails(view.candidates.technicalOwner)).toEqual(expect.arrayContaining(["admin@andon.local", operator.email]));
    expect(emails(view.candidates.technicalOwner)).not.toContain("auditor@andon.local");
    expect(emails(view.candidates.businessOwner)).toEqual(expect.arrayContaining(["admin@andon.local", "auditor@andon.local", operator.email, manager.email]));
    for (const list of Object.values(view.candidates)) for (const e of demoOutside) expect(emails(list)).not.toContain(e);
    expect(emails(view.candidates.lead)).toEqual([operator.email]);
    expect(emails(view.candidates.manager)).toEqual([manager.email]);
    expect(view.interfaces).toEqual([
      { interfaceCode: "PRODORD_CONFIRM", name: expect.any(String), criticality: expect.any(String), technicalOwnerId: null, businessOwnerId: null },
    ]);

    const none = { technicalOwnerId: null, businessOwnerId: null };
    await updateInterfaceOwners(admin, plant.code, "PRODORD_CONFIRM", { technicalOwnerId: operator.id, businessOwnerId: manager.id, expected: none });
    // The manager (VIEWER) cannot be technical owner; someone without the plant cannot be anything.
    expect(
      await answer(updateInterfaceOwners(admin, plant.code, "PRODORD_CONFIRM", { technicalOwnerId: manager.id, businessOwnerId: null, expected: none })),
    ).toEqual({
      status: 400,
      code: "invalid_owner",
      message: `The technical owner must have the role OPERATOR, APPROVER, ADMIN (${manager.email} is VIEWER)`,
    });
    expect(
      await answer(updateInterfaceOwners(admin, plant.code, "PRODORD_CONFIRM", { technicalOwnerId: null, businessOwnerId: a.managerMty.id, expected: none })),
    ).toMatchObject({ status: 400, message: `The business owner must be an active user who can see ${plant.code}` });
    // A stale form (read "none") loses: 409.
    expect(
      await answer(updateInterfaceOwners(admin, plant.code, "PRODORD_CONFIRM", { technicalOwnerId: admin.id, businessOwnerId: null, expected: none })),
    ).toMatchObject({
      status: 409,
      code: "conflict",
    });
    const read = { technicalOwnerId: operator.id, businessOwnerId: manager.id };
    const racing = await Promise.all([
      answer(updateInterfaceOwners(admin, plant.code, "PRODORD_CONFIRM", { technicalOwnerId: admin.id, businessOwnerId: manager.id, expected: read })),
      answer(updateInterfaceOwners(admin, plant.code, "PRODORD_CONFIRM", { technicalOwnerId: null, businessOwnerId: manager.id, expected: read })),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);

    await updatePlantRoles(admin, plant.code, { leadUserId: operator.id, managerUserId: manager.id, expected: { leadUserId: null, managerUserId: null } });
    expect(
      await answer(
        updatePlantRoles(admin, plant.code, {
          leadUserId: manager.id,
          managerUserId: null,
          expected: { leadUserId: operator.id, managerUserId: manager.id },
        }),
      ),
    ).toMatchObject({
      status: 400,
      message: `The plant lead must have the role OPERATOR, APPROVER (${manager.email} is VIEWER)`,
    });
    expect(
      await answer(updatePlantRoles(admin, plant.code, { leadUserId: null, managerUserId: null, expected: { leadUserId: null, managerUserId: null } })),
    ).toMatchObject({
      status: 409,
    });
    const trail = await events("owners.updated", plant.id);
    expect(trail.map((e) => e.data)).toEqual([
      {
        plantCode: plant.code,
        interfaceCode: "PRODORD_CONFIRM",
        before: { technicalOwner: null, businessOwner: null },
        after: { technicalOwner: operator.email, businessOwner: manager.email },
      },
      expect.objectContaining({ interfaceCode: "PRODORD_CONFIRM", before: { technicalOwner: operator.email, businessOwner: manager.email } }),
      {
        plantCode: plant.code,
        interfaceCode: null,
        before: { lead: null, manager: null },
        after: { lead: operator.email, manager: manager.email },
      },
    ]);
    const after = await getOwners(admin, plant.code);
    expect(after).toMatchObject({ leadUserId: operator.id, managerUserId: manager.id });
  });

  it("only administrators (403 on a visible plant, 404 otherwise); hostile bodies are 4xx and change nothing", async () => {
    const plant = await testPlant(admin, "Europe/Berlin", ["PRODORD_CONFIRM"]);
    const { operator } = plant;
    const body = { technicalOwnerId: operator.id, businessOwnerId: null, expected: { technicalOwnerId: null, businessOwnerId: null } };
    expect(await answer(updateInterfaceOwners(operator, plant.code, "PRODORD_CONFIRM", body))).toMatchObject({ status: 403 });
    expect(await answer(updateInterfaceOwners(a.managerMty, plant.code, "PRODORD_CONFIRM", body))).toMatchObject({ status: 404 });
    expect(await answer(getOwners(a.auditor, plant.code))).toMatchObject({ status: 403 });
    expect(await answer(updateInterfaceOwners(admin, plant.code, "NOT_LINKED", body))).toMatchObject({ status: 404 });
    for (const hostile of HOSTILE) {
      for (const run of [
        () => updateInterfaceOwners(admin, plant.code, "PRODORD_CONFIRM", hostile),
        () => updatePlantRoles(admin, plant.code, hostile),
        () => updateEscalationLadder(admin, "LOW", hostile),
      ]) {
        const r = await answer(run());
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }
    }
    expect(await db().auditEvent.count({ where: { plantId: plant.id, type: "owners.updated" } })).toBe(0);
  });
});

describe("escalation ladders", () => {
  it("edits a criticality's ladder as read: rungs in order with increasing minutes; audited; concurrent edits: one wins", async () => {
    const ladders = await getEscalationLadders(admin);
    expect(ladders.CRITICAL).toEqual([
      { level: "TECHNICAL_OWNER", afterMinutes: 0 },
      { level: "PLANT_LEAD", afterMinutes: 30 },
      { level: "PLANT_MANAGER", afterMinutes: 60 },
      { level: "BUSINESS_OWNER", afterMinutes: 240 },
    ]);
    const read = ladders.MEDIUM;
    const next = [
      { level: "PLANT_MANAGER", afterMinutes: 480 },
      { level: "TECHNICAL_OWNER", afterMinutes: 0 },
      { level: "PLANT_LEAD", afterMinutes: 120 },
    ];
    expect(await updateEscalationLadder(admin, "MEDIUM", { steps: next, expected: read })).toEqual([
      { level: "TECHNICAL_OWNER", afterMinutes: 0 },
      { level: "PLANT_LEAD", afterMinutes: 120 },
      { level: "PLANT_MANAGER", afterMinutes: 480 },
    ]);
    expect(await answer(updateEscalationLadder(admin, "MEDIUM", { steps: [{ level: "TECHNICAL_OWNER", afterMinutes: 5 }], expected: read }))).toMatchObject({
      status: 409,
      code: "conflict",
    });
    const bad = await answer(
      updateEscalationLadder(admin, "MEDIUM", {
        steps: [
          { level: "TECHNICAL_OWNER", afterMinutes: 60 },
          { level: "PLANT_LEAD", afterMinutes: 60 },
        ],
        expected: next,
      }),
    );
    expect(bad).toMatchObject({
      status: 400,
      message: "steps: Each rung comes later than the one before: PLANT_LEAD after 60 min is not after TECHNICAL_OWNER (60 min)",
    });
    expect(await answer(updateEscalationLadder(admin, "MEDIUM", { steps: [], expected: next }))).toMatchObject({ status: 400 });
    expect(await answer(updateEscalationLadder(admin, "URGENT", { steps: next, expected: next }))).toMatchObject({ status: 404 });
    expect(await answer(updateEscalationLadder(a.operator, "MEDIUM", { steps: next, expected: next }))).toMatchObject({ status: 403 });
    expect(await answer(getEscalationLadders(a.auditor))).toMatchObject({ status: 403 });

    const current = (await getEscalationLadders(admin)).MEDIUM;
    const racing = await Promise.all(
      [5, 10].map((m) => answer(updateEscalationLadder(admin, "MEDIUM", { steps: [{ level: "TECHNICAL_OWNER", afterMinutes: m }], expected: current }))),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);
    const trail = await db().auditEvent.findMany({
      where: { type: "escalation_ladder.updated", subjectId: "MEDIUM", actorType: "user" },
      orderBy: { id: "asc" },
    });
    expect(trail.map((e) => e.data)).toEqual([
      { criticality: "MEDIUM", before: { TECHNICAL_OWNER: 0, PLANT_LEAD: 240 }, after: { TECHNICAL_OWNER: 0, PLANT_LEAD: 120, PLANT_MANAGER: 480 } },
      expect.objectContaining({ criticality: "MEDIUM", before: { TECHNICAL_OWNER: 0, PLANT_LEAD: 120, PLANT_MANAGER: 480 } }),
    ]);
    // Put the default back for other files.
    await updateEscalationLadder(admin, "MEDIUM", {
      steps: DEFAULT_LADDER.MEDIUM.map(({ level, afterMinutes }) => ({ level, afterMinutes })),
      expected: (await getEscalationLadders(admin)).MEDIUM,
    });
  });
});

describe("flow settings seed", () => {
  it("seeded the demo plants once: shifts, a holiday, expectations below the simulator's rate, disabled schedules, ladders and demo owners; a second run adds nothing", async () => {
    const before = await db().auditEvent.count();
    await seedReference(db());
    await seedDemoUsers(db());
    expect(await db().auditEvent.count()).toBe(before);
    const wro = await db().plant.findUniqueOrThrow({
      where: { code: "PL-WRO" },
      include: { shifts: true, calendarEntries: true, flowExpectations: true, batchSchedules: true, leadUser: true, managerUser: true },
    });
    expect(wro.shifts.map((s) => s.name).sort()).toEqual(["Early", "Late", "Night"]);
    expect(wro.calendarEntries.map((e) => [e.kind, e.startsAt.toISOString()])).toEqual([["HOLIDAY", "2027-01-05T23:00:00.000Z"]]);
    expect(wro.batchSchedules.every((s) => !s.enabled)).toBe(true);
    expect(wro.leadUser?.email).toBe("approver@andon.local");
    expect(wro.managerUser?.email).toBe("manager@andon.local");
    const clt = await db().plant.findUniqueOrThrow({
      where: { code: "US-CLT" },
      include: { managerUser: true, interfaces: { include: { technicalOwner: true, businessOwner: true } } },
    });
    expect(clt.managerUser).toBeNull(); // no demo manager has Charlotte
    // No demo technical owner: new exceptions at ingest go to a technical owner an administrator sets.
    expect(clt.interfaces.every((l) => l.technicalOwner === null && l.businessOwner === null)).toBe(true);
    expect(await db().escalationStep.count({ where: { criticality: "LOW" } })).toBe(1);

    // Each seeded minimum is at most a fifth of what the simulator sends at its default rate (5 events/s,
    // ≈ 2.2 events a message, 4 plants), so the demo raises no false STOPPED finding.
    const perPlantPerHour = (5 / 2.2 / 4) * 3600;
    for (const p of PLANTS) {
      const mix = TRAFFIC.filter((t) => p.interfaces.includes(t.code));
      const total = mix.reduce((n, t) => n + t.weight, 0);
      for (const [code, min] of Object.entries(SEED_EXPECTATIONS[p.code] ?? {})) {
        const weight = mix.find((t) => t.code === code)?.weight;
        expect(weight, `${p.code} runs ${code}`).toBeDefined();
        expect(min, `${p.code} ${code}`).toBeLessThanOrEqual((perPlantPerHour * weight!) / total / 5);
      }
    }
  });
});
