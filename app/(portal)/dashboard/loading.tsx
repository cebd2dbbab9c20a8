import { Skeleton } from "@/components/ui/skeleton";

/** While the overview loads: one placeholder per tile slot, no numbers. */
export default function Loading() {
  return (
    <div role="status" className="space-y-3" aria-busy="true" aria-label="Loading the dashboard">
      <Skeleton className="h-7 w-40" />
      <div className="grid gap-3 lg:grid-cols-2">
        {[0, 1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-56" />
        ))}
      </div>
    </div>
  );
}
