import { defineConfig } from "prisma/config";

// The Prisma CLI is used here for `prisma generate` only: migrations are applied by
// server/db/migrate.ts (the schema engine cannot be downloaded on our machines).
// The layout stays compatible with `prisma migrate deploy` where the engine is available.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/andon" },
});
