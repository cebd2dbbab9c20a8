import type { Metadata } from "next";
import { ExceptionsQueue } from "@/components/exceptions/exceptions-queue";
import { requirePageUser } from "@/server/auth/current-user";
import { visiblePlants } from "@/server/plants/visible-plants";
import { listExceptionGroups, listExceptions, parseQueueFilter } from "@/server/exceptions/queue";
import { listSavedViews } from "@/server/exceptions/saved-views";
import { bulkKindsFor, selectionQuery } from "@/server/exceptions/bulk-rules";

export const metadata: Metadata = { title: "Exceptions" };

export default async function ExceptionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageUser();
  const params = await searchParams;
  const filter = parseQueueFilter(params);
  const view = params.view === "groups" ? "groups" : "list";
  const [queue, groups, plants, views] = await Promise.all([
    listExceptions(user, filter),
    view === "groups" ? listExceptionGroups(user, filter) : Promise.resolve(null),
    visiblePlants(user),
    listSavedViews(user),
  ]);
  const interfaces = [...new Set(plants.flatMap((p) => p.interfaceCodes))].sort();
  return (
    <ExceptionsQueue
      view={view}
      filter={filter}
      queue={queue}
      groups={groups}
      plants={plants.map((p) => ({ id: p.id, code: p.code }))}
      interfaces={interfaces}
      views={views}
      bulkKinds={bulkKindsFor(user)}
      filterQuery={selectionQuery(params)}
      me={user.id}
    />
  );
}
