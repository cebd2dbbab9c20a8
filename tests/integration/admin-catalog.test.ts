import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { changeConnectorKey, createConnector, listConnectors, updateConnector } from "../../server/admin/connectors";
import { addSchemaVersion, listInterfaces, listSchemaVersions, updateInterface } from "../../server/admin/interfaces";
import { loadPrincipal } from "../../server/auth/principal";
import { reloadConfig } from "../../server/config";
import { authenticateConnector } from "../../server/connectors/keys";
import { registerReplayEndpoint } from "../../server/connectors/replay-endpoint";
import { db } from "../../server/db";
import { interfaceCatalog } from "../../server/ingest/catalog";
import { createPlant } from "../../server/plants/update-plant";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let admin: Actor, auditor: Actor;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [admin, auditor] = [await actor("admin@andon.local"), await actor("auditor@andon.local")];
});

const trail = (subjectType: string, subjectId: string) => db().auditEvent.findMany({ where: { subjectType, subjectId }, orderBy: { id: "asc" } });
const bearer = (key: string) => `Bearer ${key}`;

describe("plant, connector and interface administration", () => {
  it("adds a plant and a connector whose key is shown once; rotation revokes the old key at once, revocation every key; all audited without keys", async () => {
    const code = `T-${randomUUID().slice(0, 6).toUpperCase()}`;
    const plant = await createPlant({ user: admin, input: { code: code.toLowerCase(), name: "Test plant", timezone: "Europe/Oslo" } });
    expect(plant).toMatchObject({ code, name: "Test plant", timezone: "Europe/Oslo" });
    await expect(createPlant({ user: admin, input: { code, name: "Again", timezone: "Europe/Oslo" } })).rejects.toMatchObject({ status: 409 });
    await expect(createPlant({ user: admin, input: { code: "T-TZ", name: "Bad zone", timezone: "Mars/Olympus" } })).rejects.toThrow(/time zone/);
    await expect(createPlant({ user: auditor, input: { code: "T-AU", name: "Auditor's", timezone: "UTC" } })).rejects.toMatchObject({ status: 403 });

    const { connector, key } = await createConnector(admin, { plant: code, system: "SAP_ERP", name: "SAP gateway" });
    expect(key).toMatch(/^andon_ck_/);
    expect(connector).toMatchObject({ plant: code, system: "SAP_ERP", name: "SAP gateway", keyHint: `${key.slice(0, 15)}…`, replayMode: "pull" });
    expect(await authenticateConnector(bearer(key))).toMatchObject({ connectorId: connector.id, plantCode: code });
    await expect(createConnector(admin, { plant: code, system: "SAP_ERP", name: "Second SAP" })).rejects.toMatchObject({ status: 409 });
    await expect(createConnector(admin, { plant: "XX-NOPE", system: "SAP_ERP", name: "Nowhere" })).rejects.toMatchObject({ status: 422 });
    expect(JSON.stringify(await listConnectors(admin))).not.toContain(key);

    const rotated = await changeConnectorKey(admin, connector.id, { action: "rotate" });
    expect(rotated.key).toMatch(/^andon_ck_/);
    await expect(authenticateConnector(bearer(key))).rejects.toMatchObject({ status: 401 });
    expect(await authenticateConnector(bearer(rotated.key!))).toMatchObject({ connectorId: connector.id });
    const revoked = await changeConnectorKey(admin, connector.id, { action: "revoke" });
    expect(revoked).toMatchObject({ key: null, connector: { keyHint: null } });
    await expect(authenticateConnector(bearer(rotated.key!))).rejects.toMatchObject({ status: 401 });

    const renamed = await updateConnector(admin, connector.id, { name: "SAP gateway 2", replayRatePerSec: 5 });
    expect(renamed).toMatchObject({ name: "SAP gateway 2", replayRatePerSec: 5 });
    await expect(updateConnector(admin, connector.id, { replayConcurrency: 0 })).rejects.toThrow();
    await expect(updateConnector(auditor, connector.id, { name: "No" })).rejects.toMatchObject({ status: 403 });
    await expect(changeConnectorKey(admin, randomUUID(), { action: "rotate" })).rejects.toMatchObject({ status: 404 });

    const events = await trail("connector", connector.id);
    expect(events.map((e) => e.type)).toEqual([
      "connector.created",
      "connector.key_issued",
      "connector.key_issued",
      "connector.key_revoked",
      "connector.updated",
    ]);
    expect(events[1]!.data).toMatchObject({ reason: "connector_created", keyHint: connector.keyHint, revokedKeyHint: null });
    expect(events[2]!.data).toMatchObject({ reason: "admin_request", keyHint: rotated.connector.keyHint, revokedKeyHint: connector.keyHint });
    expect(events[4]!.data).toMatchObject({ before: { name: "SAP gateway", replayRatePerSec: 20 }, after: { name: "SAP gateway 2", replayRatePerSec: 5 } });
    const all = JSON.stringify(events.map((e) => e.data));
    expect(all).not.toContain(key);
    expect(all).not.toContain(rotated.key!);
    expect((await trail("plant", plant.id)).map((e) => e.type)).toEqual(["plant.created"]);
  });

  it("push-replay endpoints: public https only unless an administrator allows private destinations; shown to admins without the secret; forgotten when the key is rotated or revoked", async () => {
    const code = `T-${randomUUID().slice(0, 6).toUpperCase()}`;
    await createPlant({ user: admin, input: { code, name: "Replay plant", timezone: "UTC" } });
    const { connector, key } = await createConnector(admin, { plant: code, system: "MES", name: "MES bridge" });
    expect(connector).toMatchObject({ replayUrl: null, replayAllowPrivate: false });
    const secret = `replay-secret-${randomUUID()}`;
    const register = async (k: string, url: string) => registerReplayEndpoint(await authenticateConnector(bearer(k)), { url, secret });
    const stored = () => db().connector.findUniqueOrThrow({ where: { id: connector.id }, select: { replayUrl: true, replaySecret: true } });

    // Loopback, private, link-local (cloud metadata), in any spelling, and names resolving to them: refused.
    for (const url of [
      "http://127.0.0.1:9/replay",
      "https://localhost/replay",
      "https://10.1.2.3/replay",
      "http://169.254.169.254/latest/meta-data/",
      "https://[::ffff:192.168.0.1]/r",
      "https://2130706433/",
      "https://[::1]/r",
    ]) {
      await expect(register(key, url), url).rejects.toMatchObject({ status: 400, code: "private_destination" });
    }
    // Outside the demo, plain http is refused even to a public address.
    process.env.ANDON_OUTBOUND_ALLOW_HTTP = "false";
    reloadConfig();
    try {
      await expect(register(key, "http://8.8.8.8/replay")).rejects.toMatchObject({ status: 400, code: "https_required" });
    } finally {
      delete process.env.ANDON_OUTBOUND_ALLOW_HTTP;
      reloadConfig();
    }
    expect(await stored()).toEqual({ replayUrl: null, replaySecret: null });
    await register(key, "https://8.8.8.8/replay");
    // Administrators see where replays go, never the secret.
    const listed = (await listConnectors(admin)).find((c) => c.id === connector.id)!;
    expect(listed).toMatchObject({ replayMode: "push", replayUrl: "https://8.8.8.8/replay", replayAllowPrivate: false });
    expect(JSON.stringify(await listConnectors(admin))).not.toContain(secret);

    // An administrator allows private destinations (audited, before/after); only administrators may.
    await expect(updateConnector(auditor, connector.id, { replayAllowPrivate: true })).rejects.toMatchObject({ status: 403 });
    expect(await updateConnector(admin, connector.id, { replayAllowPrivate: true })).toMatchObject({ replayAllowPrivate: true });
    await register(key, "http://127.0.0.1:9/replay");
    expect(await stored()).toEqual({ replayUrl: "http://127.0.0.1:9/replay", replaySecret: secret });

    // Rotation forgets the endpoint and its secret with the old key, in the same transaction, audited.
    const rotated = await changeConnectorKey(admin, connector.id, { action: "rotate" });
    expect(rotated.connector).toMatchObject({ replayMode: "pull", replayUrl: null, replayAllowPrivate: true });
    expect(await stored()).toEqual({ replayUrl: null, replaySecret: null });
    await register(rotated.key!, "http://127.0.0.1:10/replay");
    await changeConnectorKey(admin, connector.id, { action: "revoke" });
    expect(await stored()).toEqual({ replayUrl: null, replaySecret: null });

    const events = await trail("connector", connector.id);
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      "connector.created",
      "connector.key_issued",
      "connector.replay_endpoint_registered",
      "connector.updated",
      "connector.replay_endpoint_registered",
      "connector.key_issued",
      "connector.updated",
      "connector.replay_endpoint_registered",
      "connector.key_revoked",
      "connector.updated",
    ]);
    expect(events[3]!.data).toMatchObject({ before: { replayAllowPrivate: false }, after: { replayAllowPrivate: true } });
    expect(events[6]!.data).toMatchObject({ before: { replayUrl: "http://127.0.0.1:9/replay" }, after: { replayUrl: null } });
    expect(events[6]!.actorId).toBe(admin.id);
    expect(events[9]!.data).toMatchObject({ before: { replayUrl: "http://127.0.0.1:10/replay" }, after: { replayUrl: null } });
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(secret);
  });

  it("changes an interface's SLO, criticality, approval rule and plants, audited with before and after; the ingest catalog follows at once", async () => {
    const code = `T-${randomUUID().slice(0, 6).toUpperCase()}`;
    const plant = await createPlant({ user: admin, input: { code, name: "Interface plant", timezone: "UTC" } });
    const iface = (await listInterfaces(admin)).find((i) => i.code === "MAINT_WORK_ORDER")!;
    expect(iface).toBeDefined();
    await interfaceCatalog(); // warm the cache: the change must not wait for its TTL
    const changed = await updateInterface(admin, iface.id, {
      latencySloMs: iface.latencySloMs + 1000,
      requiresApproval: !iface.requiresApproval,
      plants: { [code]: true },
    });
    expect(changed).toMatchObject({ latencySloMs: iface.latencySloMs + 1000, requiresApproval: !iface.requiresApproval });
    expect(changed.plants).toContainEqual({ code, enabled: true });
    expect((await interfaceCatalog()).get(iface.code)!.plants.get(plant.id)).toEqual({ enabled: true });
    await expect(updateInterface(admin, iface.id, { latencySloMs: iface.latencySloMs + 1000 })).rejects.toMatchObject({ status: 409 });
    await expect(updateInterface(admin, iface.id, { latencySloMs: 0 })).rejects.toThrow(/at least 1 ms/);
    await expect(updateInterface(admin, iface.id, { plants: { "XX-NOPE": true } })).rejects.toMatchObject({ status: 422 });
    await expect(updateInterface(auditor, iface.id, { criticality: "LOW" })).rejects.toMatchObject({ status: 403 });
    await updateInterface(admin, iface.id, { latencySloMs: iface.latencySloMs, requiresApproval: iface.requiresApproval, plants: { [code]: false } });

    const events = (await trail("interface", iface.id)).filter((e) => e.type === "interface.updated").slice(-2);
    expect(events[0]!.data).toMatchObject({
      code: iface.code,
      before: { latencySloMs: iface.latencySloMs, requiresApproval: iface.requiresApproval },
      after: { latencySloMs: iface.latencySloMs + 1000, requiresApproval: !iface.requiresApproval, plants: { [code]: true } },
    });
    expect(events[1]!.data).toMatchObject({ after: { plants: { [code]: false } } });
  });

  it("adds JSON Schema versions: refuses unusable schemas and unchanged ones, numbers versions, audits the diff", async () => {
    const iface = (await listInterfaces(admin)).find((i) => i.code === "FORECAST_IMPORT")!;
    const { versions } = await listSchemaVersions(admin, iface.id);
    const latest = versions[0]!;
    expect(latest.version).toBe(iface.schemaVersion);
    await expect(addSchemaVersion(admin, iface.id, { schema: { type: "banana" } })).rejects.toMatchObject({ status: 422 });
    await expect(addSchemaVersion(admin, iface.id, { schema: "not an object" })).rejects.toThrow();
    await expect(addSchemaVersion(admin, iface.id, { schema: latest.schema })).rejects.toMatchObject({ status: 409 });
    await expect(addSchemaVersion(auditor, iface.id, { schema: {} })).rejects.toMatchObject({ status: 403 });

    const next = { ...(latest.schema as Record<string, unknown>), $comment: `v${latest.version + 1}: adds a comment` };
    const added = await addSchemaVersion(admin, iface.id, { schema: next });
    expect(added.version).toBe(latest.version + 1);
    expect(added.patch).toEqual([{ op: "add", path: "/$comment", value: `v${latest.version + 1}: adds a comment` }]);
    expect((await listSchemaVersions(admin, iface.id)).versions.map((v) => v.version).slice(0, 2)).toEqual([added.version, latest.version]);
    const [event] = (await trail("interface", iface.id)).filter((e) => e.type === "interface.schema_added").slice(-1);
    expect(event!.data).toMatchObject({ version: added.version, previousVersion: latest.version, patch: added.patch, schemaHash: added.hash });
  });
});
