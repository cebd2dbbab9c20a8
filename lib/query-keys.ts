/** TanStack Query key factories: every cache read and every socket patch goes through these. */
export const plantKeys = {
  all: ["plants"] as const,
  list: () => [...plantKeys.all, "list"] as const,
};

export const bulkKeys = {
  all: ["bulk"] as const,
  list: () => [...bulkKeys.all, "list"] as const,
  detail: (id: string) => [...bulkKeys.all, "detail", id] as const,
};
