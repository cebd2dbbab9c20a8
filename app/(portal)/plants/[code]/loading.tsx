import { Skeleton } from "@/components/ui/skeleton";

/** While the plant's figures load: the page's shape, no numbers. */
export default function Loading() {
  return (
    <div role="status" className="space-y-3" aria-busy="true" aria-label="Loading the plant's figures">
      <Skeleton className="h-7 w-64" />
      <Skeleton className="h-4 w-96" />
      <Skeleton className="h-48" />
      <div className="grid gap-3 lg:grid-cols-2">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-60" />
        ))}
      </div>
    </div>
  );
}
