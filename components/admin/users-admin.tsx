"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useAnnounce } from "@/components/ui/announcer";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";
import { ROLE_LABELS, roleSeesAllPlants } from "@/lib/rules";
import type { UserView } from "@/server/admin/users";

/** Users: role, plant scope and state per user (changes audited on the server); new users with an initial password. */
const ROLES = Object.entries(ROLE_LABELS) as [keyof typeof ROLE_LABELS, string][];
const KEY = ["admin", "users"] as const;
const select = "h-8 rounded-md border border-border bg-surface px-2 text-xs";

export function UsersAdmin({ initial, plants, me }: { initial: UserView[]; plants: string[]; me: string }) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const [outcome, setOutcome] = useState<string | null>(null);
  const users = useQuery({ queryKey: KEY, queryFn: async () => (await apiFetch<{ users: UserView[] }>("/api/admin/users")).users, initialData: initial });
  const save = useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: Partial<Omit<UserView, "role">> & { role?: string; password?: string } }) =>
      apiFetch<UserView>(id ? `/api/admin/users/${id}` : "/api/admin/users", { method: id ? "PATCH" : "POST", body: JSON.stringify(body) }),
    // Optimistic for a change to a listed user (a ticked plant shows at once); a refusal puts the server's values back.
    onMutate: async ({ id, body }) => {
      if (!id) return { before: undefined };
      await qc.cancelQueries({ queryKey: KEY });
      const before = qc.getQueryData<UserView[]>(KEY);
      qc.setQueryData<UserView[]>(KEY, (list) => list?.map((u) => (u.id === id ? ({ ...u, ...body } as UserView) : u)));
      return { before };
    },
    onError: (_err, _vars, ctx) => {
      if (ctx?.before) qc.setQueryData(KEY, ctx.before);
    },
    onSuccess: (u, { id }) => {
      const message = `${id ? "Saved" : "Added"} ${u.name} (${u.email}): ${ROLE_LABELS[u.role]}, ${
        roleSeesAllPlants(u.role) ? "all plants" : u.plants.join(", ") || "no plants"
      }, ${u.active ? "active" : "deactivated"}.`;
      setOutcome(message);
      announce(message);
      return qc.invalidateQueries({ queryKey: KEY });
    },
  });
  const empty = { email: "", name: "", role: "OPERATOR", plants: [] as string[], password: "" };
  const [form, setForm] = useState(empty);
  const create = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      {
        id: null,
        body: {
          email: form.email,
          name: form.name,
          role: form.role,
          plants: roleSeesAllPlants(form.role) ? [] : form.plants,
          password: form.password,
        },
      },
      { onSuccess: () => setForm(empty) },
    );
  };
  return (
    <section aria-labelledby="users-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="users-h" className="text-base font-semibold">
        Users
      </h2>
      <p className="text-xs text-muted-foreground">
        Users are never deleted (they are the actors of the audit trail): deactivate them. Auditors and administrators see every plant; other roles only the
        plants listed.
      </p>
      {save.error ? (
        <p role="alert" className="text-sm text-danger">
          {save.error instanceof ApiError ? save.error.message : "The change failed"}
        </p>
      ) : null}
      {outcome ? (
        <p className="text-xs" data-testid="users-outcome">
          {outcome}
        </p>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
      <section aria-label="Users" tabIndex={0} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Users</caption>
          <thead className="text-muted-foreground">
            <tr>
              {["User", "Role", "Plants", "State"].map((h) => (
                <th key={h} scope="col" className="py-1 pr-3 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id} className="border-t border-border" data-user={u.email}>
                <th scope="row" className="py-1.5 pr-3 text-left font-normal">
                  {u.name} <span className="text-muted-foreground">{u.email}</span>
                </th>
                <td className="py-1.5 pr-3">
                  <select
                    aria-label={`Role of ${u.email}`}
                    className={select}
                    value={u.role}
                    disabled={save.isPending || u.id === me}
                    onChange={(e) => save.mutate({ id: u.id, body: { role: e.target.value } })}
                  >
                    {ROLES.map(([r, label]) => (
                      <option key={r} value={r}>
                        {label}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="py-1.5 pr-3">
                  {roleSeesAllPlants(u.role) ? (
                    <span className="text-muted-foreground">all plants</span>
                  ) : (
                    <PlantChecks
                      legend={`Plants of ${u.email}`}
                      plants={plants}
                      checked={u.plants}
                      disabled={save.isPending}
                      onChange={(next) => save.mutate({ id: u.id, body: { plants: next } })}
                    />
                  )}
                </td>
                <td className="py-1.5 pr-3">
                  {u.active ? "active" : "deactivated"}{" "}
                  {u.id !== me ? (
                    <Button size="sm" variant="secondary" disabled={save.isPending} onClick={() => save.mutate({ id: u.id, body: { active: !u.active } })}>
                      {u.active ? "Deactivate" : "Reactivate"}
                    </Button>
                  ) : (
                    <span className="text-muted-foreground">(you)</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <form onSubmit={create} aria-label="New user" className="flex flex-wrap items-end gap-2 text-xs">
        <label className="grid gap-1">
          E-mail
          <Input type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} className="h-8 w-56" />
        </label>
        <label className="grid gap-1">
          Name
          <Input required minLength={2} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} className="h-8 w-40" />
        </label>
        <label className="grid gap-1">
          Role
          <select className={select} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
            {ROLES.map(([r, label]) => (
              <option key={r} value={r}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {roleSeesAllPlants(form.role) ? null : (
          <div className="grid gap-1">
            <PlantChecks legend="Plants" showLegend plants={plants} checked={form.plants} onChange={(next) => setForm({ ...form, plants: next })} />
          </div>
        )}
        <label className="grid gap-1">
          Initial password
          <Input
            type="password"
            required
            minLength={12}
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            className="h-8 w-40"
            autoComplete="new-password"
          />
        </label>
        <Button type="submit" size="sm" disabled={save.isPending}>
          Add user
        </Button>
      </form>
    </section>
  );
}

/** A user's plant scope: one box per plant (codes typed by hand were a way to scope someone to a plant that does not exist). */
function PlantChecks({
  legend,
  showLegend = false,
  plants,
  checked,
  disabled,
  onChange,
}: {
  legend: string;
  /** Shown above the boxes (a form's field); otherwise read only by screen readers (a table cell under its header). */
  showLegend?: boolean;
  plants: string[];
  checked: string[];
  disabled?: boolean;
  onChange: (next: string[]) => void;
}) {
  const on = new Set(checked);
  return (
    <fieldset className="flex max-w-md flex-wrap gap-x-2 gap-y-0.5">
      <legend className={showLegend ? "mb-1" : "sr-only"}>{legend}</legend>
      {plants.map((code) => (
        <label key={code} className="flex items-center gap-1 whitespace-nowrap">
          <input
            type="checkbox"
            checked={on.has(code)}
            disabled={disabled}
            onChange={(e) => onChange(plants.filter((p) => (p === code ? e.target.checked : on.has(p))))}
          />
          {code}
        </label>
      ))}
    </fieldset>
  );
}
