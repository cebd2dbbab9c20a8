import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FindingsQueue } from "@/components/findings/findings-queue";
import { requirePageUser } from "@/server/auth/current-user";
import { findingsPage, parseFindingFilter } from "@/server/findings/list-findings";
import { visiblePlants } from "@/server/plants/visible-plants";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Findings" };

export default async function FindingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  if (!can(user, "finding.read")) notFound();
  const filter = parseFindingFilter(await searchParams);
  const [page, plants] = await Promise.all([findingsPage(user, filter), visiblePlants(user)]);
  return (
    <FindingsQueue
      initial={page}
      filter={filter}
      plants={plants.map((p) => ({ id: p.id, code: p.code }))}
      interfaces={[...new Set(plants.flatMap((p) => p.interfaceCodes))].sort()}
      canHandle={can(user, "finding.handle")}
      me={user.id}
    />
  );
}
