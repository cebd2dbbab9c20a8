import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ProcessGrid } from "@/components/processes/process-grid";
import { requirePageUser } from "@/server/auth/current-user";
import { processView } from "@/server/findings/process-view";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Processes" };

export default async function ProcessesPage() {
  const user = await requirePageUser();
  if (!can(user, "finding.read") || !can(user, "dashboard.read")) notFound();
  return <ProcessGrid initial={await processView(user)} />;
}
