import { z } from "zod";
import { append } from "../audit";
import { db, type Prisma } from "../db";
import { AlertRuleKind, Criticality, Severity } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { PLANT_LEVEL_KINDS, RULE_KINDS } from "./rule-kinds";

export { MIN_VOLUME, RULE_KINDS } from "./rule-kinds";

/**
 * Alert rules: one condition over a scope (all plants or one; the plant, one interface, or every
 * interface of a criticality). Admins edit them (audited with before/after); everyone who may read
 * alerts may read the rules of their plants and the rules of all plants, so a page can say why it
 * fired. Rules are disabled, never deleted: their alerts are history.
 */
export const ruleInputSchema = z
  .object({
    name: z.string().trim().min(3, "Name the rule (3 characters or more)").max(120),
    kind: z.enum(AlertRuleKind),
    threshold: z.number().min(0, "The threshold cannot be negative").max(1e9),
    windowMinutes: z.number().int().min(1).max(1440).default(15),
    plantCode: z.string().nullable().default(null),
    interfaceCode: z.string().nullable().default(null),
    criticality: z.enum(Criticality).nullable().default(null),
    severity: z.enum(Severity).default("HIGH"),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.kind !== "FAILURE_RATE_ABOVE" || r.threshold <= 100, { path: ["threshold"], message: "A failure rate is a percentage (0–100)" })
  .refine((r) => !PLANT_LEVEL_KINDS.includes(r.kind) || (!r.interfaceCode && !r.criticality), {
    path: ["kind"],
    message: "Connector, target and handover rules apply to plants, not interfaces",
  })
  .refine((r) => !(r.interfaceCode && r.criticality), { path: ["criticality"], message: "Choose one interface or a criticality, not both" });
export type RuleInput = z.infer<typeof ruleInputSchema>;

const ruleInclude = { plant: { select: { code: true } }, interface: { select: { code: true } } } as const;
type RuleRow = Prisma.AlertRuleGetPayload<{ include: typeof ruleInclude }>;

export type RuleView = {
  id: string;
  name: string;
  kind: AlertRuleKind;
  threshold: number;
  windowMinutes: number;
  plantCode: string | null;
  interfaceCode: string | null;
  criticality: Criticality | null;
  severity: Severity;
  enabled: boolean;
  description: string;
  updatedAt: string;
};

function view(r: RuleRow): RuleView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    threshold: r.threshold,
    windowMinutes: r.windowMinutes,
    plantCode: r.plant?.code ?? null,
    interfaceCode: r.interface?.code ?? null,
    criticality: r.criticality,
    severity: r.severity,
    enabled: r.enabled,
    description: describeRule(r),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function describeRule(r: {
  kind: AlertRuleKind;
  threshold: number;
  windowMinutes: number;
  plant?: { code: string } | null;
  interface?: { code: string } | null;
  criticality: Criticality | null;
}): string {
  const where = `${r.plant ? `plant ${r.plant.code}` : "every plant"}${r.interface ? `, interface ${r.interface.code}` : r.criticality ? `, ${r.criticality.toLowerCase()} interfaces` : ""}`;
  return `${RULE_KINDS[r.kind].describe(r.threshold, r.windowMinutes)} (${where})`;
}

export async function listRules(user: Principal): Promise<RuleView[]> {
  if (!can(user, "alert.read")) throw forbidden("Your role cannot see alerts");
  // A rule of all plants (no plant) applies to the user's plants too; another plant's rule is not theirs to see.
  // (Not OR with an empty scope: Prisma drops an empty object from an OR instead of matching everything.)
  const scope = plantScope(user);
  const where = scope.plantId ? { OR: [{ plantId: null }, scope] } : {};
  const rows = await db().alertRule.findMany({
    where,
    include: ruleInclude,
    orderBy: [{ enabled: "desc" }, { kind: "asc" }, { criticality: "asc" }, { name: "asc" }],
  });
  return rows.map(view);
}

async function resolveScope(input: RuleInput) {
  const plant = input.plantCode ? await db().plant.findUnique({ where: { code: input.plantCode }, select: { id: true } }) : null;
  if (input.plantCode && !plant) throw new AppError(422, "unknown_plant", `No plant ${input.plantCode}`);
  const iface = input.interfaceCode ? await db().interface.findUnique({ where: { code: input.interfaceCode }, select: { id: true } }) : null;
  if (input.interfaceCode && !iface) throw new AppError(422, "unknown_interface", `No interface ${input.interfaceCode}`);
  return {
    name: input.name,
    kind: input.kind,
    threshold: input.threshold,
    windowMinutes: input.windowMinutes,
    plantId: plant?.id ?? null,
    interfaceId: iface?.id ?? null,
    criticality: input.criticality,
    severity: input.severity,
    enabled: input.enabled,
  };
}

type Admin = Principal & { email: string };
const actorOf = (u: Admin) => ({ type: "user" as const, id: u.id, label: u.email });
const auditable = (r: RuleView) => ({
  name: r.name,
  kind: r.kind,
  threshold: r.threshold,
  windowMinutes: r.windowMinutes,
  plantCode: r.plantCode,
  interfaceCode: r.interfaceCode,
  criticality: r.criticality,
  severity: r.severity,
  enabled: r.enabled,
});

export async function createRule(user: Admin, input: unknown): Promise<RuleView> {
  if (!can(user, "alert_rule.manage")) throw forbidden("Only administrators edit alert rules");
  const data = await resolveScope(ruleInputSchema.parse(input));
  return db().$transaction(async (tx) => {
    const rule = view(await tx.alertRule.create({ data, include: ruleInclude }));
    await append(tx, {
      type: "alert_rule.created",
      actor: actorOf(user),
      plantId: data.plantId,
      subject: { type: "alert_rule", id: rule.id },
      data: { ruleId: rule.id, before: null, after: auditable(rule) },
    });
    return rule;
  });
}

export async function updateRule(user: Admin, id: string, input: unknown): Promise<RuleView> {
  if (!can(user, "alert_rule.manage")) throw forbidden("Only administrators edit alert rules");
  if (!z.uuid().safeParse(id).success) throw notFound("Alert rule");
  const existing = await db().alertRule.findUnique({ where: { id }, include: ruleInclude });
  if (!existing) throw notFound("Alert rule");
  const before = view(existing);
  const data = await resolveScope(ruleInputSchema.parse({ ...auditable(before), ...(input as object) }));
  return db().$transaction(async (tx) => {
    const rule = view(await tx.alertRule.update({ where: { id }, data, include: ruleInclude }));
    await append(tx, {
      type: "alert_rule.updated",
      actor: actorOf(user),
      plantId: data.plantId,
      subject: { type: "alert_rule", id },
      data: { ruleId: id, before: auditable(before), after: auditable(rule) },
    });
    return rule;
  });
}

/**
 * The default rule set, per interface criticality: the more critical an interface, the earlier its
 * backlog, age, latency, failure rate, late messages and overdue exceptions alert; stopped and flooded
 * flows and missed batch runs alert on every criticality at its own severity. Seeded per kind: a kind
 * with no rule at all gets its defaults (a new database gets them all; an existing one gets the kinds
 * added since, once); an administrator's rules of a kind are never touched.
 */
export const DEFAULT_RULES: Omit<RuleInput, "plantCode" | "interfaceCode" | "enabled">[] = [
  ...(
    [
      ["CRITICAL", 5, 15 * 60, 5, 2, 1, 1, "CRITICAL"],
      ["HIGH", 20, 3600, 10, 5, 5, 3, "HIGH"],
      ["MEDIUM", 50, 4 * 3600, 30, 10, 20, 10, "MEDIUM"],
      ["LOW", 200, 24 * 3600, 60, 20, 50, 25, "LOW"],
    ] as const
  ).flatMap(([criticality, backlog, oldestS, p95Min, failurePct, late, overdue, severity]) => {
    const of = `${criticality.toLowerCase()} interfaces`;
    return [
      { name: `Backlog of ${of}`, kind: "BACKLOG_ABOVE" as const, threshold: backlog, windowMinutes: 15, criticality, severity },
      { name: `Ageing exceptions on ${of}`, kind: "OLDEST_ABOVE" as const, threshold: oldestS, windowMinutes: 15, criticality, severity },
      { name: `Latency SLO of ${of}`, kind: "P95_ABOVE_SLO" as const, threshold: 0, windowMinutes: p95Min, criticality, severity },
      { name: `Failure rate of ${of}`, kind: "FAILURE_RATE_ABOVE" as const, threshold: failurePct, windowMinutes: 15, criticality, severity },
      { name: `Late messages on ${of}`, kind: "LATE_MESSAGES" as const, threshold: late, windowMinutes: 15, criticality, severity },
      { name: `Stopped flows of ${of}`, kind: "FLOW_STOPPED" as const, threshold: 0, windowMinutes: 15, criticality, severity },
      { name: `Flooded flows of ${of}`, kind: "FLOW_FLOOD" as const, threshold: 0, windowMinutes: 15, criticality, severity },
      { name: `Missed batch runs of ${of}`, kind: "MISSED_RUN" as const, threshold: 0, windowMinutes: 15, criticality, severity },
      { name: `Overdue exceptions on ${of}`, kind: "EXCEPTION_OVERDUE" as const, threshold: overdue, windowMinutes: 15, criticality, severity },
    ];
  }),
  { name: "Connector silent", kind: "CONNECTOR_SILENT", threshold: 300, windowMinutes: 15, criticality: null, severity: "HIGH" },
  { name: "Target system down", kind: "TARGET_DOWN", threshold: 0, windowMinutes: 15, criticality: null, severity: "HIGH" },
  { name: "Handover not acknowledged", kind: "HANDOVER_UNACKNOWLEDGED", threshold: 30 * 60, windowMinutes: 15, criticality: null, severity: "MEDIUM" },
];

/**
 * Adds the default rules of every kind that has no rule yet (enabled or not); returns the rules created,
 * for the caller to audit (prisma/seed.ts: alert_rule.created by andon boot, in its transaction).
 */
export async function seedDefaultRules(client: Prisma.TransactionClient | ReturnType<typeof db> = db()) {
  const present = new Set((await client.alertRule.groupBy({ by: ["kind"] })).map((g) => g.kind));
  const missing = DEFAULT_RULES.filter((r) => !present.has(r.kind));
  if (missing.length === 0) return [];
  return client.alertRule.createManyAndReturn({
    data: missing.map((r) => ({
      name: r.name,
      kind: r.kind,
      threshold: r.threshold,
      windowMinutes: r.windowMinutes,
      criticality: r.criticality,
      severity: r.severity,
    })),
  });
}
