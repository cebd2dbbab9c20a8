"use client";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef } from "react";
import { usePlantRooms, useSocketEvent } from "@/components/realtime-provider";
import { useAnnounce } from "@/components/ui/announcer";
import { apiFetch } from "@/lib/api";
import { labelOf, TRANSACTION_STATUS_LABELS } from "@/lib/labels";
import type { ExceptionBatch } from "@/server/realtime/events";
import type { TransactionHistory } from "@/server/transactions/history";
import { TransactionHistoryView } from "./transaction-history";

/** Query keys of transaction history (one message per correlation id and plant). */
export const transactionKeys = {
  all: ["transactions"] as const,
  detail: (correlationId: string, plant: string) => [...transactionKeys.all, "detail", correlationId, plant] as const,
};

/**
 * The transaction page, following its message live: it joins the plant's room and refetches when an
 * exception of one of its transactions is opened, changes or is resolved (a replay delivering it, a new
 * failure), and after a reconnect. A status change is announced.
 */
export function TransactionLive({ initial }: { initial: TransactionHistory }) {
  const { correlationId, plantCode, plantId } = initial;
  const query = useQuery({
    queryKey: transactionKeys.detail(correlationId, plantCode),
    queryFn: () => apiFetch<TransactionHistory>(`/api/transactions/${encodeURIComponent(correlationId)}?plant=${encodeURIComponent(plantCode)}`),
    initialData: initial,
    staleTime: 30_000,
  });
  const history = query.data;
  const { refetch } = query;
  const refresh = useCallback(() => void refetch(), [refetch]);
  const transactionIds = useMemo(() => new Set(history.transactions.map((t) => t.id)), [history]);

  usePlantRooms([plantId], refresh);
  const onExceptions = (batch: ExceptionBatch) => {
    if (batch.plantId !== plantId) return;
    // A batch cut short may hold ours among the items it left out.
    if (batch.total > batch.items.length || batch.items.some((i) => transactionIds.has(i.transactionId))) refresh();
  };
  useSocketEvent("exception.opened", onExceptions);
  useSocketEvent("exception.updated", onExceptions);
  useSocketEvent("exception.resolved", onExceptions);

  // Read out a change of a transaction's status (the badge changes in place).
  const announce = useAnnounce();
  const seen = useRef(new Map(initial.transactions.map((t) => [t.id, t.status])));
  useEffect(() => {
    for (const t of history.transactions) {
      const before = seen.current.get(t.id);
      if (before && before !== t.status) announce(`Message ${t.messageId} is now ${labelOf(TRANSACTION_STATUS_LABELS, t.status).toLowerCase()}`);
      seen.current.set(t.id, t.status);
    }
  }, [history, announce]);

  return <TransactionHistoryView history={history} />;
}
