import { append } from "../audit";
import { type Prisma, db } from "../db";
import { AppError, forbidden } from "../http/errors";
import { can } from "../policy";
import { enqueueInTx } from "../workers/boss";
import { type Actor, type BulkSummary, BULK_PERMISSION, BULK_QUEUE, KIND_LABEL, actorOf, bulkRequestSchema, resolveSelection, summary } from "./bulk-rules";

/** Start a bulk action: resolve its targets, store them, audit the start and queue the job — one transaction. */
export async function startBulk(user: Actor, input: unknown): Promise<BulkSummary> {
  const req = bulkRequestSchema.parse(input);
  if (!can(user, BULK_PERMISSION[req.kind])) throw forbidden(`Your role cannot ${KIND_LABEL[req.kind].toLowerCase()} exceptions in bulk`);
  const ids = await resolveSelection(user, req.selection);
  if (ids.length === 0) throw new AppError(422, "empty_selection", "Nothing matches this selection in the plants you can see");
  const op = await db().$transaction(async (tx) => {
    const created = await tx.bulkOperation.create({
      data: {
        kind: req.kind,
        createdById: user.id,
        selection: req.selection as Prisma.InputJsonValue,
        params: req.params as Prisma.InputJsonValue,
        total: ids.length,
      },
    });
    await tx.bulkOperationItem.createMany({ data: ids.map((exceptionId) => ({ bulkId: created.id, exceptionId })) });
    await append(tx, {
      type: "bulk.started",
      actor: actorOf(user),
      subject: { type: "bulk_operation", id: created.id },
      data: {
        bulkId: created.id,
        kind: req.kind,
        total: ids.length,
        done: 0,
        skipped: 0,
        failed: 0,
        selection: req.selection,
        params: req.params as Record<string, unknown>,
      },
    });
    await enqueueInTx(tx, BULK_QUEUE, { bulkId: created.id }, { retryLimit: 5, retryDelay: 5, retryBackoff: true });
    return created;
  });
  return summary(op);
}
