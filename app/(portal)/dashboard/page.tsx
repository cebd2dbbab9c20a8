import type { Metadata } from "next";
import { OverviewTiles } from "@/components/dashboards/overview-tiles";
import { requirePageUser } from "@/server/auth/current-user";
import { overview } from "@/server/dashboards/overview";
import { plantShiftWindows } from "@/server/dashboards/shift-window";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requirePageUser();
  const initial = await overview(user);
  // Each tile links to its plant's "this shift" / "last shift" views and handover (server/dashboards/shift-window.ts).
  const shifts = await plantShiftWindows(initial.plants.map((p) => p.id));
  return <OverviewTiles initial={initial} shifts={Object.fromEntries(shifts)} />;
}
