import type { DbClient } from "../db";
import { AppError } from "../http/errors";

/**
 * Who may hold which responsibility at a plant. Everyone must be an active user who can see the plant
 * (administrators and auditors see every plant; others through their plant scope):
 * - technical owner of an interface: OPERATOR, APPROVER or ADMIN (they handle findings and exceptions);
 * - business owner of an interface: any role;
 * - plant lead: OPERATOR or APPROVER (support on the floor); plant manager: VIEWER (the manager's role).
 */
export type Responsibility = "technicalOwner" | "businessOwner" | "lead" | "manager";
export const RESPONSIBILITY_ROLES: Record<Responsibility, readonly string[] | "any"> = {
  technicalOwner: ["OPERATOR", "APPROVER", "ADMIN"],
  businessOwner: "any",
  lead: ["OPERATOR", "APPROVER"],
  manager: ["VIEWER"],
};
export const RESPONSIBILITY_LABELS: Record<Responsibility, string> = {
  technicalOwner: "technical owner",
  businessOwner: "business owner",
  lead: "plant lead",
  manager: "plant manager",
};

export type Candidate = { id: string; name: string; email: string; role: string };

/** Active users who can see the plant, by name. */
export async function plantUsers(client: DbClient, plantId: string): Promise<Candidate[]> {
  return client.user.findMany({
    where: { active: true, OR: [{ role: { in: ["ADMIN", "AUDITOR"] } }, { plants: { some: { plantId } } }] },
    select: { id: true, name: true, email: true, role: true },
    orderBy: [{ name: "asc" }, { email: "asc" }],
  });
}

export const fits = (r: Responsibility, u: Candidate) => RESPONSIBILITY_ROLES[r] === "any" || (RESPONSIBILITY_ROLES[r] as readonly string[]).includes(u.role);

/** The user for a responsibility (null: nobody), or a 400 saying why not. */
export function checkCandidate(users: readonly Candidate[], r: Responsibility, userId: string | null, plantCode: string): Candidate | null {
  if (userId === null) return null;
  const u = users.find((x) => x.id === userId);
  if (!u) throw new AppError(400, "invalid_owner", `The ${RESPONSIBILITY_LABELS[r]} must be an active user who can see ${plantCode}`);
  if (!fits(r, u)) {
    const roles = RESPONSIBILITY_ROLES[r] as readonly string[];
    throw new AppError(400, "invalid_owner", `The ${RESPONSIBILITY_LABELS[r]} must have the role ${roles.join(", ")} (${u.email} is ${u.role})`);
  }
  return u;
}
