import { Validator } from "@cfworker/json-schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPlmClient, PlmClientError } from "./client";
import { startPlmEmulator, type PlmEmulator } from "./emulator";
import { BOM_RELEASE_SAMPLE } from "./samples";
import { BOM_RELEASE_PAYLOAD_SCHEMA } from "./schema";
import { pollBomReleases, readBomRelease, releaseBomRevision, releaseEco } from "./source";

/**
 * The PLM as the source of BOM_RELEASE, and the contract of its payloads and errors: the exported
 * JSON Schema and RFC 9457 problem details, checked by @cfworker/json-schema.
 */

let plm: PlmEmulator;
beforeAll(async () => {
  plm = await startPlmEmulator({ now: () => new Date("2026-11-24T08:30:00Z") });
});
afterAll(async () => {
  await plm.close();
});
beforeEach(() => plm.reset());

const validate = (schema: object, value: unknown) => new Validator(schema as never, "2020-12").validate(value);

describe("source API for the simulator", () => {
  it("releaseEco: the seeded ECO-000103, approved and released, yields the sample payload", async () => {
    await createPlmClient(plm.url).approveEco("ECO-000103");
    expect(await releaseEco(plm.url, "ECO-000103")).toEqual([BOM_RELEASE_SAMPLE]);
    // Repeated (same derived key): the first answer, nothing released twice.
    expect(await releaseEco(plm.url, "ECO-000103")).toEqual([BOM_RELEASE_SAMPLE]);
    expect(plm.bomReleases().filter((b) => b.material === "FG-2200-A")).toHaveLength(2);
  });

  it("releaseBomRevision creates, approves and releases an ECO; repeating it changes nothing", async () => {
    const request = {
      ecoNumber: "ECO-000210",
      material: "FG-3100",
      revision: "B",
      effectiveFrom: "2027-01-01",
      components: [{ material: "RM-1001", quantity: 0.45, unit: "M" }],
    };
    const payload = await releaseBomRevision(plm.url, request);
    expect(payload).toMatchObject({
      ecoNumber: "ECO-000210",
      material: "FG-3100",
      revision: "B",
      unit: "PC",
      baseQuantity: 1,
      supersedes: { revision: "A", effectiveTo: "2026-12-31" },
    });
    expect(await releaseBomRevision(plm.url, request)).toEqual(payload);
    expect(plm.eco("ECO-000210")?.state).toBe("RELEASED");
    expect(plm.bomReleases()).toHaveLength(3);
  });

  it("a refused release surfaces the PLM's business error and releases nothing", async () => {
    const error = await releaseBomRevision(plm.url, {
      ecoNumber: "ECO-000211",
      material: "FG-3100",
      revision: "B",
      effectiveFrom: "2027-01-01",
      components: [{ material: "RM-0404", quantity: 1, unit: "PC" }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlmClientError);
    expect(error).toMatchObject({ category: "business", code: "COMPONENT_NOT_IN_PART_MASTER" });
    expect(plm.eco("ECO-000211")?.state).toBe("APPROVED");
  });

  it("readBomRelease reads a released revision as the PLM shows it now (A ended by B)", async () => {
    await createPlmClient(plm.url).approveEco("ECO-000103");
    await releaseEco(plm.url, "ECO-000103");
    expect(await readBomRelease(plm.url, "FG-2200-A", "A")).toEqual({
      ecoNumber: "ECO-000101",
      material: "FG-2200-A",
      description: "Frame assembly A",
      revision: "A",
      effectiveFrom: "2026-01-01",
      effectiveTo: "2026-11-30",
      baseQuantity: 1,
      unit: "PC",
      components: [
        { material: "RM-4711", quantity: 2, unit: "PC", position: "0010" },
        { material: "RM-0815", quantity: 1, unit: "KG", position: "0020" },
      ],
      releasedAt: "2026-01-01T00:00:00.000Z",
    });
    await expect(readBomRelease(plm.url, "FG-2200-A", "Z")).rejects.toMatchObject({ code: "REVISION_NOT_FOUND" });
  });

  it("pollBomReleases reads the release feed in order with a cursor", async () => {
    const first = await pollBomReleases(plm.url, 0, { limit: 1 });
    expect(first.items.map((i) => [i.sequence, i.payload.material, i.payload.revision])).toEqual([[1, "FG-2200-A", "A"]]);
    const rest = await pollBomReleases(plm.url, first.next);
    expect(rest.items.map((i) => [i.sequence, i.payload.material])).toEqual([[2, "FG-3100"]]);
    await createPlmClient(plm.url).approveEco("ECO-000103");
    await releaseEco(plm.url, "ECO-000103");
    const next = await pollBomReleases(plm.url, rest.next);
    expect(next.items.map((i) => i.payload)).toEqual([BOM_RELEASE_SAMPLE]);
    expect((await pollBomReleases(plm.url, next.next)).items).toEqual([]);
  });
});

describe("contract", () => {
  it("the BOM_RELEASE JSON Schema accepts the sample and every payload the PLM publishes, and refuses broken ones", async () => {
    expect(BOM_RELEASE_PAYLOAD_SCHEMA).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object" });
    expect(validate(BOM_RELEASE_PAYLOAD_SCHEMA, BOM_RELEASE_SAMPLE).valid).toBe(true);
    await createPlmClient(plm.url).approveEco("ECO-000103");
    await releaseEco(plm.url, "ECO-000103");
    for (const payload of plm.bomReleases()) expect(validate(BOM_RELEASE_PAYLOAD_SCHEMA, payload).valid, `${payload.material}/${payload.revision}`).toBe(true);
    expect(validate(BOM_RELEASE_PAYLOAD_SCHEMA, { ...BOM_RELEASE_SAMPLE, components: [] }).valid).toBe(false);
    expect(validate(BOM_RELEASE_PAYLOAD_SCHEMA, { ...BOM_RELEASE_SAMPLE, revision: "b" }).valid).toBe(false);
    expect(validate(BOM_RELEASE_PAYLOAD_SCHEMA, { ...BOM_RELEASE_SAMPLE, effectiveFrom: "01.12.2026" }).valid).toBe(false);
    expect(validate(BOM_RELEASE_PAYLOAD_SCHEMA, { ...BOM_RELEASE_SAMPLE, components: [{ material: "RM-4711", quantity: 0, unit: "PC" }] }).valid).toBe(false);
  });

  it("errors are RFC 9457 problem details", async () => {
    const problemSchema = {
      type: "object",
      required: ["type", "title", "status", "detail", "code"],
      properties: {
        type: { type: "string" },
        title: { type: "string" },
        status: { type: "integer", minimum: 400, maximum: 599 },
        detail: { type: "string" },
        code: { type: "string", pattern: "^[A-Z_]+$" },
        errors: { type: "array", items: { type: "object", required: ["code", "message"] } },
      },
    };
    for (const [path, status] of [
      ["/plm/api/v1/ecos/ECO-999999", 404],
      ["/plm/api/v1/boms/FG-2200-A/effective?date=1999-01-01", 404],
      ["/plm/api/v1/nothing", 404],
    ] as const) {
      const response = await fetch(`${plm.url}${path}`);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      const body = (await response.json()) as { status: number };
      expect(validate(problemSchema, body).valid, JSON.stringify(body)).toBe(true);
      expect(body.status).toBe(status);
    }
    const invalid = await fetch(`${plm.url}/plm/api/v1/ecos`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(invalid.status).toBe(400);
    expect(validate(problemSchema, await invalid.json()).valid).toBe(true);
  });
});
