import { z } from "zod";
import { type DbClient, db } from "../db";
import type { HandoverStatus } from "../db/generated/enums";
import { AppError, notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";
import { type HandoverSummary, handoverSummarySchema } from "./summary";

/**
 * Shift handovers as pages and the API show them (one action per file: list-handovers, get-handover,
 * update-handover-notes, acknowledge-handover). A plant the user may not see does not exist for them (404);
 * whoever sees the plant's dashboard reads its handovers; writing notes and acknowledging are policy actions.
 * The notes' version is the number of audited edits ("handover.notes_updated"): a write names the version it
 * read and is refused (409) when another edit came in between.
 */
export type HandoverPlant = { id: string; code: string; name: string; timezone: string };

export type HandoverView = {
  id: string;
  plantCode: string;
  timezone: string;
  shiftName: string;
  shiftStart: string;
  shiftEnd: string;
  status: HandoverStatus;
  summary: HandoverSummary;
  notes: string | null;
  notesVersion: number;
  notesUpdatedBy: string | null;
  preparedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** What this user may do on it (the page shows the editor and the button accordingly; the server decides again). */
  allowed: { writeNotes: boolean; acknowledge: boolean };
};

export type Actor = Principal & { email: string };
export const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

/** The plant of a handover page or route: 404 unless the user may see its dashboard. */
export async function handoverPlant(user: Principal, code: string): Promise<HandoverPlant> {
  if (typeof code !== "string" || code.length > 40) throw notFound("Plant");
  const plant = await db().plant.findUnique({ where: { code }, select: { id: true, code: true, name: true, timezone: true } });
  if (!plant || !canSeePlant(user, plant.id) || !can(user, "dashboard.read", { plantId: plant.id })) throw notFound("Plant");
  return plant;
}

type Row = Awaited<ReturnType<typeof loadRow>>;
const loadRow = (client: DbClient, id: string) => client.handover.findUnique({ where: { id } });

/** One handover of the plant (404 for a malformed id, another plant's handover or an unseen plant). */
export async function loadHandover(user: Principal, code: string, id: string) {
  const plant = await handoverPlant(user, code);
  if (!z.uuid().safeParse(id).success) throw notFound("Handover");
  const row = await loadRow(db(), id);
  if (!row || row.plantId !== plant.id) throw notFound("Handover");
  return { plant, row };
}

/** Edits of each handover's notes so far (their version). */
export async function notesVersions(client: DbClient, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await client.auditEvent.groupBy({
    by: ["subjectId"],
    where: { subjectType: "handover", subjectId: { in: ids }, type: "handover.notes_updated" },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.subjectId ?? "", r._count._all]));
}

export async function present(user: Principal, plant: HandoverPlant, rows: NonNullable<Row>[]): Promise<HandoverView[]> {
  const userIds = [...new Set(rows.flatMap((r) => [r.notesUpdatedById, r.acknowledgedById]).filter((x): x is string => x !== null))];
  const [users, versions] = await Promise.all([
    userIds.length ? db().user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }) : [],
    notesVersions(
      db(),
      rows.map((r) => r.id),
    ),
  ]);
  const label = new Map(users.map((u) => [u.id, u.name || u.email]));
  const who = (id: string | null) => (id ? (label.get(id) ?? "a former user") : null);
  const allowed = {
    writeNotes: can(user, "handover.write", { plantId: plant.id }),
    acknowledge: can(user, "handover.acknowledge", { plantId: plant.id }),
  };
  return rows.map((r) => ({
    id: r.id,
    plantCode: plant.code,
    timezone: plant.timezone,
    shiftName: r.shiftName,
    shiftStart: r.shiftStart.toISOString(),
    shiftEnd: r.shiftEnd.toISOString(),
    status: r.status,
    summary: handoverSummarySchema.parse(r.summary),
    notes: r.notes,
    notesVersion: versions.get(r.id) ?? 0,
    notesUpdatedBy: who(r.notesUpdatedById),
    preparedAt: r.preparedAt.toISOString(),
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: who(r.acknowledgedById),
    allowed: { writeNotes: allowed.writeNotes && r.status === "PREPARED", acknowledge: allowed.acknowledge && r.status === "PREPARED" },
  }));
}

/** What audit rows say about a handover. */
export const ref = (plant: HandoverPlant, r: NonNullable<Row>) => ({
  handoverId: r.id,
  plantCode: plant.code,
  shiftName: r.shiftName,
  shiftStart: r.shiftStart.toISOString(),
  shiftEnd: r.shiftEnd.toISOString(),
});

export const alreadyAcknowledged = () => new AppError(409, "handover_acknowledged", "This handover has already been acknowledged");
