/** Helpers for the Odoo contract tests (not shipped code). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { OdooClient } from "./client";
import type { OdooEmulator } from "./emulator";

/** Verbatim copy of the shared domain sample (shared/domain/samples), so the tests run on any clone. */
export const SAMPLE_PATH = path.resolve(import.meta.dirname, "fixtures/odoo-jsonrpc-create-production.json");

const sampleSchema = z.object({
  request: z.object({
    jsonrpc: z.literal("2.0"),
    method: z.literal("call"),
    id: z.number(),
    params: z.object({ service: z.string(), method: z.string(), args: z.array(z.unknown()) }),
  }),
  response_ok: z.object({ jsonrpc: z.literal("2.0"), id: z.number(), result: z.number() }),
  response_error: z.object({
    jsonrpc: z.literal("2.0"),
    id: z.number(),
    error: z.object({
      code: z.number(),
      message: z.string(),
      data: z.object({ name: z.string(), message: z.string(), arguments: z.array(z.unknown()), context: z.record(z.string(), z.unknown()), debug: z.string() }),
    }),
  }),
});
export type OdooSample = z.infer<typeof sampleSchema>;

export function loadSample(): OdooSample {
  return sampleSchema.parse(JSON.parse(readFileSync(SAMPLE_PATH, "utf8")));
}

/** Raw HTTP POST to `/jsonrpc` (no client), answering status, content type and parsed/raw body. */
export async function postJsonRpc(
  url: string,
  body: unknown,
  init: { contentType?: string; raw?: boolean } = {},
): Promise<{ status: number; contentType: string | null; text: string; json: unknown }> {
  const response = await fetch(`${url}/jsonrpc`, {
    method: "POST",
    headers: { "content-type": init.contentType ?? "application/json" },
    body: init.raw ? String(body) : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), text, json };
}

/** A JSON-RPC call envelope. */
export const rpc = (service: string, method: string, args: unknown[], id: number | string | null = 1) => ({
  jsonrpc: "2.0",
  method: "call",
  id,
  params: { service, method, args },
});

/** A client logged in to the emulator with its current password. */
export function clientFor(emulator: OdooEmulator, overrides: { password?: string; timeoutMs?: number } = {}): OdooClient {
  return new OdooClient({
    url: emulator.url,
    db: emulator.db,
    login: emulator.login,
    password: overrides.password ?? emulator.credentials().password,
    timeoutMs: overrides.timeoutMs ?? 5_000,
  });
}

/** Raw `POST /json/2/<model>/<method>` (no client): status, headers, body text and parsed JSON. */
export async function postJson2(
  url: string,
  model: string,
  method: string,
  body: unknown,
  init: { apiKey?: string | null; database?: string | null; contentType?: string; raw?: boolean; httpMethod?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; contentType: string | null; wwwAuthenticate: string | null; text: string; json: unknown }> {
  const headers: Record<string, string> = { "content-type": init.contentType ?? "application/json; charset=utf-8", ...init.headers };
  if (init.apiKey) headers.authorization = `bearer ${init.apiKey}`;
  if (init.database) headers["x-odoo-database"] = init.database;
  const response = await fetch(`${url}/json/2/${model}/${method}`, {
    method: init.httpMethod ?? "POST",
    headers,
    ...(init.httpMethod === "GET" ? {} : { body: init.raw ? String(body) : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), wwwAuthenticate: response.headers.get("www-authenticate"), text, json };
}
