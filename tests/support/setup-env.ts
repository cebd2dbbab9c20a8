import { afterAll, inject } from "vitest";

// Every test file talks to this run's fresh database through the normal db() handle. The log level stays the
// server's default (info): tests assert on info lines (tests/integration/client-abort.test.ts).
process.env.DATABASE_URL = inject("databaseUrl");

afterAll(async () => {
  // Only a file that opened the database loads its module again to close it: pure unit files never
  // pay for importing Prisma (server/db keeps its handles on globalThis).
  if (!(globalThis as { __andonDb?: unknown }).__andonDb) return;
  const { closeDb } = await import("../../server/db");
  await closeDb();
});
