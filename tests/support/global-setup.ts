import type { TestProject } from "vitest/node";
import { createFreshDatabase } from "./database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One fresh database per test run, created from the committed migrations on the server that
 * DATABASE_URL points at (`npm test` sets it: the machine's PostgreSQL, or an embedded one).
 */
export default async function setup(project: TestProject) {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("DATABASE_URL is not set: run the tests with `npm test`, which provides a PostgreSQL");
  const fresh = await createFreshDatabase(base, "andon_test");
  project.provide("databaseUrl", fresh.url);
  return async () => {
    await fresh.drop();
  };
}
