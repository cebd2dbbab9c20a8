import { type Action, type Principal, can } from "./policy";

/** Main navigation: an entry shows only to users the policy lets perform its action. */
const NAV: { href: string; label: string; action: Action }[] = [
  { href: "/dashboard", label: "Dashboard", action: "dashboard.read" },
  { href: "/plants", label: "Plants", action: "plant.read" },
  { href: "/processes", label: "Processes", action: "finding.read" },
  { href: "/exceptions", label: "Exceptions", action: "exception.read" },
  { href: "/findings", label: "Findings", action: "finding.read" },
  { href: "/alerts", label: "Alerts", action: "alert.read" },
  { href: "/approvals", label: "Approvals", action: "correction.approve" },
  { href: "/transactions", label: "Transactions", action: "transaction.read" },
  { href: "/audit", label: "Audit trail", action: "audit.read" },
  { href: "/admin", label: "Admin", action: "admin.open" },
];

export function navFor(user: Principal): { href: string; label: string }[] {
  return NAV.filter((item) => can(user, item.action)).map(({ href, label }) => ({ href, label }));
}

/**
 * Where each role lands after sign-in (and from the logo): the page that answers its first question of
 * the day. A plant manager: how are my plants doing (the dashboard); support: what is failing (the
 * exception queue); an approver: what waits for my decision; an auditor: what happened to a message (the
 * transactions, searchable by business key); an administrator: is everything running (the dashboard).
 */
const LANDING: Record<string, string> = {
  VIEWER: "/dashboard",
  OPERATOR: "/exceptions",
  APPROVER: "/approvals",
  AUDITOR: "/transactions",
  ADMIN: "/dashboard",
};

/** The role's landing page if the policy lets the user open it, else their first navigation entry. */
export function landingFor(user: Principal): string {
  const nav = navFor(user);
  const wanted = LANDING[user.role];
  return nav.find((n) => n.href === wanted)?.href ?? nav[0]?.href ?? "/plants";
}
