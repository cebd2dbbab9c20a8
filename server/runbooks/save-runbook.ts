import { createHash } from "node:crypto";
import { z } from "zod";
import { append } from "../audit";
import { Prisma, db } from "../db";
import { AppError, forbidden } from "../http/errors";
import { can } from "../policy";
import type { Actor } from "../corrections/rules";
import { actorOf } from "../corrections/rules";
import { runbookKeySchema } from "./keys";

export const RUNBOOK_LIMITS = { title: 200, body: 50_000 } as const;

export const saveRunbookSchema = z
  .object({
    key: runbookKeySchema,
    title: z.string().trim().min(1, "Give the runbook a title").max(RUNBOOK_LIMITS.title),
    body: z.string().max(RUNBOOK_LIMITS.body, `A runbook is limited to ${RUNBOOK_LIMITS.body} characters`),
    /** The version the editor started from (0: a new runbook): a save over a newer version is refused. */
    baseVersion: z.number().int().min(0),
  })
  .strict();

export const bodyHash = (body: string) => createHash("sha256").update(body).digest("hex");

/**
 * Saves a runbook as its next version (every save is a new row; the highest version is current), by
 * approvers and admins (runbook.write), audited "runbook.saved" with the body's hash in the same
 * transaction. The editor names the version it started from: if someone saved meanwhile, 409.
 * Saving exactly the current title and body again adds nothing.
 */
export async function saveRunbook(user: Actor, input: unknown) {
  if (!can(user, "runbook.write")) throw forbidden("Only approvers and administrators edit runbooks");
  const { key, title, body, baseVersion } = saveRunbookSchema.parse(input);
  try {
    return await db().$transaction(async (tx) => {
      const current = await tx.runbook.findFirst({ where: { key }, orderBy: { version: "desc" } });
      const latest = current?.version ?? 0;
      if (baseVersion !== latest)
        throw new AppError(409, "runbook_changed", `Someone saved version ${latest} of this runbook meanwhile: reload it and apply your change to it`);
      if (current && current.title === title && current.body === body) return { runbook: current, changed: false };
      const runbook = await tx.runbook.create({ data: { key, version: latest + 1, title, body, authorId: user.id } });
      await append(tx, {
        type: "runbook.saved",
        actor: actorOf(user),
        plantId: null,
        subject: { type: "runbook", id: key },
        data: { runbookId: runbook.id, key, version: runbook.version, title, bodyHash: bodyHash(body) },
      });
      return { runbook, changed: true };
    });
  } catch (err) {
    // Two saves of the same version at once: the (key, version) key lets one win.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
      throw new AppError(409, "runbook_changed", "Someone saved this runbook at the same moment: reload it and apply your change to it");
    throw err;
  }
}
