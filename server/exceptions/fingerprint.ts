import { createHash } from "node:crypto";

/**
 * Failure fingerprint: interface + error code + the message with everything instance-specific
 * removed, so "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" and the same deficit for
 * another material, plant or quantity land in one group.
 */
export function normalizeMessage(message: string): string {
  return message
    .toLowerCase()
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, "<id>") // uuids
    .replace(/(["'«“])[^"'»”]{0,200}(["'»”])/g, "<s>") // quoted names
    .replace(/\b\d{4}-\d{2}-\d{2}([t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?)?\b/g, "<date>")
    .replace(/[^\s:;,()[\]{}=]*\d[^\s:;,()[\]{}=]*/g, "<*>") // any token holding a digit: ids, quantities, codes
    .replace(/\s+/g, " ")
    .trim();
}

export function fingerprint(interfaceCode: string, errorCode: string, message: string): string {
  return createHash("sha256")
    .update(`${interfaceCode}\u0000${errorCode}\u0000${normalizeMessage(message)}`)
    .digest("hex")
    .slice(0, 20);
}
