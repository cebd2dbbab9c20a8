import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalsQueue } from "@/components/corrections/approvals-queue";
import { requirePageUser } from "@/server/auth/current-user";
import { approvalsPage } from "@/server/corrections/approvals-page";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const user = await requirePageUser();
  const page = await approvalsPage(user);
  if (!page) notFound();
  return <ApprovalsQueue items={page.items} replays={page.replays} plantIds={page.plantIds} />;
}
