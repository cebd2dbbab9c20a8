import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as eventsPost } from "../../app/api/ingest/v1/events/route";
import { POST as heartbeatPost } from "../../app/api/ingest/v1/heartbeat/route";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { createConnector, listConnectors, updateConnector } from "../../server/admin/connectors";
import { setConnectorService } from "../../server/admin/set-connector-service";
import { loadPrincipal } from "../../server/auth/principal";
import { authenticateConnector } from "../../server/connectors/keys";
import { registerReplayEndpoint } from "../../server/connectors/replay-endpoint";
import { db, pool } from "../../server/db";
import { errorResponse } from "../../server/http/handler";
import { createPlant } from "../../server/plants/update-plant";

/**
 * Issue 17, point 19: an administrator takes a connector out of service and back (audited in the same
 * transaction as the change; its key refused with 403 while disabled, accepted again after), and edits
 * its replay mode and limits: administrators only (everyone else 403), invalid values 400, never a 5xx.
 * Guards against: a test connector nobody can silence, replay limits that only a database edit changes.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let admin: Actor;
let others: Actor[];

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  admin = await actor("admin@andon.local");
  others = await Promise.all(["auditor@andon.local", "operator@andon.local", "approver@andon.local", "manager@andon.local"].map(actor));
});

const bearer = (key: string) => `Bearer ${key}`;
const trail = (id: string) => db().auditEvent.findMany({ where: { subjectType: "connector", subjectId: id }, orderBy: { id: "asc" } });

async function newConnector(system: "SAP_ERP" | "MES" = "MES") {
  const code = `T-${randomUUID().slice(0, 6).toUpperCase()}`;
  await createPlant({ user: admin, input: { code, name: "Connector plant", timezone: "Europe/Berlin" } });
  return { code, ...(await createConnector(admin, { plant: code, system, name: "Test bridge" })) };
}

const heartbeat = (key: string) =>
  heartbeatPost(
    new Request("http://andon.test/api/ingest/v1/heartbeat", {
      method: "POST",
      headers: { authorization: bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ version: "1.0.0", state: "online", backlog: 0, oldestPendingAgeS: null }),
    }),
  );
const ingest = (key: string) =>
  eventsPost(
    new Request("http://andon.test/api/ingest/v1/events", {
      method: "POST",
      headers: { authorization: bearer(key), "content-type": "application/json" },
      body: JSON.stringify([]),
    }),
  );

/** The HTTP status a refused call answers (what the route handler makes of the error). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    return errorResponse(err).status;
  }
}

describe("disabling a connector", () => {
  it("is audited in the same transaction: when the audit write fails, the connector stays in service", async () => {
    const { connector, key } = await newConnector();
    const fn = `refuse_audit_${connector.id.replaceAll("-", "")}`;
    await pool().query(
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF NEW.subject_id = '${connector.id}' AND NEW.type = 'connector.disabled' THEN RAISE EXCEPTION 'audit refused (test)'; END IF;
         RETURN NEW; END $$`,
    );
    await pool().query(`CREATE TRIGGER ${fn} BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    try {
      await expect(setConnectorService(admin, connector.id, { enabled: false })).rejects.toThrow(/audit refused/);
    } finally {
      await pool().query(`DROP TRIGGER ${fn} ON audit_event`);
      await pool().query(`DROP FUNCTION ${fn}()`);
    }
    expect((await db().connector.findUniqueOrThrow({ where: { id: connector.id } })).disabledAt).toBeNull();
    expect((await trail(connector.id)).map((e) => e.type)).not.toContain("connector.disabled");
    expect((await heartbeat(key)).status).toBe(204);
  });

  it("refuses its key with 403 on heartbeats, ingest and every connector call; enabling restores it with the same key; both audited once", async () => {
    const { connector, key } = await newConnector();
    expect((await heartbeat(key)).status).toBe(204);

    const disabled = await setConnectorService(admin, connector.id, { enabled: false });
    expect(disabled.disabledAt).not.toBeNull();
    expect((await listConnectors(admin)).find((c) => c.id === connector.id)?.disabledAt).toBe(disabled.disabledAt);
    await expect(authenticateConnector(bearer(key))).rejects.toMatchObject({ status: 403, code: "connector_disabled" });
    const refused = await heartbeat(key);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "connector_disabled",
      message: expect.stringMatching(/disabled by an administrator/),
    });
    expect((await ingest(key)).status).toBe(403);
    // A wrong key is still a 401: the 403 says only that this (right) key belongs to a disabled connector.
    expect((await heartbeat(`${key}x`)).status).toBe(401);
    // Disabling twice changes nothing and audits nothing.
    expect((await setConnectorService(admin, connector.id, { enabled: false })).disabledAt).toBe(disabled.disabledAt);

    const enabled = await setConnectorService(admin, connector.id, { enabled: true });
    expect(enabled.disabledAt).toBeNull();
    expect((await heartbeat(key)).status).toBe(204);
    expect(await authenticateConnector(bearer(key))).toMatchObject({ connectorId: connector.id });

    const events = (await trail(connector.id)).filter((e) => e.type === "connector.disabled" || e.type === "connector.enabled");
    expect(events.map((e) => e.type)).toEqual(["connector.disabled", "connector.enabled"]);
    const plantId = (await db().connector.findUniqueOrThrow({ where: { id: connector.id } })).plantId;
    expect(events.every((e) => e.actorId === admin.id && e.plantId === plantId)).toBe(true);
    expect(events[0]!.data).toMatchObject({ connectorId: connector.id, connectorName: "Test bridge", disabledAt: disabled.disabledAt });
    expect(events[1]!.data).toMatchObject({ connectorId: connector.id, disabledAt: null });
  });

  it("is for administrators only; a connector that does not exist is 404; a malformed body 400", async () => {
    const { connector } = await newConnector();
    for (const user of others) expect(await statusOf(setConnectorService(user, connector.id, { enabled: false })), user.role).toBe(403);
    expect(await statusOf(setConnectorService(admin, randomUUID(), { enabled: false }))).toBe(404);
    expect(await statusOf(setConnectorService(admin, "not-a-uuid", { enabled: false }))).toBe(404);
    for (const body of [{}, { enabled: "no" }, { enabled: false, extra: 1 }, null, []])
      expect(await statusOf(setConnectorService(admin, connector.id, body)), JSON.stringify(body)).toBe(400);
    expect((await db().connector.findUniqueOrThrow({ where: { id: connector.id } })).disabledAt).toBeNull();
  });
});

describe("replay mode and limits", () => {
  it("administrators edit them (audited with before and after); everyone else is refused with 403, invalid values with 400, never a 5xx", async () => {
    const { connector, key } = await newConnector("SAP_ERP");
    expect(connector).toMatchObject({ replayRatePerSec: 20, replayConcurrency: 4, replayMode: "pull" });

    for (const user of others) {
      expect(await statusOf(updateConnector(user, connector.id, { replayRatePerSec: 5 })), user.role).toBe(403);
      expect(await statusOf(updateConnector(user, connector.id, { replayRatePerSec: -1 })), user.role).toBe(403);
    }
    for (const body of [
      { replayRatePerSec: 0 },
      { replayRatePerSec: 1001 },
      { replayRatePerSec: 2.5 },
      { replayRatePerSec: "5" },
      { replayRatePerSec: 1e308 },
      { replayConcurrency: 0 },
      { replayConcurrency: 65 },
      { replayConcurrency: null },
      { replayMode: "carrier pigeon" },
      { name: "x" },
      { name: "Bad\u0000name" },
      { unknown: 1 },
      {},
      null,
      [],
      "fast",
    ]) {
      expect(await statusOf(updateConnector(admin, connector.id, body)), JSON.stringify(body)).toBe(400);
    }
    expect(await db().connector.findUniqueOrThrow({ where: { id: connector.id } })).toMatchObject({ replayRatePerSec: 20, replayConcurrency: 4 });

    const saved = await updateConnector(admin, connector.id, { replayRatePerSec: 5, replayConcurrency: 2 });
    expect(saved).toMatchObject({ replayRatePerSec: 5, replayConcurrency: 2 });
    const updated = (await trail(connector.id)).filter((e) => e.type === "connector.updated");
    expect(updated).toHaveLength(1);
    expect(updated[0]!.actorId).toBe(admin.id);
    expect(updated[0]!.data).toMatchObject({ before: { replayRatePerSec: 20, replayConcurrency: 4 }, after: { replayRatePerSec: 5, replayConcurrency: 2 } });

    // Mode: push needs the connector's own endpoint (it holds the secret); pull forgets it, audited.
    expect(await statusOf(updateConnector(admin, connector.id, { replayMode: "push" }))).toBe(409);
    await updateConnector(admin, connector.id, { replayAllowPrivate: true });
    await registerReplayEndpoint(await authenticateConnector(bearer(key)), { url: "http://127.0.0.1:9/replay", secret: `s-${randomUUID()}-${randomUUID()}` });
    expect((await listConnectors(admin)).find((c) => c.id === connector.id)?.replayMode).toBe("push");
    const pulled = await updateConnector(admin, connector.id, { replayMode: "pull" });
    expect(pulled).toMatchObject({ replayMode: "pull", replayUrl: null });
    expect(await db().connector.findUniqueOrThrow({ where: { id: connector.id } })).toMatchObject({ replayUrl: null, replaySecret: null });
    const last = (await trail(connector.id)).at(-1)!;
    expect(last).toMatchObject({ type: "connector.updated", actorId: admin.id });
    expect(last.data).toMatchObject({ before: { replayMode: "push", replayUrl: "http://127.0.0.1:9/replay" }, after: { replayMode: "pull", replayUrl: null } });
  });
});
