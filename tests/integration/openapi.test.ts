import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import openapiTS, { type OpenAPI3, astToString } from "openapi-typescript";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { GET as openApiGet } from "../../app/api/ingest/v1/openapi.json/route";

/**
 * Issue 16, defect 4: the ingest API's OpenAPI document must be one that independent tools accept. The
 * document served by the real route is validated by swagger-parser, and a typed client is generated
 * from it with openapi-typescript and compiled: what a connector team would do with it.
 */
async function servedDocument(): Promise<OpenAPI3> {
  const res = openApiGet();
  expect(res.status).toBe(200);
  return (await res.json()) as OpenAPI3;
}

/** Type errors of a set of files compiled together (strict, nothing emitted). */
function typeErrors(files: Record<string, string>): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), "andon-openapi-"));
  try {
    const names = Object.entries(files).map(([name, text]) => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      return file;
    });
    const program = ts.createProgram(names, {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file ? path.basename(d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the ingest API's OpenAPI document", () => {
  it("is valid OpenAPI 3.1 for swagger-parser", async () => {
    const doc = await servedDocument();
    expect(doc.openapi).toBe("3.1.0");
    // validate() dereferences the object it is given: it gets its own copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toMatchObject({ openapi: "3.1.0" });
  });

  it("generates a typed client (openapi-typescript) that compiles and types the events call", async () => {
    // defaultNonNullable: false, or a property with a default (attempt: 1) would be required of the sender too.
    const client = astToString(await openapiTS(await servedDocument(), { defaultNonNullable: false }));
    expect(client).toMatch(/"\/events": \{/);
    expect(client).toMatch(/\bIngestResult: \{/);
    expect(client).toMatch(/\bEvent: \{/);

    const usage = `
      import type { components, paths } from "./ingest-api";
      type Event = components["schemas"]["Event"];
      type Result = paths["/events"]["post"]["responses"][200]["content"]["application/json"];
      export const body: paths["/events"]["post"]["requestBody"] extends { content: { "application/json": infer B } } ? B : never = [{
        eventId: "e-1", correlationId: "c-1", messageId: "m-1", interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" },
        occurredAt: "2026-12-06T10:00:00Z", outcome: "failed", latencyMs: 850,
        error: { category: "business", code: "M7-021", message: "Deficit" }, payload: { idocType: "MBGMCR03" },
      }];
      export const result: Result = { accepted: 1, duplicates: 0, rejected: [{ index: 0, eventId: null, errors: [{ path: "payload", message: "too deep" }] }] };
      // @ts-expect-error an outcome the API does not know
      export const outcome: Event["outcome"] = "exploded";
      // @ts-expect-error accepted is a number
      export const wrong: Result = { accepted: "1", duplicates: 0, rejected: [] };
    `;
    expect(typeErrors({ "ingest-api.ts": client, "usage.ts": usage })).toEqual([]);
  });
});
