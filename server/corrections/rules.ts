import { createHash } from "node:crypto";
import type { Principal } from "../policy";

/**
 * What every correction action shares: the statuses of a live correction, how a payload is hashed
 * (an approval names the hash of what was reviewed), and when an approval holds for its payload.
 * Corrections and four-eyes approval: a correction is the full proposed payload plus its RFC 6902
 * patch against the original; it is validated against the interface's latest JSON Schema. An invalid
 * payload can be saved as a draft but not submitted. Approval is by someone other than the author
 * (checked by the policy and by a database CHECK); it pins the payload hash it approved, and an edit
 * afterwards voids it. Every step moves the exception through the lifecycle and is audited in the same
 * transaction. One action per file: save-correction, submit-correction, decide-correction (approve or
 * reject), pending-approvals (the approvers' queue).
 */
export type Actor = Principal & { email: string; name?: string };
export const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

export const LIVE_STATUSES = ["DRAFT", "SUBMITTED", "APPROVED"] as const;

export function payloadHash(payload: unknown): string {
  return createHash("sha256").update(JSON.stringify(payload)).digest("hex");
}

/** Is this correction's approval still valid for its current payload? (Replay checks this.) */
export function approvalHolds(c: {
  status: string;
  payloadHash: string;
  approvedPayloadHash: string | null;
  approverId: string | null;
  authorId: string;
}): boolean {
  return c.status === "APPROVED" && c.approvedPayloadHash === c.payloadHash && c.approverId !== null && c.approverId !== c.authorId;
}
