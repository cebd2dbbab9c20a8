import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { Criticality } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Admin, actorOf, conflict } from "../flow-settings/access";
import { can } from "../policy";
import { type LadderStep, sortSteps, stepsSchema } from "./escalation-ladder";

export const ladderInputSchema = z
  .object({
    steps: stepsSchema,
    /** The ladder the form read (changed meanwhile ⇒ 409); [] when it read none. */
    expected: z.array(z.object({ level: z.string(), afterMinutes: z.number() }).strict()).max(8),
  })
  .strict();

const same = (a: LadderStep[], b: { level: string; afterMinutes: number }[]) =>
  JSON.stringify(sortSteps(a as LadderStep[])) === JSON.stringify(sortSteps(b as LadderStep[]).map((s) => ({ level: s.level, afterMinutes: s.afterMinutes })));

/** Replaces the ladder of one criticality, conditional on the ladder read; audited escalation_ladder.updated (before/after). */
export async function updateEscalationLadder(admin: Admin, criticality: string, input: unknown): Promise<LadderStep[]> {
  if (!can(admin, "owner.manage")) throw forbidden("Only administrators edit escalation ladders");
  const c = z.enum(Criticality).safeParse(criticality);
  if (!c.success) throw notFound("Criticality");
  const { steps, expected } = ladderInputSchema.parse(input);
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('escalation_ladder'), hashtext(${c.data}))`;
    const current = sortSteps(
      (await tx.escalationStep.findMany({ where: { criticality: c.data } })).map((r) => ({ level: r.level, afterMinutes: r.afterMinutes })),
    );
    if (!same(current, expected)) throw conflict(`The ${c.data.toLowerCase()} escalation ladder`);
    if (same(current, steps)) throw new AppError(409, "no_change", "The ladder already has these rungs");
    await tx.escalationStep.deleteMany({ where: { criticality: c.data } });
    await tx.escalationStep.createMany({ data: steps.map((s) => ({ criticality: c.data, ...s })) });
    const asFields = (l: LadderStep[]) => Object.fromEntries(l.map((s) => [s.level, s.afterMinutes]));
    await append(tx, {
      type: "escalation_ladder.updated",
      actor: actorOf(admin),
      subject: { type: "escalation_ladder", id: c.data },
      data: { criticality: c.data, before: asFields(current), after: asFields(steps) },
    });
    return steps;
  });
}
