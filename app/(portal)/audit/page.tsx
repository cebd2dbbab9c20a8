import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuditTrail } from "@/components/audit/audit-trail";
import { AUDIT_EVENT_LABELS } from "@/server/audit/events";
import { AUDIT_TYPES, type AuditRow, ENTITY_HELP, listAuditEvents, parseAuditPage } from "@/server/audit/list-events";
import { requirePageUser } from "@/server/auth/current-user";
import { AppError } from "@/server/http/errors";
import { visiblePlants } from "@/server/plants/visible-plants";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Audit trail" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  if (!can(user, "audit.read")) notFound();
  const params = await searchParams;
  const { query, ignored, refused } = parseAuditPage(params);
  const plants = await visiblePlants(user);
  let result: { events: AuditRow[]; nextBefore: string | null } = { events: [], nextBefore: null };
  let problem = refused;
  if (!problem) {
    try {
      result = await listAuditEvents(user, query);
    } catch (err) {
      // A filter that names nothing is said, with no rows: never the whole trail as if it had matched.
      if (err instanceof AppError && err.status === 400) problem = err.message;
      else throw err;
    }
  }
  const filters = { type: query.type, actor: query.actor, entity: query.entity, plant: query.plant, from: query.from, to: query.to };
  return (
    <AuditTrail
      events={result.events}
      nextBefore={result.nextBefore}
      type={query.type ?? null}
      filters={filters}
      entityInput={typeof params.entity === "string" ? params.entity : (query.entity ?? "")}
      problem={problem}
      ignored={ignored}
      entityHelp={ENTITY_HELP}
      plants={plants.map((p) => p.code)}
      types={AUDIT_TYPES.map((t) => ({ value: t, label: AUDIT_EVENT_LABELS[t] }))}
      canVerify={can(user, "audit.verify")}
      canExport={can(user, "audit.export")}
    />
  );
}
