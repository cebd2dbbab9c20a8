import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { type Admin, actorOf, conflict, plantFor } from "../flow-settings/access";
import { checkCandidate, plantUsers } from "./candidates";

const userId = z.uuid("A user id").nullable();
export const plantRolesSchema = z
  .object({
    leadUserId: userId,
    managerUserId: userId,
    /** The lead and manager the form read (changed meanwhile ⇒ 409). */
    expected: z.object({ leadUserId: userId, managerUserId: userId }).strict(),
  })
  .strict();

/** Sets a plant's lead (second rung of escalation) and manager (third rung), conditional on what was read; audited owners.updated. */
export async function updatePlantRoles(admin: Admin, plantCode: unknown, input: unknown) {
  const plant = await plantFor(admin, plantCode, "owner.manage", "Only administrators set owners");
  const { leadUserId, managerUserId, expected } = plantRolesSchema.parse(input);
  return db().$transaction(async (tx) => {
    const users = await plantUsers(tx, plant.id);
    const lead = checkCandidate(users, "lead", leadUserId, plant.code);
    const manager = checkCandidate(users, "manager", managerUserId, plant.code);
    if (expected.leadUserId === leadUserId && expected.managerUserId === managerUserId)
      throw new AppError(409, "no_change", "The plant already has this lead and manager");
    const { count } = await tx.plant.updateMany({
      where: { id: plant.id, leadUserId: expected.leadUserId, managerUserId: expected.managerUserId },
      data: { leadUserId, managerUserId },
    });
    if (count === 0) throw conflict(`The lead and manager of ${plant.code}`);
    const email = (id: string | null) => (id ? (users.find((u) => u.id === id)?.email ?? id) : null);
    await append(tx, {
      type: "owners.updated",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "plant", id: plant.id },
      data: {
        plantCode: plant.code,
        interfaceCode: null,
        before: { lead: email(expected.leadUserId), manager: email(expected.managerUserId) },
        after: { lead: lead?.email ?? null, manager: manager?.email ?? null },
      },
    });
    return { leadUserId, managerUserId };
  });
}
