import { z } from "zod";
import { db } from "../db";
import { Criticality, EscalationLevel } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can } from "../policy";

/**
 * The escalation ladder per criticality (escalation_step): a subject not acknowledged reaches a rung
 * afterMinutes after it opened. Rungs in the order of LEVELS; along the rungs present the minutes
 * strictly increase (each rung later than the one before). Pure rules here, the view and the edit beside.
 */
export const LEVELS = [EscalationLevel.TECHNICAL_OWNER, EscalationLevel.PLANT_LEAD, EscalationLevel.PLANT_MANAGER, EscalationLevel.BUSINESS_OWNER] as const;
export const CRITICALITIES = [Criticality.CRITICAL, Criticality.HIGH, Criticality.MEDIUM, Criticality.LOW] as const;

const stepSchema = z
  .object({ level: z.enum(EscalationLevel), afterMinutes: z.number().int().min(0, "Minutes are 0 or more").max(43_200, "At most 30 days") })
  .strict();
export type LadderStep = z.infer<typeof stepSchema>;

/** Sorted by rung; refuses a rung twice and minutes that do not increase along the rungs. */
export const stepsSchema = z
  .array(stepSchema)
  .min(1, "A ladder has at least one rung")
  .max(LEVELS.length)
  .transform((steps) => [...steps].sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level)))
  .superRefine((steps, ctx) => {
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]!.level === steps[i - 1]!.level) ctx.addIssue({ code: "custom", message: `The rung ${steps[i]!.level} is listed twice` });
      else if (steps[i]!.afterMinutes <= steps[i - 1]!.afterMinutes)
        ctx.addIssue({
          code: "custom",
          message: `Each rung comes later than the one before: ${steps[i]!.level} after ${steps[i]!.afterMinutes} min is not after ${steps[i - 1]!.level} (${steps[i - 1]!.afterMinutes} min)`,
        });
    }
  });

export type LadderView = Record<Criticality, LadderStep[]>;

export const sortSteps = (steps: LadderStep[]) => [...steps].sort((a, b) => LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level));

export async function getEscalationLadders(user: Principal): Promise<LadderView> {
  if (!can(user, "owner.manage")) throw forbidden("Only administrators edit escalation ladders");
  const rows = await db().escalationStep.findMany();
  return Object.fromEntries(
    CRITICALITIES.map((c) => [c, sortSteps(rows.filter((r) => r.criticality === c).map((r) => ({ level: r.level, afterMinutes: r.afterMinutes })))]),
  ) as LadderView;
}
