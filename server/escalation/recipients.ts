import type { Prisma } from "../db";
import type { EscalationLevel } from "../db/generated/enums";
import { can } from "../policy";

/**
 * Who stands on each rung for one alert: the interface's technical owner at the plant (the plant lead
 * when the alert has no interface or the interface no owner), the plant lead, the plant manager and the
 * interface's business owner. Only active people who may read notifications and see the plant are
 * notified (a link to a plant they cannot open would tell them nothing and leak its name).
 */
export type LadderPeople = { technicalOwnerId: string | null; businessOwnerId: string | null; leadUserId: string | null; managerUserId: string | null };

export function holderOf(level: EscalationLevel, p: LadderPeople): string | null {
  switch (level) {
    case "TECHNICAL_OWNER":
      return p.technicalOwnerId ?? p.leadUserId;
    case "PLANT_LEAD":
      return p.leadUserId;
    case "PLANT_MANAGER":
      return p.managerUserId;
    case "BUSINESS_OWNER":
      return p.businessOwnerId;
  }
}

export async function loadLadderPeople(tx: Prisma.TransactionClient, plantId: string, interfaceId: string | null): Promise<LadderPeople> {
  const plant = await tx.plant.findUnique({ where: { id: plantId }, select: { leadUserId: true, managerUserId: true } });
  const pi = interfaceId
    ? await tx.plantInterface.findUnique({
        where: { plantId_interfaceId: { plantId, interfaceId } },
        select: { technicalOwnerId: true, businessOwnerId: true },
      })
    : null;
  return {
    technicalOwnerId: pi?.technicalOwnerId ?? null,
    businessOwnerId: pi?.businessOwnerId ?? null,
    leadUserId: plant?.leadUserId ?? null,
    managerUserId: plant?.managerUserId ?? null,
  };
}

/** The ids among `userIds` that may be notified about a subject of `plantId`. */
export async function notifiable(tx: Prisma.TransactionClient, userIds: readonly string[], plantId: string): Promise<string[]> {
  if (userIds.length === 0) return [];
  const users = await tx.user.findMany({
    where: { id: { in: [...new Set(userIds)] }, active: true },
    select: { id: true, role: true, active: true, plants: { select: { plantId: true } } },
  });
  return users
    .filter((u) => can({ id: u.id, role: u.role, active: u.active, plantIds: u.plants.map((p) => p.plantId) }, "notification.read", { plantId }))
    .map((u) => u.id);
}
