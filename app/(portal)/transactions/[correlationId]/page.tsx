import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TransactionLive } from "@/components/transactions/transaction-live";
import { requirePageUser } from "@/server/auth/current-user";
import { can } from "@/server/policy";
import { transactionHistory } from "@/server/transactions/history";

export const metadata: Metadata = { title: "Transaction history" };

/** `?plant=<code>`: a correlation id names a message within one plant (connectors of two plants may reuse one). */
export default async function TransactionPage({
  params,
  searchParams,
}: {
  params: Promise<{ correlationId: string }>;
  searchParams: Promise<{ plant?: string | string[] }>;
}) {
  const user = await requirePageUser();
  if (!can(user, "transaction.read")) notFound();
  const plant = (await searchParams).plant;
  const history = await transactionHistory(user, decodeURIComponent((await params).correlationId), typeof plant === "string" && plant ? { plant } : {});
  if (!history) notFound();
  return <TransactionLive initial={history} />;
}
