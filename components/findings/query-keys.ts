/** TanStack Query keys of findings and the process view (socket events invalidate exactly these). */
export const findingKeys = {
  all: ["findings"] as const,
  list: (query: string) => [...findingKeys.all, "list", query] as const,
  detail: (id: string) => [...findingKeys.all, "detail", id] as const,
  plant: (code: string) => [...findingKeys.all, "plant", code] as const,
  processes: () => [...findingKeys.all, "processes"] as const,
};
