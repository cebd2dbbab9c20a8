import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AlertInbox } from "@/components/alerts/alert-inbox";
import { AlertRules } from "@/components/alerts/alert-rules";
import { AlertWebhooks } from "@/components/alerts/alert-webhooks";
import { listAlerts } from "@/server/alerts/list-alerts";
import { listRules } from "@/server/alerts/rules";
import { listWebhooks } from "@/server/alerts/webhooks";
import { requirePageUser } from "@/server/auth/current-user";
import { visiblePlants } from "@/server/plants/visible-plants";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Alerts" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };
const STATUSES = ["open", "all", "FIRING", "ACKNOWLEDGED", "RESOLVED"];

export default async function AlertsPage({ searchParams }: Props) {
  const user = await requirePageUser();
  if (!can(user, "alert.read")) notFound();
  const sp = await searchParams;
  const status = typeof sp.status === "string" && STATUSES.includes(sp.status) ? sp.status : "open";
  const plant = typeof sp.plant === "string" && sp.plant ? sp.plant : null;
  const admin = can(user, "alert_rule.manage");
  const [inbox, rules, plants, webhooks] = await Promise.all([
    listAlerts(user, { status, ...(plant ? { plant } : {}) }),
    listRules(user),
    visiblePlants(user),
    admin ? listWebhooks(user) : Promise.resolve(null),
  ]);
  return (
    <div className="space-y-6">
      <h1 className="text-lg font-semibold">Alerts</h1>
      <AlertInbox
        initial={inbox}
        status={status}
        plant={plant}
        plantIds={plants.map((p) => p.id)}
        me={user.id}
        canHandle={can(user, "alert.handle")}
        highlight={typeof sp.alert === "string" ? sp.alert : null}
      />
      <AlertRules initial={rules} canEdit={admin} plants={plants.map((p) => p.code)} />
      {webhooks ? <AlertWebhooks initial={webhooks} plants={plants.map((p) => p.code)} /> : null}
    </div>
  );
}
