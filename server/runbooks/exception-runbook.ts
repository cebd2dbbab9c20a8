import { z } from "zod";
import { db } from "../db";
import { notFound } from "../http/errors";
import { type Principal, can, canSeePlant, visiblePlantIds } from "../policy";
import { keysFor } from "./keys";
import { currentRunbook } from "./load-runbooks";
import { whatFixedItBefore } from "./suggestions";

/**
 * What the exception page shows beside the error: the runbook that applies (the failure group's, else
 * the error code's), the keys an editor would write to, and what fixed the same failure before. 404
 * outside the user's plants.
 */
export async function exceptionRunbook(user: Principal, exceptionId: string) {
  if (!z.uuid().safeParse(exceptionId).success) throw notFound("Exception");
  const e = await db().exception.findUnique({ where: { id: exceptionId }, select: { id: true, plantId: true, fingerprint: true, errorCode: true } });
  if (!e || !canSeePlant(user, e.plantId)) throw notFound("Exception");
  const [group, code] = keysFor(e);
  const visible = visiblePlantIds(user);
  const [runbook, suggestions] = await Promise.all([currentRunbook([group, code]), whatFixedItBefore(e, visible === "all" ? null : [...visible])]);
  return { keys: { group, code }, runbook, suggestions, canWrite: can(user, "runbook.write") };
}
