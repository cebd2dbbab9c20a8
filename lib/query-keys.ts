/** TanStack Query key factories: every cache read and every socket patch goes through these. */
export const plantKeys = {
  all: ["plants"] as const,
  list: () => [...plantKeys.all, "list"] as const,
};

/** A plant's shift handovers (list, newest shift first): refetched on "handover.changed" of the plant's room. */
export const handoverKeys = {
  all: ["handovers"] as const,
  list: (plantCode: string) => [...handoverKeys.all, "list", plantCode] as const,
};

export const bulkKeys = {
  all: ["bulk"] as const,
  list: () => [...bulkKeys.all, "list"] as const,
  detail: (id: string) => [...bulkKeys.all, "detail", id] as const,
};

/** Dashboards: the overview, and a plant's table and charts per range (and interface, for the charts). */
export type RangeKey = { range?: string; from?: string; to?: string };
export const dashboardKeys = {
  all: ["dashboards"] as const,
  overview: () => [...dashboardKeys.all, "overview"] as const,
  plant: (code: string) => [...dashboardKeys.all, "plant", code] as const,
  plantMetrics: (code: string, r: RangeKey) => [...dashboardKeys.plant(code), "metrics", r] as const,
  plantSeries: (code: string, r: RangeKey, iface: string | null) => [...dashboardKeys.plant(code), "series", r, iface] as const,
};

export const alertKeys = {
  all: ["alerts"] as const,
  inbox: (filter: { status: string; plant?: string }) => [...alertKeys.all, "inbox", filter] as const,
  rules: () => [...alertKeys.all, "rules"] as const,
  webhooks: () => [...alertKeys.all, "webhooks"] as const,
};

/** The user's own in-app notifications: the list page and the bell's unread count. */
export const notificationKeys = {
  all: ["notifications"] as const,
  list: (unreadOnly: boolean) => [...notificationKeys.all, "list", unreadOnly] as const,
  unread: () => [...notificationKeys.all, "unread"] as const,
};
