import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FindingDetailView } from "@/components/findings/finding-detail-view";
import { requirePageUser } from "@/server/auth/current-user";
import { findingDetail } from "@/server/findings/finding-detail";
import { AppError } from "@/server/http/errors";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Finding" };

export default async function FindingPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  try {
    const detail = await findingDetail(user, (await params).id);
    return <FindingDetailView initial={detail} canHandle={can(user, "finding.handle", { plantId: detail.plantId })} me={user.id} />;
  } catch (err) {
    if (err instanceof AppError && (err.status === 404 || err.status === 403)) notFound();
    throw err;
  }
}
