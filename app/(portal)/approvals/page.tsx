import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalsQueue } from "@/components/corrections/approvals-queue";
import { requirePageUser } from "@/server/auth/current-user";
import { pendingApprovals } from "@/server/corrections/corrections";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const user = await requirePageUser();
  if (!can(user, "correction.approve")) notFound();
  return <ApprovalsQueue items={await pendingApprovals(user)} />;
}
