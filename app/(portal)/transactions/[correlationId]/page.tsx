import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TransactionHistoryView } from "@/components/transactions/transaction-history";
import { requirePageUser } from "@/server/auth/current-user";
import { can } from "@/server/policy";
import { transactionHistory } from "@/server/transactions/history";

export const metadata: Metadata = { title: "Transaction history" };

export default async function TransactionPage({ params }: { params: Promise<{ correlationId: string }> }) {
  const user = await requirePageUser();
  if (!can(user, "transaction.read")) notFound();
  const history = await transactionHistory(user, decodeURIComponent((await params).correlationId));
  if (!history) notFound();
  return <TransactionHistoryView history={history} />;
}
