import { createHash, randomBytes, randomUUID } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, type Page, expect, test as base } from "@playwright/test";
import pg from "pg";
import { DEMO_PASSWORD } from "../prisma/seed";

/** Signs in through the auth API (not the form): the session cookie lands in the request's context. */
export async function signIn(request: APIRequestContext, email: string, password = DEMO_PASSWORD) {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await request.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" } });
  expect(res.ok(), `sign-in of ${email} answered ${res.status()}`).toBe(true);
  const session = (await (await request.get("/api/auth/session")).json()) as { user?: { email: string } };
  expect(session.user?.email).toBe(email);
}

/** Direct access to the e2e database (or another one: the cluster spec's), for asserting what the server stored. */
export async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], databaseUrl = process.env.E2E_DATABASE_URL): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** No serious or critical axe violations on the current page. */
export async function expectAccessible(page: Page) {
  // Next streams metadata: after a refresh the <title> can arrive a moment after the content.
  await expect(page).toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

export const test = base;
export { expect };

/** Issues a fresh key for a plant's connector straight in the database (as an admin would). */
export async function connectorKey(plantCode: string, system: string, databaseUrl?: string): Promise<string> {
  const key = `andon_ck_e2e_${randomBytes(16).toString("hex")}`;
  const rows = await query(
    `UPDATE connector c SET api_key_hash = $1 FROM plant p, plant_system s
     WHERE c.plant_id = p.id AND c.system_id = s.id AND p.code = $2 AND s.kind = $3::system_kind RETURNING c.id`,
    [createHash("sha256").update(key).digest("hex"), plantCode, system],
    databaseUrl,
  );
  expect(rows).toHaveLength(1);
  return key;
}

/** Reports one failed message through the real ingest API; returns its exception id once stored. */
export async function reportFailure(
  request: APIRequestContext,
  key: string,
  f: {
    interface: string;
    hop: { source: string; target: string };
    businessKey: string;
    code: string;
    message: string;
    category?: "business" | "technical";
    payload?: unknown;
  },
): Promise<string> {
  const messageId = `E2E-${randomUUID()}`;
  const res = await request.post("/api/ingest/v1/events", {
    headers: { authorization: `Bearer ${key}` },
    data: [
      {
        eventId: randomUUID(),
        correlationId: `corr-${messageId}`,
        messageId,
        interface: f.interface,
        hop: f.hop,
        businessKey: f.businessKey,
        occurredAt: new Date().toISOString(),
        outcome: "failed",
        latencyMs: 1500,
        attempt: 1,
        error: { category: f.category ?? "business", code: f.code, message: f.message },
        payload: f.payload ?? { note: "e2e" },
      },
    ],
  });
  expect(res.status()).toBe(200);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
  const [row] = await query<{ id: string }>("SELECT e.id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id = $1", [
    messageId,
  ]);
  return row!.id;
}
