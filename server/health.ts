import { db } from "./db";
import { logger } from "./log";

const log = logger("health");
const started = Date.now();

export type Health = { status: "ok" | "degraded"; checks: { database: { ok: boolean; latencyMs: number; error?: string } }; uptimeS: number };

export async function checkHealth(): Promise<Health> {
  const t0 = performance.now();
  let database: Health["checks"]["database"];
  try {
    await db().$queryRaw`SELECT 1`;
    database = { ok: true, latencyMs: Math.round(performance.now() - t0) };
  } catch (err) {
    log.error({ err }, "database health check failed");
    database = { ok: false, latencyMs: Math.round(performance.now() - t0), error: "database unreachable" };
  }
  return { status: database.ok ? "ok" : "degraded", checks: { database }, uptimeS: Math.round((Date.now() - started) / 1000) };
}
