"use client";
import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { Time } from "@/components/ui/time";
import { EXCEPTION_STATUS_LABELS, humanize, labelOf } from "@/lib/labels";
import type { ExceptionDetail } from "@/server/exceptions/detail";

type Linked = ExceptionDetail["blockedBy"][number];

/**
 * Replay in dependency order, on the exception's page: the open exceptions of prerequisites on the same
 * business object that this one waits on ("Blocked by": replaying it is refused until they are
 * delivered), and the dependents waiting on it ("Blocks"). Followed live by the page (it re-reads itself
 * when any exception listed here changes). An approver may replay anyway, with a reason (audited).
 */
export function DependenciesPanel(props: {
  d: Pick<ExceptionDetail, "blockedBy" | "blocks" | "mayOverrideBlock" | "status">;
  zone: string;
  canReplay: boolean;
  pending: boolean;
  error: string | null;
  onOverride: (reason: string, close: () => void) => void;
}) {
  const { d, zone } = props;
  const [open, setOpen] = useState(false);
  if (d.blockedBy.length === 0 && d.blocks.length === 0) return null;
  return (
    <Card aria-labelledby="deps-h" data-testid="dependencies">
      <CardHeader>
        <h2 id="deps-h" className="text-sm font-semibold">
          Business dependencies
        </h2>
      </CardHeader>
      <CardBody className="space-y-3 text-sm">
        {d.blockedBy.length ? (
          <section aria-labelledby="blocked-by-h" data-testid="blocked-by">
            <h3 id="blocked-by-h" className="font-medium">
              <Badge tone="medium">Waiting</Badge> Blocked by
            </h3>
            <p className="text-xs text-muted-foreground">
              A prerequisite of the same business object has an open exception: this one cannot be replayed until it is delivered, and is released then.
            </p>
            <LinkedList items={d.blockedBy} zone={zone} />
            {props.canReplay && d.mayOverrideBlock ? (
              <ReasonDialog
                open={open}
                onOpenChange={setOpen}
                trigger={<Button variant="secondary">Replay anyway…</Button>}
                title="Replay although a prerequisite is open"
                description="The prerequisite has not been delivered: the target may refuse this message, or post it out of order. Say why it must go now; the reason and the blockers are audited."
                submitLabel="Replay anyway"
                danger
                pending={props.pending}
                error={props.error}
                onSubmit={(reason) => props.onOverride(reason, () => setOpen(false))}
              />
            ) : null}
          </section>
        ) : null}
        {d.blocks.length ? (
          <section aria-labelledby="blocks-h" data-testid="blocks">
            <h3 id="blocks-h" className="font-medium">
              Blocks
            </h3>
            <p className="text-xs text-muted-foreground">These wait for this message: they are released when it is delivered.</p>
            <LinkedList items={d.blocks} zone={zone} />
          </section>
        ) : null}
      </CardBody>
    </Card>
  );
}

function LinkedList({ items, zone }: { items: Linked[]; zone: string }) {
  return (
    <ul className="mt-1 space-y-1">
      {items.map((b) => (
        <li key={b.id} className="flex flex-wrap items-baseline gap-x-2">
          <Link href={`/exceptions/${b.id}`} className="font-mono text-primary underline">
            {b.interfaceCode} {b.messageId}
          </Link>
          <span className="text-xs text-muted-foreground">
            {b.refs.map((r) => `${humanize(r.kind)} ${r.value}`).join(", ")} · {labelOf(EXCEPTION_STATUS_LABELS, b.status)} · {b.errorCode} · first seen{" "}
            <Time iso={b.firstSeenAt} plantZone={zone} />
          </span>
        </li>
      ))}
    </ul>
  );
}
