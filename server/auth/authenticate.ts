import { record } from "../audit";
import { db } from "../db";
import type { Role } from "../db/generated/enums";
import { credentialsSchema } from "./credentials";
import { dummyHash, verifyPassword } from "./password";

export type SessionUser = { id: string; email: string; name: string; role: Role; plantIds: string[] };

/** Checks credentials and audits the outcome (success or failure) before answering. */
export async function authenticate(input: unknown, meta: { ip: string | null }): Promise<SessionUser | null> {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) {
    const email = typeof (input as { email?: unknown } | null)?.email === "string" ? String((input as { email: string }).email) : "";
    await auditFailure(email.slice(0, 254), "malformed", meta.ip);
    return null;
  }
  const { email, password } = parsed.data;
  if (await isThrottled(email)) {
    await auditFailure(email, "throttled", meta.ip);
    return null;
  }
  const user = await db().user.findUnique({ where: { email }, include: { plants: { select: { plantId: true } } } });
  if (!user) {
    await verifyPassword(await dummyHash(), password);
    await auditFailure(email, "unknown_user", meta.ip);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    await auditFailure(email, "bad_password", meta.ip);
    return null;
  }
  if (!user.active) {
    await auditFailure(email, "inactive", meta.ip);
    return null;
  }
  await record({
    type: "auth.sign_in",
    actor: { type: "user", id: user.id, label: user.email },
    subject: { type: "user", id: user.id },
    data: { ip: meta.ip },
  });
  return { id: user.id, email: user.email, name: user.name, role: user.role, plantIds: user.plants.map((p) => p.plantId) };
}

/**
 * Brute-force brake: after MAX_FAILURES failed sign-ins for one email within the window, further
 * attempts are refused (and audited) until the window slides. The audit trail is the counter.
 */
export const THROTTLE = { maxFailures: 10, windowMs: 15 * 60 * 1000 } as const;

async function isThrottled(email: string): Promise<boolean> {
  const since = new Date(Date.now() - THROTTLE.windowMs);
  const [row] = await db().$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM audit_event
    WHERE type = 'auth.sign_in_failed' AND occurred_at >= ${since} AND data->>'email' = ${email}
      AND data->>'reason' IN ('unknown_user', 'bad_password', 'inactive')`;
  return Number(row?.n ?? 0) >= THROTTLE.maxFailures;
}

function auditFailure(email: string, reason: "unknown_user" | "bad_password" | "inactive" | "malformed" | "throttled", ip: string | null) {
  return record({ type: "auth.sign_in_failed", actor: { type: "anonymous", label: email || "(none)" }, data: { email, reason, ip } });
}
