import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPlmClient, PlmClientError } from "./client";
import { startPlmEmulator, type PlmEmulator } from "./emulator";
import type { AffectedBom } from "./schema";

/** The PLM's rules for parts, BOM revisions and engineering change orders, through its REST API. */

let plm: PlmEmulator;
beforeAll(async () => {
  plm = await startPlmEmulator({ now: () => new Date("2026-11-24T08:30:00Z") });
});
afterAll(async () => {
  await plm.close();
});
beforeEach(() => plm.reset());

const client = () => createPlmClient(plm.url);

async function refusal(promise: Promise<unknown>): Promise<PlmClientError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof PlmClientError)) throw new Error(`expected a PlmClientError, got ${String(error)}`);
  return error;
}

const revisionC = (overrides: Partial<AffectedBom> = {}): AffectedBom => ({
  material: "FG-3100",
  revision: "B",
  effectiveFrom: "2027-01-01",
  components: [
    { material: "RM-1001", quantity: 0.45, unit: "M" },
    { material: "SP-0042", quantity: 2, unit: "PC" },
  ],
  ...overrides,
});

async function approvedEco(bom: AffectedBom): Promise<string> {
  const eco = await client().createEco({ title: "test", affectedBoms: [bom] });
  await client().approveEco(eco.number, "qa.lead");
  return eco.number;
}

describe("seeded engineering data", () => {
  it("FG-2200-A revision A is released and effective; B is in work in ECO-000103", async () => {
    const revisions = await client().revisions("FG-2200-A");
    expect(revisions.map((r) => [r.revision, r.state, r.effectiveFrom, r.effectiveTo, r.ecoNumber])).toEqual([
      ["A", "RELEASED", "2026-01-01", null, "ECO-000101"],
      ["B", "IN_WORK", "2026-12-01", null, "ECO-000103"],
    ]);
    expect((await client().effectiveRevision("FG-2200-A", "2026-11-24")).revision).toBe("A");
    expect(await client().eco("ECO-000103")).toMatchObject({ state: "DRAFT" });
  });
});

describe("ECO lifecycle DRAFT → APPROVED → RELEASED", () => {
  it("releases a revision: RELEASED, effective from its date, in the release feed", async () => {
    const number = await approvedEco(revisionC());
    const result = await client().releaseEco(number);
    expect(result.eco).toMatchObject({ number, state: "RELEASED", approvedBy: "qa.lead", releasedAt: "2026-11-24T08:30:00.000Z" });
    expect(result.bomReleases).toEqual([
      expect.objectContaining({
        ecoNumber: number,
        material: "FG-3100",
        revision: "B",
        effectiveFrom: "2027-01-01",
        supersedes: { revision: "A", effectiveTo: "2026-12-31" },
      }),
    ]);
    expect((await client().revision("FG-3100", "A")).effectiveTo).toBe("2026-12-31");
    expect((await client().effectiveRevision("FG-3100", "2026-12-31")).revision).toBe("A");
    expect((await client().effectiveRevision("FG-3100", "2027-01-01")).revision).toBe("B");
  });

  it("a DRAFT ECO cannot be released, a released one not again, approval only from DRAFT", async () => {
    const eco = await client().createEco({ title: "draft", affectedBoms: [revisionC()] });
    expect(await refusal(client().releaseEco(eco.number))).toMatchObject({
      category: "business",
      code: "ECO_STATE",
      status: 409,
      message: `${eco.number} is DRAFT; it must be approved first`,
    });
    await client().approveEco(eco.number);
    expect(await refusal(client().approveEco(eco.number))).toMatchObject({ code: "ECO_STATE" });
    await client().releaseEco(eco.number);
    expect(await refusal(client().releaseEco(eco.number))).toMatchObject({ code: "ECO_STATE", message: `${eco.number} is RELEASED; it is already released` });
  });

  it("only a DRAFT ECO can be edited; the edit replaces the revision in work", async () => {
    const eco = await client().createEco({ title: "edit", affectedBoms: [revisionC()] });
    await client().updateEco(eco.number, { affectedBoms: [revisionC({ effectiveFrom: "2027-02-01" })] });
    expect((await client().revision("FG-3100", "B")).effectiveFrom).toBe("2027-02-01");
    await client().approveEco(eco.number);
    expect(await refusal(client().updateEco(eco.number, { title: "late" }))).toMatchObject({ code: "ECO_STATE" });
  });

  it("an unknown ECO is 404", async () => {
    expect(await refusal(client().eco("ECO-999999"))).toMatchObject({ code: "ECO_NOT_FOUND", status: 404 });
  });
});

describe("release rules", () => {
  it("a component missing from the part master blocks the release; once the part exists, it releases", async () => {
    const number = await approvedEco(revisionC({ components: [{ material: "RM-9999", quantity: 1, unit: "PC" }] }));
    const error = await refusal(client().releaseEco(number));
    expect(error).toMatchObject({ category: "business", code: "COMPONENT_NOT_IN_PART_MASTER", status: 422 });
    expect(error.errors).toEqual([
      {
        code: "COMPONENT_NOT_IN_PART_MASTER",
        message: "Component RM-9999 of FG-3100/B is missing from the part master",
        field: "affectedBoms[0].components[0].material",
      },
    ]);
    expect(plm.revision("FG-3100", "B")?.state).toBe("IN_WORK");
    expect(plm.revision("FG-3100", "A")?.effectiveTo).toBeUndefined();
    await client().createPart({ number: "RM-9999", description: "Rivet 4 mm", unit: "PC" });
    expect((await client().releaseEco(number)).eco.state).toBe("RELEASED");
  });

  it("effectivity of the same product must not overlap a released revision", async () => {
    await client().releaseEco(await approvedEco(revisionC({ effectiveFrom: "2027-01-01", effectiveTo: "2027-06-30" })));
    const overlapping = await approvedEco(revisionC({ revision: "C", effectiveFrom: "2027-06-01" }));
    const error = await refusal(client().releaseEco(overlapping));
    expect(error).toMatchObject({ code: "EFFECTIVITY_OVERLAP", status: 422 });
    expect(error.message).toMatch(/2027-06-01…open of FG-3100\/C overlaps released revision B \(2027-01-01…2027-06-30\)/);
    // A revision that starts before an open-ended one overlaps it too.
    const before = await approvedEco({ ...revisionC({ material: "FG-2200-A", revision: "C", effectiveFrom: "2025-06-01", effectiveTo: "2026-03-01" }) });
    expect((await refusal(client().releaseEco(before))).code).toBe("EFFECTIVITY_OVERLAP");
  });

  it("a released revision is immutable: no edit, no ECO may touch it", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const response = await fetch(`${plm.url}/plm/api/v1/boms/FG-2200-A/revisions/A`, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "DELETE" ? undefined : JSON.stringify({ effectiveTo: "2026-06-30" }),
      });
      expect(response.status, method).toBe(409);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { code: string }).code).toBe("REVISION_IMMUTABLE");
    }
    const viaEco = await refusal(client().createEco({ title: "rewrite A", affectedBoms: [revisionC({ material: "FG-2200-A", revision: "A" })] }));
    expect(viaEco).toMatchObject({ code: "REVISION_IMMUTABLE", status: 409 });
    const inWork = await fetch(`${plm.url}/plm/api/v1/boms/FG-2200-A/revisions/B`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(((await inWork.json()) as { code: string }).code).toBe("ECO_CONTROLLED");
    expect(await refusal(client().createEco({ title: "B twice", affectedBoms: [revisionC({ material: "FG-2200-A", revision: "B" })] }))).toMatchObject({
      code: "REVISION_IN_WORK",
    });
  });

  it("invalid input is refused with the fields named", async () => {
    const error = await refusal(
      client().createEco({
        title: "",
        affectedBoms: [revisionC({ effectiveTo: "2026-01-01", components: [{ material: "RM-1001", quantity: -1, unit: "M" }] })],
      }),
    );
    expect(error).toMatchObject({ code: "VALIDATION_FAILED", status: 400 });
    expect(error.errors.map((e) => e.field)).toEqual(expect.arrayContaining(["title", "affectedBoms.0.components.0.quantity", "affectedBoms.0.effectiveTo"]));
  });
});

describe("effectivity queries (scenario 2: a BOM revision not yet effective)", () => {
  it("revision B after release: not yet effective in November, effective from December", async () => {
    await client().approveEco("ECO-000103");
    await client().releaseEco("ECO-000103");
    const november = await client().effectivity("FG-2200-A", "B", "2026-11-24");
    expect(november).toEqual({
      material: "FG-2200-A",
      revision: "B",
      date: "2026-11-24",
      state: "RELEASED",
      effective: false,
      reason: "NOT_YET_EFFECTIVE",
      effectiveFrom: "2026-12-01",
      effectiveTo: null,
      effectiveRevisionOnDate: "A",
    });
    expect(await client().effectivity("FG-2200-A", "B", "2026-12-01")).toMatchObject({ effective: true, reason: null });
    expect(await client().effectivity("FG-2200-A", "A", "2026-12-01")).toMatchObject({ effective: false, reason: "EXPIRED", effectiveTo: "2026-11-30" });
    // Without a date: the PLM's today.
    expect(await client().effectivity("FG-2200-A", "B")).toMatchObject({ date: "2026-11-24", effective: false });
  });

  it("a revision in work is not effective; unknown revisions and products are 404", async () => {
    expect(await client().effectivity("FG-2200-A", "B", "2027-01-01")).toMatchObject({
      effective: false,
      reason: "NOT_RELEASED",
      effectiveRevisionOnDate: "A",
    });
    expect(await refusal(client().effectivity("FG-2200-A", "Z", "2027-01-01"))).toMatchObject({ code: "REVISION_NOT_FOUND", status: 404 });
    expect(await refusal(client().effectiveRevision("FG-9999", "2026-11-24"))).toMatchObject({ code: "NO_EFFECTIVE_REVISION", status: 404 });
    expect(await refusal(client().effectiveRevision("FG-2200-A", "2025-12-31"))).toMatchObject({ code: "NO_EFFECTIVE_REVISION" });
    expect(await refusal(client().effectivity("FG-2200-A", "A", "24.11.2026"))).toMatchObject({ code: "VALIDATION_FAILED", status: 400 });
  });
});

describe("parts", () => {
  it("creates a part once; the same part again is fine, other attributes are a conflict", async () => {
    const part = { number: "RM-2020", description: "Hex bolt M8x20", unit: "PC" };
    expect(await client().createPart(part)).toMatchObject({ ...part, type: "component" });
    expect(await client().createPart(part)).toMatchObject(part);
    expect(await refusal(client().createPart({ ...part, unit: "KG" }))).toMatchObject({ code: "PART_EXISTS", status: 409 });
    expect(await client().part("RM-2020")).toMatchObject(part);
    expect(await refusal(client().part("RM-0000"))).toMatchObject({ code: "PART_NOT_FOUND", status: 404 });
  });
});
