import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ApprovalsQueue } from "@/components/corrections/approvals-queue";
import { requirePageUser } from "@/server/auth/current-user";
import { pendingApprovals } from "@/server/corrections/pending-approvals";
import { can } from "@/server/policy";
import { pendingReplayApprovals } from "@/server/replay/pending-replay-approvals";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const user = await requirePageUser();
  if (!can(user, "correction.approve") && !can(user, "replay.approve")) notFound();
  const [items, replays] = await Promise.all([
    can(user, "correction.approve") ? pendingApprovals(user) : [],
    can(user, "replay.approve") ? pendingReplayApprovals(user) : [],
  ]);
  return <ApprovalsQueue items={items} replays={replays} />;
}
