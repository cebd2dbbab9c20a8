/**
 * Seed of the flow monitor's settings (issue 19), called from prisma/seed.ts inside its seed transaction:
 * shift calendars, one real upcoming public holiday per demo plant, expected traffic of the real-time flows,
 * batch schedules and the default escalation ladders (seedFlow, reference data); and, with the demo users
 * only, owners, plant leads and plant managers (seedDemoOwners).
 *
 * Like the rest of the seed it creates only what is missing, audited in the same transaction ("andon
 * boot"). "Missing" means never set: a kind of setting is seeded for a plant (or criticality) only while
 * the audit trail holds no event of that kind for it, so a shift, holiday or expectation an administrator
 * removed does not come back at the next start.
 */
import type { Criticality } from "../server/db/generated/enums";
import { DEFAULT_LADDER, type Rung } from "../server/escalation/ladder";
import type { Prisma } from "../server/db/generated/client";
import type { AppendInput, AuditEventType } from "../server/audit";
import { entryInstants } from "../server/calendar/entry-rules";

type Tx = Prisma.TransactionClient;
type Events = AppendInput<AuditEventType>[];
const BOOT = { type: "system" as const, label: "andon boot" };
const event = <T extends AuditEventType>(e: AppendInput<T>) => e as AppendInput<AuditEventType>;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

const MON_FRI = [1, 2, 3, 4, 5];
const EARLY = { name: "Early", weekdays: MON_FRI, startMinute: 6 * 60, endMinute: 14 * 60 };
const LATE = { name: "Late", weekdays: MON_FRI, startMinute: 14 * 60, endMinute: 22 * 60 };
/** Wroclaw runs a night shift too (Monday night to Friday night; the Friday night shift ends Saturday 06:00). */
const NIGHT = { name: "Night", weekdays: MON_FRI, startMinute: 22 * 60, endMinute: 6 * 60 };

/**
 * Expected traffic of the demo plants' real-time flows, per 60-minute window of production time, no
 * maximum. The simulator (connectors/sim) runs at ANDON_SIM_RATE = 5 events/s over 4 plants by default,
 * about 2,045 messages an hour per plant, split by the interface weights of connectors/sim/traffic.ts
 * (DE-HAM: PRODORD_CONFIRM 25/82, GOODS_MOVEMENT 30/82; US-CLT: GOODS_MOVEMENT 30/56; MX-MTY:
 * SUPPLIER_ASN 6/9; PL-WRO: GOODS_MOVEMENT 30/54). The minimum is a tenth of that (messages, not hops;
 * refusals at the source and a slower simulator stay above it); flows whose volume depends on other
 * flows or timers (QUALITY_HOLD, INSPECTION_RESULT, releases, work orders) get minimum 0 until an
 * administrator accepts a suggestion from real traffic. tests/integration/flow-settings-seed.test.ts
 * checks these against the simulator's weights.
 */
export const SEED_EXPECTATIONS: Record<string, Record<string, number>> = {
  "DE-HAM": { PRODORD_CONFIRM: 62, GOODS_MOVEMENT: 74, PRODORD_RELEASE: 0, QUALITY_HOLD: 0, INSPECTION_RESULT: 0 },
  "US-CLT": { GOODS_MOVEMENT: 109, PRODORD_RELEASE: 0, MAINT_WORK_ORDER: 0 },
  "MX-MTY": { SUPPLIER_ASN: 136 },
  "PL-WRO": { GOODS_MOVEMENT: 113, PRODORD_RELEASE: 0, QUALITY_HOLD: 0, INSPECTION_RESULT: 0 },
};

/** Per plant: its shifts and one real public holiday of December 2026 / January 2027 there. */
const CALENDARS: Record<string, { shifts: (typeof EARLY)[]; holiday: { date: string; reason: string } }> = {
  "DE-HAM": { shifts: [EARLY, LATE], holiday: { date: "2026-12-25", reason: "1. Weihnachtstag (Christmas Day)" } },
  "US-CLT": { shifts: [EARLY, LATE], holiday: { date: "2026-12-25", reason: "Christmas Day" } },
  "MX-MTY": { shifts: [EARLY, LATE], holiday: { date: "2027-01-01", reason: "Año Nuevo (New Year's Day)" } },
  "PL-WRO": { shifts: [EARLY, LATE, NIGHT], holiday: { date: "2027-01-06", reason: "Święto Trzech Króli (Epiphany)" } },
};

/**
 * Batch schedules as the issue describes them: MATERIAL_MASTER hourly, FORECAST_IMPORT daily, complete by
 * 06:00 local. The simulator sends these interfaces continuously at random, not on a schedule, so they
 * are seeded disabled (enabled, they would raise MISSED_RUN findings the demo does not deserve); an
 * administrator enables them for a plant whose batch really runs so.
 */
const SCHEDULES: Record<string, { cron: string; completeWithinMinutes: number; minMessages: number }> = {
  MATERIAL_MASTER: { cron: "0 * * * *", completeWithinMinutes: 30, minMessages: 1 },
  FORECAST_IMPORT: { cron: "0 5 * * *", completeWithinMinutes: 60, minMessages: 1 },
};

/** Plant ids with at least one audit event of these types (the setting was made once, by the seed or a person). */
async function touched(tx: Tx, types: AuditEventType[], plantIds: string[]): Promise<Set<string>> {
  const rows = await tx.auditEvent.findMany({ where: { type: { in: types }, plantId: { in: plantIds } }, select: { plantId: true }, distinct: ["plantId"] });
  return new Set(rows.map((r) => r.plantId!));
}

export async function seedFlow(tx: Tx, events: Events): Promise<void> {
  const plants = await tx.plant.findMany({
    where: { code: { in: Object.keys(CALENDARS) } },
    select: { id: true, code: true, timezone: true, interfaces: { select: { interface: { select: { id: true, code: true } } } } },
  });
  const ids = plants.map((p) => p.id);
  const shiftsSet = await touched(tx, ["calendar.shift_saved", "calendar.shift_deleted"], ids);
  const entriesSet = await touched(tx, ["calendar.entry_added", "calendar.entry_removed"], ids);
  const expectationsSet = await touched(tx, ["expectation.updated"], ids);
  const schedulesSet = await touched(tx, ["batch_schedule.updated"], ids);
  for (const p of plants) {
    const cal = CALENDARS[p.code]!;
    if (!shiftsSet.has(p.id) && (await tx.plantShift.count({ where: { plantId: p.id } })) === 0) {
      for (const s of cal.shifts) {
        const row = await tx.plantShift.create({ data: { plantId: p.id, ...s } });
        events.push(
          event({
            type: "calendar.shift_saved",
            actor: BOOT,
            plantId: p.id,
            subject: { type: "plant", id: p.id },
            data: {
              plantCode: p.code,
              shiftId: row.id,
              before: null,
              after: { name: s.name, weekdays: s.weekdays, start: hhmm(s.startMinute), end: hhmm(s.endMinute) },
            },
          }),
        );
      }
    }
    if (!entriesSet.has(p.id)) {
      const span = entryInstants({ kind: "HOLIDAY", date: cal.holiday.date, reason: cal.holiday.reason }, p.timezone);
      const row = await tx.plantCalendarEntry.create({ data: { plantId: p.id, kind: "HOLIDAY", ...span, reason: cal.holiday.reason } });
      events.push(
        event({
          type: "calendar.entry_added",
          actor: BOOT,
          plantId: p.id,
          subject: { type: "plant", id: p.id },
          data: {
            plantCode: p.code,
            entryId: row.id,
            kind: "HOLIDAY",
            startsAt: row.startsAt.toISOString(),
            endsAt: row.endsAt.toISOString(),
            reason: row.reason,
          },
        }),
      );
    }
    const linked = new Map(p.interfaces.map((l) => [l.interface.code, l.interface.id]));
    if (!expectationsSet.has(p.id)) {
      for (const [code, minCount] of Object.entries(SEED_EXPECTATIONS[p.code] ?? {})) {
        const interfaceId = linked.get(code);
        if (!interfaceId || (await tx.flowExpectation.findUnique({ where: { plantId_interfaceId: { plantId: p.id, interfaceId } } }))) continue;
        const after = { windowMinutes: 60, minCount, maxCount: null, productionOnly: true, enabled: true };
        await tx.flowExpectation.create({ data: { plantId: p.id, interfaceId, ...after } });
        events.push(
          event({
            type: "expectation.updated",
            actor: BOOT,
            plantId: p.id,
            subject: { type: "interface", id: interfaceId },
            data: { plantCode: p.code, interfaceCode: code, before: null, after },
          }),
        );
      }
    }
    if (!schedulesSet.has(p.id)) {
      for (const [code, s] of Object.entries(SCHEDULES)) {
        const interfaceId = linked.get(code);
        if (!interfaceId || (await tx.batchSchedule.findUnique({ where: { plantId_interfaceId: { plantId: p.id, interfaceId } } }))) continue;
        const after = { ...s, enabled: false };
        await tx.batchSchedule.create({ data: { plantId: p.id, interfaceId, ...after } });
        events.push(
          event({
            type: "batch_schedule.updated",
            actor: BOOT,
            plantId: p.id,
            subject: { type: "interface", id: interfaceId },
            data: { plantCode: p.code, interfaceCode: code, before: null, after },
          }),
        );
      }
    }
  }
  const laddersSet = new Set(
    (await tx.auditEvent.findMany({ where: { type: "escalation_ladder.updated" }, select: { subjectId: true }, distinct: ["subjectId"] })).map(
      (e) => e.subjectId,
    ),
  );
  // The default ladders, the ones the escalation applies to a criticality without rows (server/escalation/ladder.ts).
  for (const [criticality, rungs] of Object.entries(DEFAULT_LADDER) as [Criticality, readonly Rung[]][]) {
    if (laddersSet.has(criticality) || (await tx.escalationStep.count({ where: { criticality } })) > 0) continue;
    await tx.escalationStep.createMany({ data: rungs.map(({ level, afterMinutes }) => ({ criticality, level, afterMinutes })) });
    const steps = rungs.map(({ level, afterMinutes }) => [level, afterMinutes] as const);
    events.push(
      event({
        type: "escalation_ladder.updated",
        actor: BOOT,
        subject: { type: "escalation_ladder", id: criticality },
        data: { criticality, before: {}, after: Object.fromEntries(steps) },
      }),
    );
  }
}

/**
 * Demo only (with the demo users): a demo manager who sees the plant is the business owner of every flow
 * and the plant manager, the demo approver the plant lead. No technical owner is seeded: new exceptions
 * are assigned to an interface's technical owner at ingest (server/ingest/assign-owner.ts), and the demo
 * journeys and tests start from unassigned exceptions; an administrator sets technical owners (Admin).
 * Set once per plant (no owners.updated event for it yet) and only where the users' plants match.
 */
export async function seedDemoOwners(tx: Tx, events: Events, demo: { email: string; role: string; plants: string[] | "all" }[]): Promise<void> {
  const plants = await tx.plant.findMany({
    where: { code: { in: Object.keys(CALENDARS) } },
    select: { id: true, code: true, interfaces: { select: { interfaceId: true, interface: { select: { code: true } } } } },
  });
  const done = await touched(
    tx,
    ["owners.updated"],
    plants.map((p) => p.id),
  );
  const users = await tx.user.findMany({ where: { email: { in: demo.map((u) => u.email) }, active: true }, select: { id: true, email: true } });
  const idOf = (email: string | undefined) => users.find((u) => u.email === email)?.id ?? null;
  const pick = (role: string, plant: string, prefer: string) => {
    const fit = demo.filter((u) => u.role === role && (u.plants === "all" || u.plants.includes(plant)));
    return (fit.find((u) => u.email === prefer) ?? fit[0])?.email;
  };
  for (const p of plants.filter((p) => !done.has(p.id))) {
    const manager = pick("VIEWER", p.code, "manager@andon.local");
    const lead = pick("APPROVER", p.code, "approver@andon.local");
    const [managerId, leadId] = [idOf(manager), idOf(lead)];
    if (!managerId && !leadId) continue;
    await tx.plant.update({ where: { id: p.id }, data: { leadUserId: leadId, managerUserId: managerId } });
    events.push(
      event({
        type: "owners.updated",
        actor: BOOT,
        plantId: p.id,
        subject: { type: "plant", id: p.id },
        data: {
          plantCode: p.code,
          interfaceCode: null,
          before: { lead: null, manager: null },
          after: { lead: leadId ? lead! : null, manager: managerId ? manager! : null },
        },
      }),
    );
    for (const l of managerId ? p.interfaces : []) {
      await tx.plantInterface.update({
        where: { plantId_interfaceId: { plantId: p.id, interfaceId: l.interfaceId } },
        data: { businessOwnerId: managerId },
      });
      events.push(
        event({
          type: "owners.updated",
          actor: BOOT,
          plantId: p.id,
          subject: { type: "interface", id: l.interfaceId },
          data: {
            plantCode: p.code,
            interfaceCode: l.interface.code,
            before: { technicalOwner: null, businessOwner: null },
            after: { technicalOwner: null, businessOwner: manager! },
          },
        }),
      );
    }
  }
}
