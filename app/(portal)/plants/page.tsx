import type { Metadata } from "next";
import { PlantsView } from "@/components/plants/plants-view";
import { requirePageUser } from "@/server/auth/current-user";
import { listPlants } from "@/server/plants/list-plants";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Plants" };

export default async function PlantsPage() {
  const user = await requirePageUser();
  const plants = await listPlants(user);
  return <PlantsView initialPlants={plants} canEdit={can(user, "plant.update")} />;
}
