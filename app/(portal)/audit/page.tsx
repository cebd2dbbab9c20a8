import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuditTrail } from "@/components/audit/audit-trail";
import { AUDIT_EVENT_LABELS } from "@/server/audit/events";
import { AUDIT_TYPES, auditQuerySchema, listAuditEvents } from "@/server/audit/list-events";
import { requirePageUser } from "@/server/auth/current-user";
import { visiblePlants } from "@/server/plants/visible-plants";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Audit trail" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  if (!can(user, "audit.read")) notFound();
  const query = auditQuerySchema.parse(await searchParams);
  const [{ events, nextBefore }, plants] = await Promise.all([listAuditEvents(user, query), visiblePlants(user)]);
  const filters = { type: query.type, actor: query.actor, entity: query.entity, plant: query.plant, from: query.from, to: query.to };
  return (
    <AuditTrail
      events={events}
      nextBefore={nextBefore}
      type={query.type ?? null}
      filters={filters}
      plants={plants.map((p) => p.code)}
      types={AUDIT_TYPES.map((t) => ({ value: t, label: AUDIT_EVENT_LABELS[t] }))}
      canVerify={can(user, "audit.verify")}
      canExport={can(user, "audit.export")}
    />
  );
}
