import { z } from "zod";
import { db } from "../db";
import { notFound } from "../http/errors";
import { type Principal, canSeePlant } from "../policy";

/** A correction with its exception, inside the user's plant scope (404 outside it). */
export async function loadCorrection(user: Principal, correctionId: string) {
  if (!z.uuid().safeParse(correctionId).success) throw notFound("Correction");
  const c = await db().correction.findUnique({ where: { id: correctionId }, include: { exception: true } });
  if (!c || !canSeePlant(user, c.exception.plantId)) throw notFound("Correction");
  return c;
}
