import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError, notFound } from "../http/errors";
import { invalidateInterfaceCatalog } from "../ingest/catalog";
import { type Admin, actorOf, guard, setAutoReplaySchema } from "./catalog";

/**
 * Whether a dependent interface's released exceptions are replayed by Andon without a person (in
 * dependency order, then first-seen time). Audited as an interface change (interface.updated) in the
 * same transaction. Four-eyes still holds: an interface that requires approval auto-replays only an
 * exception whose correction a second person approved (see release.ts).
 */
export async function setAutoReplay(admin: Admin, interfaceCode: string, input: unknown) {
  guard(admin);
  const { autoReplayOnRelease } = setAutoReplaySchema.parse(input);
  if (
    !z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{1,63}$/)
      .safeParse(interfaceCode).success
  )
    throw notFound("Interface");
  const updated = await db().$transaction(async (tx) => {
    const before = await tx.interface.findUnique({ where: { code: interfaceCode } });
    if (!before) throw notFound("Interface");
    if (before.autoReplayOnRelease === autoReplayOnRelease) throw new AppError(409, "no_change", "The interface already has this setting");
    const res = await tx.interface.updateMany({ where: { id: before.id, autoReplayOnRelease: before.autoReplayOnRelease }, data: { autoReplayOnRelease } });
    if (res.count !== 1) throw new AppError(409, "conflict", "The interface changed meanwhile; reload");
    await append(tx, {
      type: "interface.updated",
      actor: actorOf(admin),
      subject: { type: "interface", id: before.id },
      data: { interfaceId: before.id, code: before.code, before: { autoReplayOnRelease: before.autoReplayOnRelease }, after: { autoReplayOnRelease } },
    });
    return { code: before.code, autoReplayOnRelease };
  });
  invalidateInterfaceCatalog();
  return updated;
}
