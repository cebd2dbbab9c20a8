import { db } from "../db";
import type { Principal } from "../policy";
import { type BulkSummary, loadOwn, summary } from "./bulk-rules";

export async function getBulk(user: Principal, bulkId: string) {
  const op = await loadOwn(user, bulkId);
  const items = await db().bulkOperationItem.findMany({
    where: { bulkId, status: { in: ["SKIPPED", "FAILED"] } },
    take: 200,
    orderBy: { processedAt: "asc" },
    include: {
      exception: {
        select: { errorCode: true, plant: { select: { code: true } }, interface: { select: { code: true } }, transaction: { select: { businessKey: true } } },
      },
    },
  });
  return {
    ...summary(op),
    problems: items.map((i) => ({
      exceptionId: i.exceptionId,
      status: i.status,
      message: i.message,
      plantCode: i.exception.plant.code,
      interfaceCode: i.exception.interface.code,
      errorCode: i.exception.errorCode,
      businessKey: i.exception.transaction.businessKey,
    })),
  };
}

export async function listBulk(user: Principal): Promise<BulkSummary[]> {
  const ops = await db().bulkOperation.findMany({ where: { createdById: user.id }, orderBy: { createdAt: "desc" }, take: 10 });
  return ops.map(summary);
}
