import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requirePageUser } from "@/server/auth/current-user";
import { visibleDashboardPlant } from "@/server/dashboards/plant-metrics";

/**
 * The scope check runs here, outside the page's loading boundary: a plant the user may not see is a
 * real 404 response (inside a streamed page it could only be a 200 with a not-found body).
 */
export default async function PlantLayout({ children, params }: { children: ReactNode; params: Promise<{ code: string }> }) {
  const user = await requirePageUser();
  if (!(await visibleDashboardPlant(user, (await params).code))) notFound();
  return children;
}
