"use client";
import Link from "next/link";
import { useState } from "react";
import { useAnnounce } from "@/components/ui/announcer";
import { Button } from "@/components/ui/button";
import type { DecisionNotice } from "@/server/realtime/events";
import { useSocketEvent } from "../realtime-provider";

const MAX_SHOWN = 3;

const sentence = (n: DecisionNotice) =>
  `Your ${n.kind === "correction" ? "correction" : "replay request"} for ${n.interfaceCode}${n.businessKey ? ` ${n.businessKey}` : ""} was ${
    n.decision === "APPROVED" ? "approved" : "rejected"
  } by ${n.decidedBy}${n.comment ? `: “${n.comment}”` : ""}`;

/**
 * Tells the author of a correction (the requester of a replay) when a second person decided on it,
 * wherever they are in the portal: a notice that stays until dismissed, read out once. The decision
 * arrives on the user's own socket room (correction.decided / replay_request.decided).
 */
export function DecisionNotices() {
  const announce = useAnnounce();
  const [notices, setNotices] = useState<DecisionNotice[]>([]);
  const onDecided = (n: DecisionNotice) => {
    setNotices((all) => [n, ...all.filter((x) => x.id !== n.id)].slice(0, MAX_SHOWN));
    announce(sentence(n));
  };
  useSocketEvent("correction.decided", onDecided);
  useSocketEvent("replay_request.decided", onDecided);
  if (notices.length === 0) return null;
  return (
    <section aria-label="Decisions on your work" className="fixed right-4 bottom-4 z-40 w-96 max-w-[calc(100vw-2rem)] space-y-2">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`rounded-lg border border-border px-3 py-2 text-sm shadow-lg ${n.decision === "APPROVED" ? "bg-low-bg text-low-fg" : "bg-critical-bg text-critical-fg"}`}
          data-testid="decision-notice"
        >
          <p>{sentence(n)}.</p>
          <div className="mt-1 flex items-center gap-3">
            <Link href={`/exceptions/${n.exceptionId}`} className="underline underline-offset-4">
              Open the exception
            </Link>
            <Button variant="ghost" size="sm" className="ml-auto" onClick={() => setNotices((all) => all.filter((x) => x.id !== n.id))}>
              Dismiss
            </Button>
          </div>
        </div>
      ))}
    </section>
  );
}
