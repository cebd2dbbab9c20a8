import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ExceptionDetailView } from "@/components/exceptions/exception-detail";
import { requirePageUser } from "@/server/auth/current-user";
import { exceptionDetail } from "@/server/exceptions/detail";
import { isOpen } from "@/server/exceptions/lifecycle";
import { can } from "@/server/policy";
import { canRequestReplay } from "@/server/replay/eligibility";

export const metadata: Metadata = { title: "Exception" };

export default async function ExceptionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const { id } = await params;
  const detail = await exceptionDetail(user, id);
  if (!detail) notFound();
  const on = { plantId: detail.plantId };
  const open = isOpen(detail.status);
  return (
    <ExceptionDetailView
      detail={detail}
      me={{ id: user.id, name: user.name }}
      can={{
        triage: open && can(user, "exception.triage", on),
        comment: can(user, "exception.comment", on),
        discard: open && can(user, "exception.discard", on),
        correct: can(user, "exception.correct", on),
        // A message an earlier replay delivered is sent again only with a reason (a second delivery).
        replay: can(user, "exception.replay_technical", on) && !detail.deliveredBefore && canRequestReplay({ status: detail.status, category: detail.category, correctionStatus: detail.correction?.status ?? null }),
        replayAgain: can(user, "exception.replay_technical", on) && (detail.status === "RESOLVED" || (detail.deliveredBefore !== null && canRequestReplay({ status: detail.status, category: detail.category, correctionStatus: detail.correction?.status ?? null }))),
      }}
    />
  );
}
