import { afterAll, inject } from "vitest";

// Every test file talks to this run's fresh database through the normal db() handle.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.LOG_LEVEL ??= "warn";

afterAll(async () => {
  // Only a file that opened the database loads its module again to close it: pure unit files never
  // pay for importing Prisma (server/db keeps its handles on globalThis).
  if (!(globalThis as { __andonDb?: unknown }).__andonDb) return;
  const { closeDb } = await import("../../server/db");
  await closeDb();
});
