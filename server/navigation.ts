import { type Action, type Principal, can } from "./policy";

/** Main navigation: an entry shows only to users the policy lets perform its action. */
const NAV: { href: string; label: string; action: Action }[] = [
  { href: "/dashboard", label: "Dashboard", action: "dashboard.read" },
  { href: "/plants", label: "Plants", action: "plant.read" },
  { href: "/exceptions", label: "Exceptions", action: "exception.read" },
  { href: "/alerts", label: "Alerts", action: "alert.read" },
  { href: "/approvals", label: "Approvals", action: "correction.approve" },
  { href: "/transactions", label: "Transactions", action: "transaction.read" },
  { href: "/audit", label: "Audit trail", action: "audit.read" },
  { href: "/admin", label: "Admin", action: "admin.open" },
];

export function navFor(user: Principal): { href: string; label: string }[] {
  return NAV.filter((item) => can(user, item.action)).map(({ href, label }) => ({ href, label }));
}
