import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ConnectorsAdmin } from "@/components/admin/connectors-admin";
import { DependenciesAdmin } from "@/components/admin/dependencies-admin";
import { InterfacesAdmin } from "@/components/admin/interfaces-admin";
import { PlantsAdmin } from "@/components/admin/plants-admin";
import { RetentionForm } from "@/components/admin/retention-form";
import { UsersAdmin } from "@/components/admin/users-admin";
import { listConnectors } from "@/server/admin/connectors";
import { listInterfaces } from "@/server/admin/interfaces";
import { listUsers } from "@/server/admin/users";
import { requirePageUser } from "@/server/auth/current-user";
import { visiblePlants } from "@/server/plants/visible-plants";
import { can } from "@/server/policy";
import { getRetentionPolicy } from "@/server/retention";

export const metadata: Metadata = { title: "Administration" };

/** Administration: users, plants, connectors, interfaces and retention; alert rules and webhooks live on Alerts. Every change is audited. */
export default async function AdminPage() {
  const user = await requirePageUser();
  if (!can(user, "admin.open")) notFound();
  const plants = await visiblePlants(user);
  const codes = plants.map((p) => p.code);
  const [users, connectors, interfaces, retention] = await Promise.all([listUsers(user), listConnectors(user), listInterfaces(user), getRetentionPolicy(user)]);
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Administration</h1>
      <p className="text-sm text-muted-foreground">
        Every change here is in the{" "}
        <Link className="underline" href="/audit">
          audit trail
        </Link>{" "}
        with before and after. Alert rules and webhooks are on{" "}
        <Link className="underline" href="/alerts">
          Alerts
        </Link>
        .
      </p>
      <nav aria-label="Administration sections" className="flex flex-wrap gap-3 text-sm">
        {[
          ["users-h", "Users"],
          ["plants-h", "Plants"],
          ["connectors-h", "Connectors"],
          ["interfaces-h", "Interfaces"],
          ["retention-h", "Retention"],
        ].map(([id, label]) => (
          <a key={id} className="underline" href={`#${id}`}>
            {label}
          </a>
        ))}
        <Link className="underline" href="/admin/flows">
          Flow monitoring (calendars, expected traffic, owners, escalation)
        </Link>
      </nav>
      <UsersAdmin initial={users} plants={codes} me={user.id} />
      <PlantsAdmin plants={plants} zones={Intl.supportedValuesOf("timeZone")} />
      <ConnectorsAdmin initial={connectors} plants={codes} />
      <InterfacesAdmin initial={interfaces} plants={codes} />
      <DependenciesAdmin />
      <RetentionForm initial={retention} />
    </div>
  );
}
