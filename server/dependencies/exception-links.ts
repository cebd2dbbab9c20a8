import { type DbClient, db } from "../db";
import { byOther, linksOf } from "./links";

/**
 * For an exception's page: the open exceptions it waits on ("blocked by") and those waiting on it
 * ("blocks"). The other exceptions are at the same plant (the page's user sees that plant already).
 */
export async function exceptionLinks(exceptionId: string, client: DbClient = db()) {
  const [blockedBy, blocks] = await Promise.all([linksOf(client, [exceptionId], "blockedBy"), linksOf(client, [exceptionId], "blocks")]);
  return { blockedBy: byOther(blockedBy), blocks: byOther(blocks) };
}
export type ExceptionLinks = Awaited<ReturnType<typeof exceptionLinks>>;
