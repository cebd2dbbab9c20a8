import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError, forbidden } from "../http/errors";
import { can } from "../policy";
import { type Actor, type HandoverView, actorOf, alreadyAcknowledged, loadHandover, notesVersions, present, ref } from "./handover-view";
import { publishHandoverChange } from "./live";

export const NOTES_MAX = 4000;
export const notesBodySchema = z
  .object({
    notes: z.string().max(NOTES_MAX, `Notes are at most ${NOTES_MAX} characters`),
    /** The notes' version the writer read (HandoverView.notesVersion). */
    version: z.number().int().min(0),
  })
  .strict();

const EXCERPT = 200;

/**
 * The outgoing lead's notes on a prepared handover. Conditional on the version read: the handover row is
 * locked, its edits counted, and a write over another one's edit is refused (409, with the current version);
 * an acknowledged handover is final (409). Audited with an excerpt, in the same transaction.
 */
export async function updateHandoverNotes(user: Actor, code: string, id: string, body: unknown): Promise<HandoverView> {
  const { plant, row } = await loadHandover(user, code, id);
  if (!can(user, "handover.write", { plantId: plant.id })) throw forbidden("Your role cannot write handover notes");
  const input = notesBodySchema.parse(body);
  const notes = input.notes.trim() === "" ? null : input.notes.trim();
  const updated = await db().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM handover WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked[0]?.status !== "PREPARED") throw alreadyAcknowledged();
    const version = (await notesVersions(tx, [id])).get(id) ?? 0;
    if (version !== input.version) throw new AppError(409, "conflict", "Someone else changed these notes meanwhile; reload them before saving", { version });
    const res = await tx.handover.updateMany({ where: { id, status: "PREPARED" }, data: { notes, notesUpdatedById: user.id } });
    if (res.count !== 1) throw alreadyAcknowledged();
    await append(tx, {
      type: "handover.notes_updated",
      actor: actorOf(user),
      plantId: plant.id,
      subject: { type: "handover", id },
      data: { ...ref(plant, row), excerpt: (notes ?? "").slice(0, EXCERPT) },
    });
    return tx.handover.findUniqueOrThrow({ where: { id } });
  });
  publishHandoverChange({ id, plantId: plant.id, status: updated.status });
  return (await present(user, plant, [updated]))[0]!;
}
