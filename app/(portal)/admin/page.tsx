import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RetentionForm } from "@/components/admin/retention-form";
import { UsersAdmin } from "@/components/admin/users-admin";
import { listUsers } from "@/server/admin/users";
import { db } from "@/server/db";
import { requirePageUser } from "@/server/auth/current-user";
import { can } from "@/server/policy";
import { getRetentionPolicy } from "@/server/retention";

export const metadata: Metadata = { title: "Administration" };

/** Administration: users and retention here; plants are edited on the Plants page, alert rules and webhooks on Alerts. */
export default async function AdminPage() {
  const user = await requirePageUser();
  if (!can(user, "retention.manage")) notFound();
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold">Administration</h1>
      <p className="text-sm text-muted-foreground">
        Plants are edited on the <Link className="underline" href="/plants">Plants</Link> page; alert rules and webhooks on <Link className="underline" href="/alerts">Alerts</Link>.
      </p>
      <UsersAdmin initial={await listUsers(user)} plants={(await db().plant.findMany({ select: { code: true }, orderBy: { code: "asc" } })).map((p) => p.code)} me={user.id} />
      <RetentionForm initial={await getRetentionPolicy(user)} />
    </div>
  );
}
