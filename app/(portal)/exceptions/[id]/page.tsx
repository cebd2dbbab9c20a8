import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ExceptionDetailView } from "@/components/exceptions/exception-detail";
import { requirePageUser } from "@/server/auth/current-user";
import { exceptionPage } from "@/server/exceptions/exception-page";
import { refsOf } from "@/server/trace/refs-of";

export const metadata: Metadata = { title: "Exception" };

export default async function ExceptionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser();
  const page = await exceptionPage(user, (await params).id);
  if (!page) notFound();
  // The lot, order, PO… the message named: links to their traceability pages.
  const refs = (await refsOf([page.detail.transaction.id])).get(page.detail.transaction.id);
  return <ExceptionDetailView page={page} me={{ id: user.id, name: user.name }} refs={refs} />;
}
