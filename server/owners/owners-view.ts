import { db } from "../db";
import { type AdminPlant, plantFor } from "../flow-settings/access";
import type { Principal } from "../policy";
import { type Candidate, fits, plantUsers, type Responsibility } from "./candidates";

/** A plant's responsibilities: lead and manager, and each linked interface's technical and business owner, with who may hold them. */
export type OwnersView = {
  plant: AdminPlant;
  leadUserId: string | null;
  managerUserId: string | null;
  interfaces: { interfaceCode: string; name: string; criticality: string; technicalOwnerId: string | null; businessOwnerId: string | null }[];
  candidates: Record<Responsibility, Candidate[]>;
};

export async function getOwners(user: Principal, plantCode: unknown): Promise<OwnersView> {
  const plant = await plantFor(user, plantCode, "owner.manage", "Only administrators set owners");
  const [row, links, users] = await Promise.all([
    db().plant.findUniqueOrThrow({ where: { id: plant.id }, select: { leadUserId: true, managerUserId: true } }),
    db().plantInterface.findMany({
      where: { plantId: plant.id },
      select: { technicalOwnerId: true, businessOwnerId: true, interface: { select: { code: true, name: true, criticality: true } } },
    }),
    plantUsers(db(), plant.id),
  ]);
  const of = (r: Responsibility) => users.filter((u) => fits(r, u));
  return {
    plant,
    leadUserId: row.leadUserId,
    managerUserId: row.managerUserId,
    interfaces: links
      .map((l) => ({
        interfaceCode: l.interface.code,
        name: l.interface.name,
        criticality: l.interface.criticality,
        technicalOwnerId: l.technicalOwnerId,
        businessOwnerId: l.businessOwnerId,
      }))
      .sort((a, b) => a.interfaceCode.localeCompare(b.interfaceCode)),
    candidates: { technicalOwner: of("technicalOwner"), businessOwner: of("businessOwner"), lead: of("lead"), manager: of("manager") },
  };
}
