import type { Metadata } from "next";
import { OverviewTiles } from "@/components/dashboards/overview-tiles";
import { requirePageUser } from "@/server/auth/current-user";
import { overview } from "@/server/dashboards/overview";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requirePageUser();
  return <OverviewTiles initial={await overview(user)} />;
}
