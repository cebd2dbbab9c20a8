import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { DEMO_PASSWORD, DEMO_USERS, seedDemoUsers, seedReference } from "../prisma/seed";
import pg from "pg";
import { appDbRole, config, reloadConfig } from "./config";
import { ensureDemoConnectorKeys } from "./connectors/demo-keys";
import { db } from "./db";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./db/embedded";
import { migrate } from "./db/migrate";
import { logger } from "./log";

const log = logger("boot");

/**
 * Everything before serving: database (embedded when DATABASE_URL is unset), migrations, seed,
 * secrets. Shared by the server and by scripts that need a ready database.
 */
export async function prepareDatabase(): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  const cfg = config();
  let embedded: EmbeddedDatabase | undefined;
  if (!cfg.DATABASE_URL) {
    const dataDir = path.join(cfg.ANDON_DATA_DIR, "pg");
    log.info({ dataDir, port: cfg.ANDON_EMBEDDED_PG_PORT }, "DATABASE_URL is unset: starting embedded PostgreSQL");
    embedded = await startEmbeddedPostgres({
      dataDir,
      port: cfg.ANDON_EMBEDDED_PG_PORT,
      database: "andon",
      onLog: (line) => log.debug({ pg: line }),
    });
    process.env.DATABASE_URL = embedded.url;
    reloadConfig();
    log.info({ url: embedded.url.replace(/:[^:@/]+@/, ":***@") }, "embedded PostgreSQL ready");
    console.log(`\n  Embedded PostgreSQL: ${embedded.url}\n`);
  }
  const url = config().DATABASE_URL!;
  const result = await migrate(config().ANDON_MIGRATION_DATABASE_URL ?? url);
  log.info(result, "migrations applied");
  await checkAppRole(url);
  await seedReference(db());
  if (config().ANDON_DEMO) {
    await seedDemoUsers(db());
    const { file } = await ensureDemoConnectorKeys(config().ANDON_DATA_DIR);
    log.info({ file }, "demo connector keys ready");
  }
  return { url, embedded };
}

/** The application role (ANDON_DB_ROLE) must exist and the login role must be a member: say how to fix it, at once. */
async function checkAppRole(url: string): Promise<void> {
  const role = appDbRole();
  if (!role) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean; member: boolean | null; me: string }>(
      "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists, CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) THEN pg_has_role(current_user, $1, 'MEMBER') END AS member, current_user AS me",
      [role],
    );
    const r = rows[0]!;
    if (!r.exists)
      throw new Error(
        `Database role ${role} does not exist: create it (CREATE ROLE ${role} NOLOGIN) and re-run the grants of migration 20261125130000_app_role, or set ANDON_DB_ROLE=none`,
      );
    if (!r.member) throw new Error(`The database user ${r.me} is not a member of ${role}: GRANT ${role} TO ${r.me}, or set ANDON_DB_ROLE=none`);
    log.info({ role }, "application queries run as the application database role");
  } finally {
    await client.end();
  }
}

/** NEXTAUTH_SECRET: required in production; for local runs generated once and kept under .andon/. */
export async function ensureAuthSecret(): Promise<string> {
  const cfg = config();
  if (cfg.NEXTAUTH_SECRET) return cfg.NEXTAUTH_SECRET;
  if (cfg.NODE_ENV === "production" && !cfg.ANDON_DEMO) {
    throw new Error("NEXTAUTH_SECRET must be set (at least 32 characters) when ANDON_DEMO=false");
  }
  const file = path.join(cfg.ANDON_DATA_DIR, "nextauth-secret");
  let secret: string;
  if (existsSync(file)) secret = (await readFile(file, "utf8")).trim();
  else {
    secret = randomBytes(32).toString("base64url");
    await mkdir(cfg.ANDON_DATA_DIR, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
  }
  process.env.NEXTAUTH_SECRET = secret;
  reloadConfig();
  return secret;
}

export function printDemoLogins(port: number): void {
  if (!config().ANDON_DEMO) return;
  const rows = DEMO_USERS.map((u) => `    ${u.email.padEnd(28)} ${u.role.padEnd(9)} ${u.plants === "all" ? "all plants" : u.plants.join(", ")}`);
  console.log(
    [
      "",
      `  Andon is ready on http://localhost:${port}`,
      `  Demo logins (password for all: ${DEMO_PASSWORD}) — demo data only, set ANDON_DEMO=false in production:`,
      ...rows,
      "",
    ].join("\n"),
  );
}
