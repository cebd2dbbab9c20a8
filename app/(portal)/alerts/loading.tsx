import { Skeleton } from "@/components/ui/skeleton";

/** While the inbox and rules load. */
export default function Loading() {
  return (
    <div role="status" className="space-y-3" aria-busy="true" aria-label="Loading alerts">
      <Skeleton className="h-7 w-32" />
      {[0, 1, 2].map((i) => (
        <Skeleton key={i} className="h-20" />
      ))}
      <Skeleton className="h-64" />
    </div>
  );
}
