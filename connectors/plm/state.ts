import type { AffectedBom, BomComponent, BomRelease, EcoCreate, EcoState, PartCreate, RevisionState } from "./schema";

/**
 * The emulated PLM: part master, BOM revisions with date effectivity, engineering change orders.
 * Rules (README.md): an ECO goes DRAFT → APPROVED → RELEASED and is edited only as DRAFT; releasing
 * it releases its BOM revisions at once or not at all; every component must be a known part; the
 * effectivity of the revisions of one product never overlaps (an open-ended released revision is
 * ended the day before its successor starts); a released revision is immutable.
 */

export class PlmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: readonly { code: string; message: string; field?: string }[] = [],
  ) {
    super(message);
    this.name = "PlmError";
  }
}

export interface Part {
  number: string;
  description: string;
  unit: string;
  type: "assembly" | "component" | "raw" | "packaging";
  createdAt: string;
}

export interface BomRevision {
  material: string;
  revision: string;
  state: RevisionState;
  effectiveFrom: string;
  effectiveTo?: string;
  baseQuantity: number;
  components: BomComponent[];
  ecoNumber: string;
  releasedAt?: string;
  /** Position in the release feed (set when released). */
  releaseSequence?: number;
  /** The revision that ended this one's open effectivity. */
  supersededBy?: string;
  /** Set on the successor: the open-ended revision it ended, and the day that revision now ends. */
  supersedes?: { revision: string; effectiveTo: string };
}

export interface Eco {
  number: string;
  title: string;
  description?: string;
  state: EcoState;
  affectedBoms: AffectedBom[];
  createdAt: string;
  approvedAt?: string;
  approvedBy?: string;
  releasedAt?: string;
}

const SEED_PARTS: readonly [string, string, string, Part["type"]][] = [
  ["FG-2200-A", "Frame assembly A", "PC", "assembly"],
  ["FG-3100", "Machined housing 3100", "PC", "assembly"],
  ["CH-5500", "Polymer compound PX-5", "KG", "assembly"],
  ["RM-4711", "Steel sheet S235 2 mm, cut blank", "PC", "raw"],
  ["RM-0815", "Epoxy resin 2K, 25 kg drum", "KG", "raw"],
  ["RM-1001", "Aluminium bar EN AW-6060 D40", "M", "raw"],
  ["RM-7020", "Isopropyl alcohol 99.9%", "L", "raw"],
  ["SP-0042", "Ball bearing 6204-2RS", "PC", "component"],
  ["PK-0100", "Carton 600x400x300", "PC", "packaging"],
];

/**
 * Seeded engineering data, consistent with the SAP emulator's materials and the LOIPRO01 sample
 * (250 PC of FG-2200-A need 500 PC RM-4711 and 250 KG RM-0815): revision A of FG-2200-A and FG-3100
 * released and effective since 2026-01-01 (open-ended); ECO-000103 (DRAFT) prepares revision B of
 * FG-2200-A, effective from 2026-12-01.
 */
function seed(state: PlmState): void {
  const at = "2026-01-01T00:00:00.000Z";
  for (const [number, description, unit, type] of SEED_PARTS) state.parts.set(number, { number, description, unit, type, createdAt: at });
  const released: [string, string, AffectedBom][] = [
    [
      "ECO-000101",
      "Initial release frame assembly A",
      {
        material: "FG-2200-A",
        revision: "A",
        effectiveFrom: "2026-01-01",
        components: [
          { material: "RM-4711", quantity: 2, unit: "PC", position: "0010" },
          { material: "RM-0815", quantity: 1, unit: "KG", position: "0020" },
        ],
      },
    ],
    [
      "ECO-000102",
      "Initial release housing 3100",
      { material: "FG-3100", revision: "A", effectiveFrom: "2026-01-01", components: [{ material: "RM-1001", quantity: 0.5, unit: "M", position: "0010" }] },
    ],
  ];
  for (const [number, title, bom] of released) {
    state.createEco({ number, title, affectedBoms: [bom] }, at);
    state.approve(number, "engineering.lead", at);
    state.release(number, at);
  }
  state.createEco(
    {
      number: "ECO-000103",
      title: "Frame assembly A: less resin, carton added",
      affectedBoms: [
        {
          material: "FG-2200-A",
          revision: "B",
          effectiveFrom: "2026-12-01",
          components: [
            { material: "RM-4711", quantity: 2, unit: "PC", position: "0010" },
            { material: "RM-0815", quantity: 0.8, unit: "KG", position: "0020" },
            { material: "PK-0100", quantity: 0.05, unit: "PC", position: "0030" },
          ],
        },
      ],
    },
    "2026-11-02T09:00:00.000Z",
  );
}

const key = (material: string, revision: string) => `${material}\u0000${revision}`;

/** The day before an ISO date. */
function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function overlaps(a: { effectiveFrom: string; effectiveTo?: string }, b: { effectiveFrom: string; effectiveTo?: string }): boolean {
  return a.effectiveFrom <= (b.effectiveTo ?? "9999-12-31") && b.effectiveFrom <= (a.effectiveTo ?? "9999-12-31");
}

export class PlmState {
  readonly parts = new Map<string, Part>();
  readonly revisions = new Map<string, BomRevision>();
  readonly ecos = new Map<string, Eco>();
  private ecoCounter = 100;
  private releaseCounter = 0;

  constructor(withSeed = true) {
    if (withSeed) seed(this);
  }

  // -------------------------------------------------------------------------------------------
  // Parts
  // -------------------------------------------------------------------------------------------

  createPart(input: PartCreate, at: string): { part: Part; created: boolean } {
    const existing = this.parts.get(input.number);
    const part: Part = { number: input.number, description: input.description, unit: input.unit, type: input.type ?? "component", createdAt: at };
    if (existing) {
      if (existing.description === part.description && existing.unit === part.unit && existing.type === part.type) return { part: existing, created: false };
      throw new PlmError(409, "PART_EXISTS", `Part ${input.number} already exists with other attributes`);
    }
    this.parts.set(part.number, part);
    return { part, created: true };
  }

  // -------------------------------------------------------------------------------------------
  // BOM revisions
  // -------------------------------------------------------------------------------------------

  revision(material: string, revision: string): BomRevision | undefined {
    return this.revisions.get(key(material, revision));
  }

  revisionsOf(material: string): BomRevision[] {
    return [...this.revisions.values()]
      .filter((r) => r.material === material)
      .sort((a, b) => (a.revision.length - b.revision.length) * 100 + a.revision.localeCompare(b.revision));
  }

  /** The released revision effective on `date`, if any. */
  effectiveAt(material: string, date: string): BomRevision | undefined {
    return this.revisionsOf(material).find((r) => r.state === "RELEASED" && r.effectiveFrom <= date && (r.effectiveTo === undefined || date <= r.effectiveTo));
  }

  /** Is `revision` of `material` effective on `date`? With the reason when it is not. */
  effectivity(material: string, revision: string, date: string) {
    const found = this.revision(material, revision);
    if (!found) throw new PlmError(404, "REVISION_NOT_FOUND", `BOM revision ${material}/${revision} does not exist`);
    const reason =
      found.state !== "RELEASED"
        ? "NOT_RELEASED"
        : date < found.effectiveFrom
          ? "NOT_YET_EFFECTIVE"
          : found.effectiveTo !== undefined && date > found.effectiveTo
            ? "EXPIRED"
            : null;
    const effective = this.effectiveAt(material, date);
    return {
      material,
      revision,
      date,
      state: found.state,
      effective: reason === null,
      reason,
      effectiveFrom: found.effectiveFrom,
      effectiveTo: found.effectiveTo ?? null,
      effectiveRevisionOnDate: effective?.revision ?? null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Engineering change orders
  // -------------------------------------------------------------------------------------------

  private checkAffected(affected: readonly AffectedBom[], ecoNumber: string): void {
    const errors: { code: string; message: string; field?: string }[] = [];
    affected.forEach((bom, index) => {
      if (affected.findIndex((other) => other.material === bom.material && other.revision === bom.revision) !== index) {
        errors.push({ code: "DUPLICATE_AFFECTED_BOM", message: `${bom.material}/${bom.revision} is listed twice`, field: `affectedBoms[${index}]` });
      }
      const existing = this.revision(bom.material, bom.revision);
      if (existing?.state === "RELEASED") {
        errors.push({
          code: "REVISION_IMMUTABLE",
          message: `BOM revision ${bom.material}/${bom.revision} is released and cannot be changed; revise it with a new revision`,
          field: `affectedBoms[${index}].revision`,
        });
      } else if (existing && existing.ecoNumber !== ecoNumber) {
        errors.push({
          code: "REVISION_IN_WORK",
          message: `BOM revision ${bom.material}/${bom.revision} is already in work in ${existing.ecoNumber}`,
          field: `affectedBoms[${index}].revision`,
        });
      }
    });
    if (errors.length > 0) throw new PlmError(409, errors[0]?.code ?? "CONFLICT", errors[0]?.message ?? "conflict", errors);
  }

  private putInWork(eco: Eco): void {
    for (const bom of eco.affectedBoms) {
      this.revisions.set(key(bom.material, bom.revision), {
        material: bom.material,
        revision: bom.revision,
        state: "IN_WORK",
        effectiveFrom: bom.effectiveFrom,
        effectiveTo: bom.effectiveTo,
        baseQuantity: bom.baseQuantity ?? 1,
        components: bom.components.map((c) => ({ ...c })),
        ecoNumber: eco.number,
      });
    }
  }

  createEco(input: EcoCreate, at: string): { eco: Eco; created: boolean } {
    if (input.number !== undefined) {
      const existing = this.ecos.get(input.number);
      if (existing) {
        const same =
          JSON.stringify([existing.title, existing.description, existing.affectedBoms]) ===
          JSON.stringify([input.title, input.description, input.affectedBoms]);
        if (same) return { eco: existing, created: false };
        throw new PlmError(409, "ECO_EXISTS", `${input.number} already exists with other content`);
      }
    }
    let number = input.number;
    if (number === undefined) {
      do {
        this.ecoCounter += 1;
        number = `ECO-${String(this.ecoCounter).padStart(6, "0")}`;
      } while (this.ecos.has(number));
    }
    this.checkAffected(input.affectedBoms, number);
    const eco: Eco = { number, title: input.title, description: input.description, state: "DRAFT", affectedBoms: input.affectedBoms, createdAt: at };
    this.ecos.set(number, eco);
    this.putInWork(eco);
    return { eco, created: true };
  }

  eco(number: string): Eco {
    const eco = this.ecos.get(number);
    if (!eco) throw new PlmError(404, "ECO_NOT_FOUND", `${number} does not exist`);
    return eco;
  }

  patchEco(number: string, patch: { title?: string; description?: string; affectedBoms?: AffectedBom[] }): Eco {
    const eco = this.eco(number);
    if (eco.state !== "DRAFT") throw new PlmError(409, "ECO_STATE", `${number} is ${eco.state}; only a DRAFT ECO can be changed`);
    if (patch.affectedBoms) {
      this.checkAffected(patch.affectedBoms, number);
      for (const bom of eco.affectedBoms) this.revisions.delete(key(bom.material, bom.revision));
      eco.affectedBoms = patch.affectedBoms;
      this.putInWork(eco);
    }
    if (patch.title !== undefined) eco.title = patch.title;
    if (patch.description !== undefined) eco.description = patch.description;
    return eco;
  }

  approve(number: string, approver: string, at: string): Eco {
    const eco = this.eco(number);
    if (eco.state !== "DRAFT") throw new PlmError(409, "ECO_STATE", `${number} is ${eco.state}; only a DRAFT ECO can be approved`);
    eco.state = "APPROVED";
    eco.approvedAt = at;
    eco.approvedBy = approver;
    return eco;
  }

  /** Releases the ECO and its BOM revisions (all or nothing). */
  release(number: string, at: string): { eco: Eco; revisions: BomRevision[] } {
    const eco = this.eco(number);
    if (eco.state !== "APPROVED") {
      const detail = eco.state === "DRAFT" ? "it must be approved first" : "it is already released";
      throw new PlmError(409, "ECO_STATE", `${number} is ${eco.state}; ${detail}`);
    }
    const errors: { code: string; message: string; field?: string }[] = [];
    const endings: { revision: BomRevision; effectiveTo: string; successor: string }[] = [];
    eco.affectedBoms.forEach((bom, index) => {
      if (!this.parts.has(bom.material)) {
        errors.push({ code: "PART_NOT_FOUND", message: `Product ${bom.material} is not in the part master`, field: `affectedBoms[${index}].material` });
      }
      bom.components.forEach((component, position) => {
        if (!this.parts.has(component.material)) {
          errors.push({
            code: "COMPONENT_NOT_IN_PART_MASTER",
            message: `Component ${component.material} of ${bom.material}/${bom.revision} is missing from the part master`,
            field: `affectedBoms[${index}].components[${position}].material`,
          });
        }
      });
      const others = [...eco.affectedBoms.filter((o, i) => i !== index && o.material === bom.material)];
      for (const other of others) {
        if (overlaps(bom, other)) {
          errors.push({
            code: "EFFECTIVITY_OVERLAP",
            message: `${bom.material}/${bom.revision} and ${other.revision} of the same ECO overlap in effectivity`,
            field: `affectedBoms[${index}].effectiveFrom`,
          });
        }
      }
      for (const released of this.revisionsOf(bom.material).filter((r) => r.state === "RELEASED")) {
        if (released.effectiveTo === undefined && released.effectiveFrom < bom.effectiveFrom) {
          endings.push({ revision: released, effectiveTo: dayBefore(bom.effectiveFrom), successor: bom.revision });
          continue;
        }
        if (overlaps(bom, released)) {
          errors.push({
            code: "EFFECTIVITY_OVERLAP",
            message: `Effectivity ${bom.effectiveFrom}…${bom.effectiveTo ?? "open"} of ${bom.material}/${bom.revision} overlaps released revision ${released.revision} (${released.effectiveFrom}…${released.effectiveTo ?? "open"})`,
            field: `affectedBoms[${index}].effectiveFrom`,
          });
        }
      }
    });
    if (errors.length > 0) throw new PlmError(422, errors[0]?.code ?? "RELEASE_REFUSED", `${number} cannot be released: ${errors[0]?.message}`, errors);
    // An open-ended revision is ended by its earliest successor only.
    endings.sort((a, b) => a.effectiveTo.localeCompare(b.effectiveTo));
    const firstEndings = endings.filter((e, i) => endings.findIndex((o) => o.revision === e.revision) === i);

    eco.state = "RELEASED";
    eco.releasedAt = at;
    const revisions: BomRevision[] = [];
    for (const bom of eco.affectedBoms) {
      const revision = this.revision(bom.material, bom.revision);
      if (!revision) continue;
      revision.state = "RELEASED";
      revision.releasedAt = at;
      this.releaseCounter += 1;
      revision.releaseSequence = this.releaseCounter;
      const ending = firstEndings.find((e) => e.successor === bom.revision && e.revision.material === bom.material);
      if (ending) {
        ending.revision.effectiveTo = ending.effectiveTo;
        ending.revision.supersededBy = bom.revision;
        revision.supersedes = { revision: ending.revision.revision, effectiveTo: ending.effectiveTo };
      }
      revisions.push(revision);
    }
    return { eco, revisions };
  }

  /** Released revisions in release order after feed position `after`. */
  releasedAfter(after: number, limit: number): BomRevision[] {
    return [...this.revisions.values()]
      .filter((r) => r.state === "RELEASED" && (r.releaseSequence ?? 0) > after)
      .sort((a, b) => (a.releaseSequence ?? 0) - (b.releaseSequence ?? 0))
      .slice(0, limit);
  }

  /** The BOM_RELEASE payload of a released revision. */
  bomRelease(revision: BomRevision): BomRelease {
    const part = this.parts.get(revision.material);
    return {
      ecoNumber: revision.ecoNumber,
      material: revision.material,
      ...(part ? { description: part.description } : {}),
      revision: revision.revision,
      effectiveFrom: revision.effectiveFrom,
      ...(revision.effectiveTo !== undefined ? { effectiveTo: revision.effectiveTo } : {}),
      baseQuantity: revision.baseQuantity,
      unit: part?.unit ?? "PC",
      components: revision.components.map((c) => ({ ...c })),
      ...(revision.supersedes ? { supersedes: { ...revision.supersedes } } : {}),
      ...(revision.releasedAt ? { releasedAt: revision.releasedAt } : {}),
    };
  }
}
