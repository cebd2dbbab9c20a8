import { z } from "zod";
import { db } from "../db";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";
import type { FindingChange } from "../realtime/events";
import { publishToPlant } from "../realtime/publish";

/**
 * What the finding actions share (one action per file: acknowledge-finding, assign-finding): load within
 * the user's plants (404 outside them) → policy (403) → state (409 for a resolved finding, or when the
 * status moved since it was read) → one transaction with the change and its audit row → live update
 * to the plant's room after commit.
 */
export type Actor = Principal & { email: string };
export const actorOf = (user: Actor) => ({ type: "user" as const, id: user.id, label: user.email });

export async function loadFindingForAction(user: Actor, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Finding");
  const finding = await db().finding.findUnique({
    where: { id },
    include: { assignee: { select: { email: true } } },
  });
  if (!finding || !canSeePlant(user, finding.plantId)) throw notFound("Finding");
  if (!can(user, "finding.handle", { plantId: finding.plantId })) throw forbidden("Your role cannot handle findings");
  if (finding.status === "RESOLVED") throw new AppError(409, "finding_resolved", "This finding has cleared already");
  const iface = await db().interface.findUniqueOrThrow({ where: { id: finding.interfaceId }, select: { code: true } });
  return { ...finding, interfaceCode: iface.code };
}

export const findingMoved = () => new AppError(409, "conflict", "The finding changed meanwhile; reload it");

export function publishFindingChange(change: FindingChange): void {
  publishToPlant(change.plantId, "finding.changed", change);
}
