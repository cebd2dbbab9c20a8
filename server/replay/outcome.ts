import { z } from "zod";
import { exceedsJsonDepth, tooDeepMessage } from "../http/json-depth";

/**
 * What a connector says of one delivery, in both modes: the push endpoint's 200 body and the pull
 * report share this schema. Anything else (null, a failure without code or message, a body that is not
 * JSON) is a technical failure of that one delivery (INVALID_RESPONSE), never an error of the batch.
 */
const delivered = z.object({ status: z.literal("delivered"), response: z.unknown().optional() });
const failed = z.object({
  status: z.literal("failed"),
  category: z.enum(["technical", "business"]),
  code: z.string().min(1).max(100),
  message: z.string().max(4000),
  details: z.record(z.string(), z.unknown()).optional(),
});
export const outcomeSchema = z.discriminatedUnion("status", [delivered, failed]);
export type Outcome = z.infer<typeof outcomeSchema>;

/** A pull connector's report: the outcome and how long the delivery took. */
const durationMs = z.number().int().min(0);
export const resultSchema = z.discriminatedUnion("status", [delivered.extend({ durationMs }), failed.extend({ durationMs })]);

export const outcomeKind = (o: Outcome) =>
  (o.status === "delivered" ? "delivered" : o.category === "technical" ? "technical" : "business") as "delivered" | "technical" | "business";

export function technical(code: string, message: string): Outcome {
  return { status: "failed", category: "technical", code, message: message.slice(0, 4000) };
}

/** Reads a push endpoint's 200 body (already capped in size) as an outcome. */
export function parsePushAnswer(text: string): Outcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return technical("INVALID_RESPONSE", `The connector answered 200 with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  if (exceedsJsonDepth(body)) return technical("INVALID_RESPONSE", tooDeepMessage("The connector's answer"));
  const parsed = outcomeSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return technical(
      "INVALID_RESPONSE",
      `The connector answered 200 with a body that is not a replay outcome (${issue ? `${issue.path.join(".") || "body"}: ${issue.message}` : "invalid"})`,
    );
  }
  return parsed.data;
}
