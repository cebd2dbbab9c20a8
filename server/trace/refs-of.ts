import { type DbClient, db } from "../db";
import { type ObjectRef, traceHref } from "./kinds";

/**
 * The business objects the given transactions named (typed references), per transaction, for links to their
 * traceability pages (the exception page, a message's history). The caller has decided the user may see
 * these transactions; the object's page scopes itself.
 */
export async function refsOf(transactionIds: readonly string[], client: DbClient = db()): Promise<Map<string, ObjectRef[]>> {
  const out = new Map<string, ObjectRef[]>();
  if (transactionIds.length === 0) return out;
  const rows = await client.businessRef.findMany({
    where: { transactionId: { in: [...transactionIds] } },
    orderBy: [{ transactionId: "asc" }, { kind: "asc" }, { value: "asc" }, { qualifier: "asc" }],
    take: 50 * transactionIds.length,
  });
  for (const r of rows) {
    const list = out.get(r.transactionId) ?? [];
    list.push({ kind: r.kind, value: r.value, qualifier: r.qualifier, href: traceHref(r.kind, r.value) });
    out.set(r.transactionId, list);
  }
  return out;
}
