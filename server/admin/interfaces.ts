import fastJsonPatch from "fast-json-patch";
import { z } from "zod";
import { append } from "../audit";
import { payloadHash } from "../corrections/rules";
import { checkSchema } from "../corrections/validate";
import { db } from "../db";
import { BusinessProcess, Criticality } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { boundedJson } from "../http/json-depth";
import { invalidateInterfaceCatalog } from "../ingest/catalog";
import { type Principal, can } from "../policy";

/**
 * Interface administration: the latency SLO, criticality, whether corrected payloads need a second
 * person's approval, and at which plants the interface runs; and the payload JSON Schema, versioned
 * (a new version never replaces an old one: corrections keep the version they were validated against).
 * Every change is audited with before and after; a schema version with the RFC 6902 diff from the last.
 */
export const updateInterfaceSchema = z
  .object({
    name: z.string().trim().min(2).max(120),
    latencySloMs: z.number().int().min(1, "The SLO is at least 1 ms").max(86_400_000, "The SLO is at most a day"),
    criticality: z.enum(Criticality),
    requiresApproval: z.boolean(),
    /** Late after this many SLOs undelivered (a LATE finding); escalated to an exception after lateEscalateFactor SLOs (escalate > after ≥ 1). */
    lateAfterFactor: z.number().min(1, "Late after at least 1 × the SLO").max(1000, "Late after at most 1000 × the SLO"),
    lateEscalateFactor: z.number().min(1, "Escalate after at least 1 × the SLO").max(10_000, "Escalate after at most 10000 × the SLO"),
    process: z.enum(BusinessProcess),
    /** Plant code → enabled. Plants not named keep their setting. */
    plants: z.record(z.string().trim().min(1).max(40), z.boolean()),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export const addSchemaVersionSchema = z
  .object({ schema: boundedJson(z.record(z.string(), z.unknown(), "The schema is a JSON object"), "The schema") })
  .strict();

export type InterfaceAdminView = {
  id: string;
  code: string;
  name: string;
  sourceSystem: string;
  targetSystems: string[];
  businessObject: string;
  syncMode: string;
  latencySloMs: number;
  criticality: Criticality;
  requiresApproval: boolean;
  lateAfterFactor: number;
  lateEscalateFactor: number;
  process: BusinessProcess;
  plants: { code: string; enabled: boolean }[];
  schemaVersion: number | null;
};
export type SchemaVersionView = { version: number; createdAt: string; schema: unknown; hash: string };

type Admin = Principal & { email: string };
const include = {
  plants: { include: { plant: { select: { code: true } } } },
  schemas: { select: { version: true }, orderBy: { version: "desc" }, take: 1 },
} as const;
type Row = Awaited<ReturnType<typeof load>>;
const load = (id: string) => db().interface.findUnique({ where: { id }, include });
const view = (i: NonNullable<Row>): InterfaceAdminView => ({
  id: i.id,
  code: i.code,
  name: i.name,
  sourceSystem: i.sourceSystem,
  targetSystems: i.targetSystems,
  businessObject: i.businessObject,
  syncMode: i.syncMode,
  latencySloMs: i.latencySloMs,
  criticality: i.criticality,
  requiresApproval: i.requiresApproval,
  lateAfterFactor: i.lateAfterFactor,
  lateEscalateFactor: i.lateEscalateFactor,
  process: i.process,
  plants: i.plants.map((p) => ({ code: p.plant.code, enabled: p.enabled })).sort((a, b) => a.code.localeCompare(b.code)),
  schemaVersion: i.schemas[0]?.version ?? null,
});
const auditable = (v: InterfaceAdminView) => ({
  name: v.name,
  latencySloMs: v.latencySloMs,
  criticality: v.criticality,
  requiresApproval: v.requiresApproval,
  lateAfterFactor: v.lateAfterFactor,
  lateEscalateFactor: v.lateEscalateFactor,
  process: v.process,
  plants: Object.fromEntries(v.plants.map((p) => [p.code, p.enabled])),
});

function guard(user: Principal) {
  if (!can(user, "interface.manage")) throw forbidden("Only administrators manage interfaces");
}

async function find(id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Interface");
  const i = await load(id);
  if (!i) throw notFound("Interface");
  return i;
}

export async function listInterfaces(user: Principal): Promise<InterfaceAdminView[]> {
  guard(user);
  return (await db().interface.findMany({ include, orderBy: { code: "asc" } })).map(view);
}

export async function updateInterface(admin: Admin, id: string, input: unknown): Promise<InterfaceAdminView> {
  guard(admin);
  const existing = view(await find(id));
  const { plants, ...fields } = updateInterfaceSchema.parse(input);
  const [after, escalate] = [fields.lateAfterFactor ?? existing.lateAfterFactor, fields.lateEscalateFactor ?? existing.lateEscalateFactor];
  if (escalate <= after) throw new AppError(400, "invalid_request", `Escalation (${escalate} × SLO) must come after lateness (${after} × SLO)`);
  const plantRows = plants ? await db().plant.findMany({ where: { code: { in: Object.keys(plants) } }, select: { id: true, code: true } }) : [];
  const unknown = plants ? Object.keys(plants).filter((c) => !plantRows.some((p) => p.code === c)) : [];
  if (unknown.length) throw new AppError(422, "unknown_plant", `No plant ${unknown.join(", ")}`);
  const updated = await db().$transaction(async (tx) => {
    if (Object.keys(fields).length) await tx.interface.update({ where: { id }, data: fields });
    for (const p of plantRows) {
      const enabled = plants![p.code]!;
      await tx.plantInterface.upsert({
        where: { plantId_interfaceId: { plantId: p.id, interfaceId: id } },
        create: { plantId: p.id, interfaceId: id, enabled },
        update: { enabled },
      });
    }
    const after = view((await tx.interface.findUnique({ where: { id }, include }))!);
    const [b, a] = [auditable(existing), auditable(after)];
    if (JSON.stringify(b) === JSON.stringify(a)) throw new AppError(409, "no_change", "The interface already has these values");
    await append(tx, {
      type: "interface.updated",
      actor: { type: "user", id: admin.id, label: admin.email },
      subject: { type: "interface", id },
      data: { interfaceId: id, code: existing.code, before: b, after: a },
    });
    return after;
  });
  invalidateInterfaceCatalog();
  return updated;
}

export async function listSchemaVersions(user: Principal, id: string): Promise<{ code: string; versions: SchemaVersionView[] }> {
  guard(user);
  const i = await find(id);
  const rows = await db().interfaceSchema.findMany({ where: { interfaceId: id }, orderBy: { version: "desc" } });
  return {
    code: i.code,
    versions: rows.map((r) => ({ version: r.version, createdAt: r.createdAt.toISOString(), schema: r.schema, hash: payloadHash(r.schema) })),
  };
}

/** A new schema version (the next number), refused if it is not a usable JSON Schema or equals the latest. */
export async function addSchemaVersion(admin: Admin, id: string, input: unknown): Promise<SchemaVersionView & { patch: unknown[] }> {
  guard(admin);
  const i = await find(id);
  const { schema } = addSchemaVersionSchema.parse(input);
  const issues = checkSchema(schema);
  if (issues.length) throw new AppError(422, "invalid_schema", `Not a usable JSON Schema: ${issues.map((x) => `${x.path} ${x.message}`).join("; ")}`, issues);
  return db().$transaction(async (tx) => {
    // Serialise concurrent additions for this interface: the version number is max + 1.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('interface_schema'), hashtext(${id}))`;
    const latest = await tx.interfaceSchema.findFirst({ where: { interfaceId: id }, orderBy: { version: "desc" } });
    const patch = fastJsonPatch.compare((latest?.schema ?? {}) as object, schema as object);
    if (latest && patch.length === 0) throw new AppError(409, "no_change", `Version ${latest.version} is already this schema`);
    const row = await tx.interfaceSchema.create({ data: { interfaceId: id, version: (latest?.version ?? 0) + 1, schema: schema as object } });
    const hash = payloadHash(row.schema);
    await append(tx, {
      type: "interface.schema_added",
      actor: { type: "user", id: admin.id, label: admin.email },
      subject: { type: "interface", id },
      data: {
        interfaceId: id,
        code: i.code,
        version: row.version,
        previousVersion: latest?.version ?? null,
        patch: patch as unknown as Record<string, unknown>[],
        schemaHash: hash,
      },
    });
    return { version: row.version, createdAt: row.createdAt.toISOString(), schema: row.schema, hash, patch };
  });
}
