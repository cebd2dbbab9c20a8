import { db } from "../db";

export type CurrentUser = {
  id: string;
  email: string;
  name: string;
  role: string;
  plantIds: string[];
  active: boolean;
};

/**
 * A user's current role and plant scope, read from the database on every request or socket
 * action, so a revoked role or scope applies at once (the session JWT only says who they are).
 */
export async function loadPrincipal(userId: string): Promise<CurrentUser | null> {
  const user = await db().user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, name: true, role: true, active: true, plants: { select: { plantId: true } } },
  });
  if (!user?.active) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, active: user.active, plantIds: user.plants.map((p) => p.plantId) };
}
