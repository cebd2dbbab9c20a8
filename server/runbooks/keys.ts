import { z } from "zod";

/**
 * A runbook's key: "code:<ERROR_CODE>" (every failure with that code) or "group:<fingerprint>" (one
 * failure group, the 20 hex digits of server/exceptions/fingerprint). Pure.
 */
export const runbookKeySchema = z
  .string()
  .trim()
  .regex(/^(code:[^\s]{1,100}|group:[0-9a-f]{20})$/, 'A runbook key is "code:<ERROR_CODE>" or "group:<fingerprint>"');

export const codeKey = (errorCode: string) => `code:${errorCode}`;
export const groupKey = (fingerprint: string) => `group:${fingerprint}`;

/** The keys that apply to a failure, the most specific first: its group's runbook, then its error code's. */
export function keysFor(f: { fingerprint: string; errorCode: string }): [string, string] {
  return [groupKey(f.fingerprint), codeKey(f.errorCode)];
}
