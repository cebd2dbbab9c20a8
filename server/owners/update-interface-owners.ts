import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { type Admin, actorOf, conflict, linkedInterface, plantFor } from "../flow-settings/access";
import { checkCandidate, plantUsers } from "./candidates";

const userId = z.uuid("A user id").nullable();
export const interfaceOwnersSchema = z
  .object({
    technicalOwnerId: userId,
    businessOwnerId: userId,
    /** The owners the form read (optimistic concurrency: changed meanwhile ⇒ 409). */
    expected: z.object({ technicalOwnerId: userId, businessOwnerId: userId }).strict(),
  })
  .strict();

/**
 * Sets an interface's technical and business owner at a plant, conditional on the owners read; audited
 * owners.updated (before/after by e-mail) in the same transaction.
 */
export async function updateInterfaceOwners(admin: Admin, plantCode: unknown, interfaceCode: unknown, input: unknown) {
  const plant = await plantFor(admin, plantCode, "owner.manage", "Only administrators set owners");
  const link = await linkedInterface(plant, interfaceCode);
  const { technicalOwnerId, businessOwnerId, expected } = interfaceOwnersSchema.parse(input);
  return db().$transaction(async (tx) => {
    const users = await plantUsers(tx, plant.id);
    const tech = checkCandidate(users, "technicalOwner", technicalOwnerId, plant.code);
    const business = checkCandidate(users, "businessOwner", businessOwnerId, plant.code);
    if (expected.technicalOwnerId === technicalOwnerId && expected.businessOwnerId === businessOwnerId)
      throw new AppError(409, "no_change", "The interface already has these owners");
    const { count } = await tx.plantInterface.updateMany({
      where: { plantId: plant.id, interfaceId: link.interface.id, technicalOwnerId: expected.technicalOwnerId, businessOwnerId: expected.businessOwnerId },
      data: { technicalOwnerId, businessOwnerId },
    });
    if (count === 0) throw conflict(`The owners of ${link.interface.code} at ${plant.code}`);
    const email = (id: string | null) => (id ? (users.find((u) => u.id === id)?.email ?? id) : null);
    await append(tx, {
      type: "owners.updated",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "interface", id: link.interface.id },
      data: {
        plantCode: plant.code,
        interfaceCode: link.interface.code,
        before: { technicalOwner: email(expected.technicalOwnerId), businessOwner: email(expected.businessOwnerId) },
        after: { technicalOwner: tech?.email ?? null, businessOwner: business?.email ?? null },
      },
    });
    return { interfaceCode: link.interface.code, technicalOwnerId, businessOwnerId };
  });
}
