import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { AppShell } from "@/components/app-shell";
import { ZONE_COOKIE } from "@/lib/format";
import { requirePageUser } from "@/server/auth/current-user";
import { navFor } from "@/server/navigation";
import { ROLE_LABELS, type Role, seesAllPlants } from "@/server/policy";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser();
  const scope = seesAllPlants(user) ? "all plants" : `${user.plantIds.length} plant${user.plantIds.length === 1 ? "" : "s"}`;
  const zone = (await cookies()).get(ZONE_COOKIE)?.value ?? null;
  return (
    <AppShell zone={zone} user={{ name: user.name, email: user.email, roleLabel: ROLE_LABELS[user.role as Role] ?? user.role, scope }} nav={navFor(user)}>
      {children}
    </AppShell>
  );
}
