import { z } from "zod";

/**
 * Environment, parsed once with one schema. Nothing else reads process.env directly
 * (the custom server sets DATABASE_URL / NEXTAUTH_* at boot before anything parses them).
 */
const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().url().optional(),
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters").optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  ANDON_DATA_DIR: z.string().default(".andon"),
  ANDON_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  ANDON_DEMO: bool.default(true),
  /**
   * What this instance runs: all (web + workers, the default), web (pages, API, sockets; enqueues jobs)
   * or worker (background jobs; a health endpoint on PORT). Any number of each share one PostgreSQL.
   */
  ROLE: z.enum(["all", "web", "worker"]).default("all"),
  /** socket.io cluster adapter over Redis instead of PostgreSQL LISTEN/NOTIFY (optional). */
  REDIS_URL: z.string().url().optional(),
  /** A replay job held by an instance that died is retried by another after this many seconds. */
  ANDON_REPLAY_JOB_EXPIRE_S: z.coerce.number().int().min(5).max(3600).default(300),
  /** How often (one instance at a time) pg-boss expires such jobs and archives old ones. */
  ANDON_QUEUE_MAINTENANCE_S: z.coerce.number().int().min(1).max(3600).default(30),
  /** Demo: run the plant simulator (connectors/sim) as a child process feeding this portal. */
  ANDON_SIM: bool.default(true),
  ANDON_SIM_RATE: z.coerce.number().positive().max(10_000).default(5),
  /** Replay circuit breaker: consecutive technical failures before a target pauses, and the first pause. */
  ANDON_REPLAY_CIRCUIT_THRESHOLD: z.coerce.number().int().min(1).default(5),
  ANDON_REPLAY_CIRCUIT_COOLDOWN_MS: z.coerce.number().int().min(100).default(60_000),
  /** First retry delay of a replay whose target had technical trouble (doubles for each of the 6 retries). */
  ANDON_REPLAY_RETRY_DELAY_S: z.coerce.number().int().min(1).max(600).default(5),
  /** Replay delivery loops per instance (each fetches a batch; per-target limits hold across them). */
  ANDON_REPLAY_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
  /** Every this many seconds each web instance re-reads the access of its connected users and revokes plant rooms they lost. */
  ANDON_SOCKET_RECHECK_S: z.coerce.number().int().min(1).max(3600).default(60),
  /**
   * Database role every application query runs as (SET at connection start; the login role must be a
   * member). Default: andon_app when ANDON_DEMO=false (production), none in demo mode; "none" disables.
   */
  /** Migrations run with this login (the tables' owner) when set; the portal's own login then owns nothing. */
  ANDON_MIGRATION_DATABASE_URL: z.string().url().optional(),
  ANDON_DB_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, "a PostgreSQL role name")
    .optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Outbound requests (push replays, alert webhooks) may use plain http. Default: on in demo mode (the
   * simulator's emulators listen on http://127.0.0.1), off otherwise (https only). Private, loopback and
   * link-local destinations need an administrator's per-connector or per-webhook flag either way.
   */
  ANDON_OUTBOUND_ALLOW_HTTP: bool.optional(),
});

export type Config = z.infer<typeof envSchema>;

let cached: Config | undefined;

export function config(): Config {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid environment: ${problems}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** For the boot sequence only: after it changes process.env (embedded database URL, generated secret). */
export function reloadConfig(): Config {
  cached = undefined;
  return config();
}

export function requireDatabaseUrl(): string {
  const url = config().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (the server sets it at boot when it starts the embedded PostgreSQL)");
  return url;
}

/** Whether outbound requests may use plain http (see ANDON_OUTBOUND_ALLOW_HTTP). */
export function outboundAllowHttp(): boolean {
  const cfg = config();
  return cfg.ANDON_OUTBOUND_ALLOW_HTTP ?? cfg.ANDON_DEMO;
}

/** The role application queries run as, or null (see ANDON_DB_ROLE). */
export function appDbRole(): string | null {
  const cfg = config();
  if (cfg.ANDON_DB_ROLE === "none") return null;
  return cfg.ANDON_DB_ROLE ?? (cfg.ANDON_DEMO ? null : "andon_app");
}
