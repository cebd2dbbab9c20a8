import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { goodsMovement, sampleItem } from "../../connectors/sap/test-support";
import { REFUSAL_REASON_LABELS } from "../../lib/labels";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { record } from "../../server/audit";
import { csvField, csvHeader, csvRow, exportAuditEvents, exportQuerySchema, listAuditEvents, parseAuditPage } from "../../server/audit/list-events";
import { verifyChainAs } from "../../server/audit/verify-action";
import { loadPrincipal } from "../../server/auth/principal";
import { approveCorrection } from "../../server/corrections/decide-correction";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db } from "../../server/db";
import { assignException } from "../../server/exceptions/assign-exception";
import { ingestEvents } from "../../server/ingest/ingest-events";
import type { Principal } from "../../server/policy";

const auditor: Principal = { id: "00000000-0000-0000-0000-00000000a0d1", role: "AUDITOR", plantIds: [] };
const admin: Principal = { id: "00000000-0000-0000-0000-00000000ad01", role: "ADMIN", plantIds: [] };
const manager: Principal = { id: "00000000-0000-0000-0000-00000000aa01", role: "VIEWER", plantIds: [] };

describe("audit trail reads", () => {
  it("pages newest first by id with a type filter", async () => {
    for (let i = 0; i < 5; i++) await record({ type: "auth.sign_out", actor: { type: "user", id: `p${i}`, label: `page-${i}` }, data: {} });
    const first = await listAuditEvents(auditor, { type: "auth.sign_out", limit: 3 });
    expect(first.events).toHaveLength(3);
    expect(first.events.every((e) => e.type === "auth.sign_out")).toBe(true);
    expect(Number(first.events[0]!.id)).toBeGreaterThan(Number(first.events[2]!.id));
    const second = await listAuditEvents(auditor, { type: "auth.sign_out", limit: 3, before: BigInt(first.nextBefore!) });
    expect(Number(second.events[0]!.id)).toBeLessThan(Number(first.events[2]!.id));
  });

  it("is closed to roles without audit.read, export to non-auditors", async () => {
    await expect(listAuditEvents(manager, { limit: 10 })).rejects.toThrow(/auditors/);
    await expect(exportAuditEvents(admin).next()).rejects.toThrow(/Only auditors/);
    const exported = [];
    for await (const row of exportAuditEvents(auditor, {}, db(), 2)) exported.push(row);
    expect(exported.length).toBe(await db().auditEvent.count());
    expect(exported[1]!.prevHash).toBe(exported[0]!.hash);
  });

  it("filters by actor, entity, plant and time, in the page and the export alike", async () => {
    await seedReference(db());
    const plant = await db().plant.findFirstOrThrow({ where: { code: "DE-HAM" } });
    const subjectId = `probe-${Date.now()}`;
    await record({
      type: "plant.updated",
      actor: { type: "user", id: admin.id, label: "filter.probe@andon.local" },
      plantId: plant.id,
      subject: { type: "plant", id: subjectId },
      data: { before: { name: "a", timezone: "UTC" }, after: { name: '=HYPERLINK("x")', timezone: "UTC" } },
    });
    const byActor = await listAuditEvents(auditor, { actor: "filter.probe@", limit: 50 });
    expect(byActor.events.map((e) => e.subject)).toEqual([`plant:${subjectId}`]);
    expect((await listAuditEvents(auditor, { entity: `plant:${subjectId}`, limit: 50 })).events).toHaveLength(1);
    expect((await listAuditEvents(auditor, { entity: `plant:${subjectId}`, plant: "MX-MTY", limit: 50 })).events).toHaveLength(0);
    expect(
      (await listAuditEvents(auditor, { entity: `plant:${subjectId}`, from: new Date(Date.now() + 60_000).toISOString(), limit: 50 })).events,
    ).toHaveLength(0);
    const exported = [];
    for await (const row of exportAuditEvents(auditor, { actor: "filter.probe@" })) exported.push(row);
    expect(exported).toHaveLength(1);
    // CSV: quoted where needed, and a formula-looking cell neutralised.
    const line = csvRow(exported[0] as unknown as Record<string, unknown>);
    expect(line).toContain(`""before"":{""name"":""a""`);
    expect(line.endsWith("\r\n")).toBe(true);
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
  });

  it("verifying the chain is itself audited", async () => {
    const result = await verifyChainAs({ ...admin, email: "admin@test" });
    expect(result.ok).toBe(true);
    const row = await db().auditEvent.findFirst({ where: { type: "audit.chain_verified" }, orderBy: { id: "desc" } });
    expect(row).toMatchObject({ actorLabel: "admin@test", data: { ok: true, checked: result.checked } });
    await expect(verifyChainAs({ ...manager })).rejects.toThrow();
  });
});

describe("the audit trail of one message, as an auditor looks for it", () => {
  type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
  const run = randomUUID().slice(0, 8);
  const businessKey = `WH/OUT/AUDIT-${run}`;
  const messageId = `AUDIT-MSG-${run}`;
  const correlationId = `corr-audit-${run}`;
  let exceptionId: string;
  let operator: Actor;
  let approver: Actor;
  let auditorUser: Actor;
  const gm = (qty: string) =>
    goodsMovement([sampleItem({ MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC" })]);

  beforeAll(async () => {
    await seedReference(db());
    await seedDemoUsers(db());
    const load = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
    [operator, approver, auditorUser] = [await load("operator@andon.local"), await load("approver@andon.local"), await load("auditor@andon.local")];
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
    const failed = (id: string, key: string, corr: string) => ({
      ok: true as const,
      value: {
        eventId: randomUUID(),
        correlationId: corr,
        messageId: id,
        businessKey: key,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO" as const, target: "SAP_ERP" as const },
        occurredAt: new Date().toISOString(),
        outcome: "failed" as const,
        latencyMs: 300,
        attempt: 1,
        error: { category: "business" as const, code: "M7-021", message: "Deficit of SL Unrestricted-use" },
        payload: gm("12"),
      },
    });
    // The message under audit, and a neighbour whose events must not leak into its filter.
    await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, [
      failed(messageId, businessKey, correlationId),
      failed(`${messageId}-other`, `${businessKey}-other`, `${correlationId}-other`),
    ]);
    exceptionId = (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
    await assignException(operator, exceptionId, { assigneeId: operator.id });
    const { correction } = await saveCorrection(operator, exceptionId, { payload: gm("10") });
    await submitCorrection(operator, correction.id, { reason: "Only 10 PC on hand after the count." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash });
  });

  const typesOf = (events: { type: string }[]) => events.map((e) => e.type).sort();
  const expected = ["correction.approved", "correction.saved", "correction.submitted", "exception.assigned", "exception.opened"];

  it("the entity filter takes a business key, a message id or a correlation id, and lists exactly that message's events", async () => {
    for (const entity of [businessKey, messageId, correlationId, `transaction:${messageId}`]) {
      const { events } = await listAuditEvents(auditorUser, { entity, limit: 50 });
      expect(typesOf(events), entity).toEqual(expected);
      expect(events.every((e) => e.subject === `exception:${exceptionId}`)).toBe(true);
    }
    // The exception's own id works too, bare or typed.
    expect(typesOf((await listAuditEvents(auditorUser, { entity: exceptionId, limit: 50 })).events)).toEqual(expected);
    expect(typesOf((await listAuditEvents(auditorUser, { entity: `exception:${exceptionId}`, limit: 50 })).events)).toEqual(expected);
  });

  it("an entity that names nothing is refused with a message, never read as 'everything'", async () => {
    const unknown = listAuditEvents(auditorUser, { entity: `WH/OUT/NOPE-${run}`, limit: 50 });
    await expect(unknown).rejects.toMatchObject({ status: 400, code: "unknown_entity" });
    await expect(unknown).rejects.toThrow(/business key, message id or correlation id "WH\/OUT\/NOPE-/);
    await expect(exportAuditEvents(auditor, { entity: `WH/OUT/NOPE-${run}` }).next()).rejects.toMatchObject({ status: 400 });
    // Hostile values are refused as bad requests, never reach the database as something it chokes on.
    for (const entity of ["\u0000", "\uFFFD", "' OR 1=1--", "__proto__", "\u202E💥中ع", "transaction:not-a-uuid", "A".repeat(6000)]) {
      const parsed = exportQuerySchema.safeParse({ entity });
      if (!parsed.success) continue;
      await expect(exportAuditEvents(auditor, parsed.data).next(), JSON.stringify(entity)).rejects.toMatchObject({ status: 400 });
    }
    // The page does not drop it silently either: a malformed one is refused, a well-formed one goes to the read.
    expect(parseAuditPage({ entity: "bad\u0001entity" }).refused).toMatch(/entity filter is not valid/);
    expect(parseAuditPage({ entity: businessKey })).toMatchObject({ query: { entity: businessKey }, refused: null });
    expect(parseAuditPage({ from: "yesterday" }).ignored).toEqual([{ filter: "From", message: expect.any(String) }]);
  });

  it("the export with the same filter returns the same rows as the page", async () => {
    const page = await listAuditEvents(auditorUser, { entity: businessKey, limit: 200 });
    const exported = [];
    for await (const row of exportAuditEvents(auditor, { entity: businessKey })) exported.push(row);
    expect(exported.map((r) => r.id)).toEqual(page.events.map((e) => e.id).reverse());
    expect(csvHeader()).toBe("id,occurredAtUtc,type,actorType,actorId,actorLabel,plantId,subjectType,subjectId,data,prevHash,hash\r\n");
    expect(exported.every((r) => r.occurredAt.endsWith("Z"))).toBe(true);
  });

  it("rows name people instead of their ids, label codes, and link to the exception and the message", async () => {
    const { events } = await listAuditEvents(auditorUser, { entity: businessKey, limit: 50 });
    const approved = events.find((e) => e.type === "correction.approved")!;
    expect(approved.actorName).toBe("Anna Approver");
    expect(approved.actorLabel).toBe("approver@andon.local");
    expect(approved.details).toContainEqual({ label: "Author", text: "Oskar Operator" });
    expect(approved.plantZone).toBe("Europe/Berlin");
    expect(approved.links).toEqual([
      { label: "Exception M7-021", href: `/exceptions/${exceptionId}` },
      { label: `Message ${businessKey}`, href: `/transactions/${encodeURIComponent(correlationId)}?plant=DE-HAM` },
    ]);
    const assigned = events.find((e) => e.type === "exception.assigned")!;
    expect(assigned.details).toEqual(
      expect.arrayContaining([
        { label: "Status", text: "New → Triaged" },
        { label: "Assigned", text: "nobody → Oskar Operator" },
      ]),
    );
    const opened = events.find((e) => e.type === "exception.opened")!;
    expect(opened.details).toContainEqual({ label: "Message", text: `GOODS_MOVEMENT ${messageId}`, href: approved.links[1]!.href });
    // No person's id and no raw status code in what the page shows.
    const shown = JSON.stringify(events.map((e) => [e.actorName, e.details]));
    for (const id of [operator.id, approver.id]) expect(shown).not.toContain(id);
    expect(shown).not.toMatch(/AWAITING_APPROVAL|"self_approval"/);
    // The actor filter finds people by name as well as by e-mail.
    const byName = await listAuditEvents(auditorUser, { actor: "Anna", entity: businessKey, limit: 50 });
    expect(typesOf(byName.events)).toEqual(["correction.approved"]);
  });

  it("refusals read as reasons", async () => {
    const other = await db().exception.findFirstOrThrow({ where: { transaction: { messageId: `${messageId}-other` } } });
    const { correction } = await saveCorrection(operator, other.id, { payload: gm("9") });
    await submitCorrection(operator, correction.id, { reason: "Only 9 PC on hand after the count." });
    await expect(approveCorrection(operator, correction.id, { payloadHash: correction.payloadHash })).rejects.toMatchObject({ status: 403 });
    const { events } = await listAuditEvents(auditorUser, { entity: `${businessKey}-other`, type: "correction.approval_refused", limit: 5 });
    expect(events[0]!.details).toContainEqual({ label: "Reason", text: REFUSAL_REASON_LABELS.self_approval });
  });
});
