import { afterAll, inject } from "vitest";
import { closeDb } from "../../server/db";

// Every test file talks to this run's fresh database through the normal db() handle.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.LOG_LEVEL ??= "warn";

afterAll(async () => {
  await closeDb();
});
