import type { z } from "zod";
import { AppError } from "./errors";

/**
 * How deeply JSON from outside may nest objects and arrays. JSON.parse takes any depth, but what walks
 * a parsed value afterwards recurses (JSON.stringify, canonical hashing, RFC 6902 diffs, schema
 * validation) and overflows the stack somewhere past a few thousand levels: a 500 for one hostile
 * request. So the depth is checked where such JSON enters, counted from the document received (a
 * request body, one ingested event), and again on fields that hold arbitrary JSON for callers that
 * bypass the readers. Real payloads nest a dozen levels; 64 leaves room for any of them.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a value nests objects and arrays more than `max` levels (a scalar is 0, `{}` and `[1]` are 1,
 * `{"a":[1]}` is 2). Iterative, and it stops at the first branch past `max`: hostile depth costs no stack.
 */
export function exceedsJsonDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== "object") return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") {
        nodes.push(child as object);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

export const tooDeepMessage = (what: string) => `${what} nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (the limit is ${MAX_JSON_DEPTH})`;

export const jsonTooDeep = (what = "The JSON body") => new AppError(400, "too_deep", tooDeepMessage(what), { maxDepth: MAX_JSON_DEPTH });

/** Throws 400 too_deep when `value` nests more than MAX_JSON_DEPTH levels; returns it otherwise. */
export function assertJsonDepth<T>(value: T, what?: string): T {
  if (exceedsJsonDepth(value)) throw jsonTooDeep(what);
  return value;
}

/** A zod schema of a field that holds arbitrary JSON, refused past MAX_JSON_DEPTH levels. */
export function boundedJson<T extends z.ZodType>(schema: T, what = "The value"): T {
  return schema.refine((v) => !exceedsJsonDepth(v), { message: tooDeepMessage(what) }) as T;
}
