/**
 * Runs one bulk patch preview (server/exceptions/bulk.ts#previewPatch) and prints its result as JSON.
 * Tests start it in a Node process with a small heap, to show what the preview holds in memory at once.
 *
 *   DATABASE_URL=… node --max-old-space-size=128 --import tsx tests/support/preview-child.ts <user email> <selection filter> <patch JSON>
 */
import { loadPrincipal } from "../../server/auth/principal";
import { closeDb, db } from "../../server/db";
import { previewPatch } from "../../server/exceptions/preview-patch";

async function main() {
  const [email, filter, patch] = process.argv.slice(2);
  const user = await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: email! } })).id);
  const preview = await previewPatch(user!, { selection: { filter: filter! }, patch: JSON.parse(patch!) as unknown }, 600_000); // memory is measured here, not the time budget
  console.log(
    JSON.stringify({
      total: preview.total,
      counts: preview.counts,
      items: preview.items.length,
      heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    }),
  );
  await closeDb();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
