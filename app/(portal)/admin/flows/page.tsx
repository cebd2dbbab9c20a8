import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CalendarAdmin } from "@/components/admin/calendar-admin";
import { FlowExpectationsAdmin } from "@/components/admin/flow-expectations-admin";
import { FlowSchedulesAdmin } from "@/components/admin/flow-schedules-admin";
import { OwnersAdmin } from "@/components/admin/owners-admin";
import { OwnersLadder } from "@/components/admin/owners-ladder";
import { requirePageUser } from "@/server/auth/current-user";
import { getCalendarAdmin } from "@/server/calendar/calendar-view";
import { getFlowSettings } from "@/server/flow-settings/flow-settings-view";
import { getEscalationLadders } from "@/server/owners/escalation-ladder";
import { getOwners } from "@/server/owners/owners-view";
import { visiblePlants } from "@/server/plants/visible-plants";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Flow monitoring" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * Flow monitoring settings of one plant (?plant=CODE): its shift calendar, expected traffic with
 * suggestions, batch schedules and owners; and the escalation ladders (for every plant). Administrators
 * only; every change is audited.
 */
export default async function FlowsAdminPage({ searchParams }: Props) {
  const user = await requirePageUser();
  if (!can(user, "admin.open") || !can(user, "calendar.manage")) notFound();
  const plants = await visiblePlants(user);
  const sp = await searchParams;
  const wanted = typeof sp.plant === "string" ? sp.plant.toUpperCase() : plants[0]?.code;
  const plant = plants.find((p) => p.code === wanted);
  if (!plant) notFound();
  const [calendar, flows, owners, ladders] = await Promise.all([
    getCalendarAdmin(user, plant.code),
    getFlowSettings(user, plant.code),
    getOwners(user, plant.code),
    getEscalationLadders(user),
  ]);
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">
        Flow monitoring · {plant.code} {plant.name}
      </h1>
      <p className="text-sm text-muted-foreground">
        What Andon expects of each flow, when the plant produces, and who is told when something stays silent. Times are {plant.code}&apos;s local time (
        {plant.timezone}). Every change is in the{" "}
        <Link className="underline" href="/audit">
          audit trail
        </Link>
        ; late thresholds and business processes are set per interface on{" "}
        <Link className="underline" href="/admin#interfaces-h">
          Administration
        </Link>
        .
      </p>
      <nav aria-label="Plants" className="flex flex-wrap gap-3 text-sm">
        {plants.map((p) => (
          <Link
            key={p.code}
            href={`/admin/flows?plant=${p.code}`}
            aria-current={p.code === plant.code ? "page" : undefined}
            className="underline aria-[current=page]:font-semibold aria-[current=page]:no-underline"
          >
            {p.code}
          </Link>
        ))}
      </nav>
      <nav aria-label="Flow monitoring sections" className="flex flex-wrap gap-3 text-sm">
        {[
          ["calendar-h", "Shift calendar"],
          ["expectations-h", "Expected traffic"],
          ["schedules-h", "Batch schedules"],
          ["owners-h", "Owners"],
          ["ladder-h", "Escalation ladder"],
        ].map(([id, label]) => (
          <a key={id} className="underline" href={`#${id}`}>
            {label}
          </a>
        ))}
      </nav>
      <CalendarAdmin key={`calendar-${plant.code}`} initial={calendar} />
      <FlowExpectationsAdmin key={`expectations-${plant.code}`} initial={flows} />
      <FlowSchedulesAdmin key={`schedules-${plant.code}`} initial={flows} />
      <OwnersAdmin key={`owners-${plant.code}`} initial={owners} />
      <OwnersLadder initial={ladders} />
    </div>
  );
}
