"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useAnnounce } from "@/components/ui/announcer";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";
import { humanize } from "@/lib/labels";
import type { DependencyView } from "@/server/dependencies/catalog";
import type { listDependencies } from "@/server/dependencies/list-dependencies";

/**
 * Dependencies between interfaces (administrators): "a message of the dependent waits while the
 * prerequisite's message about the same business object has an open exception". Add, switch off,
 * remove (each audited on the server; a dependency that would close a cycle is refused), and whether a
 * dependent interface's released exceptions are replayed by Andon.
 */
type Catalog = Awaited<ReturnType<typeof listDependencies>>;
const KEY = ["admin", "dependencies"] as const;
const select = "h-8 rounded-md border border-border bg-surface px-2 text-xs";

export function DependenciesAdmin() {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const [outcome, setOutcome] = useState<string | null>(null);
  const catalog = useQuery({ queryKey: KEY, queryFn: () => apiFetch<Catalog>("/api/admin/dependencies") });
  const change = useMutation({
    mutationFn: ({ url, method, body }: { url: string; method: string; body?: unknown; done: string }) =>
      apiFetch<unknown>(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
    onSuccess: (_r, { done }) => {
      setOutcome(done);
      announce(done);
      return qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) => announce(`Not done: ${err.message}`, "assertive"),
  });
  const [form, setForm] = useState({ prerequisite: "", dependent: "", refKind: "LOT", description: "" });
  const add = (e: FormEvent) => {
    e.preventDefault();
    change.mutate(
      {
        url: "/api/admin/dependencies",
        method: "POST",
        body: form,
        done: `Added: ${form.dependent} waits for ${form.prerequisite} on the same ${humanize(form.refKind).toLowerCase()}.`,
      },
      { onSuccess: () => setForm({ ...form, description: "" }) },
    );
  };
  const data = catalog.data;
  const dependents = data ? [...new Map(data.dependencies.map((d) => [d.dependent.code, d.dependent])).values()] : [];
  return (
    <section aria-labelledby="dependencies-h" className="space-y-2 rounded-lg border border-border bg-surface p-4" data-testid="dependencies-admin">
      <h2 id="dependencies-h" className="text-base font-semibold">
        Dependencies
      </h2>
      <p className="text-xs text-muted-foreground">
        A dependent interface&apos;s message waits while a prerequisite&apos;s message about the same business object (lot, order, PO…) at the same plant has an
        open exception: it is shown as blocked, its replay is refused (an approver may override with a reason), and it is released when the prerequisite is
        delivered. Dependencies cannot form a cycle.
      </p>
      {change.error ? (
        <p role="alert" className="text-sm text-danger">
          {change.error instanceof ApiError ? change.error.message : "The change failed"}
        </p>
      ) : null}
      {outcome ? (
        <p className="text-xs" data-testid="dependencies-outcome">
          {outcome}
        </p>
      ) : null}
      {catalog.isError ? (
        <p role="alert" className="text-sm text-danger">
          The dependencies could not be loaded: {catalog.error.message}
        </p>
      ) : null}
      {data ? (
        <>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
          <section aria-label="Dependencies" tabIndex={0} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
            <table className="w-full text-left text-xs">
              <caption className="sr-only">Dependencies between interfaces</caption>
              <thead className="text-muted-foreground">
                <tr>
                  {["Prerequisite", "Dependent", "Same", "Why", "In force", ""].map((h, i) => (
                    <th key={h || i} scope="col" className="py-1 pr-3 font-medium">
                      {h || <span className="sr-only">Actions</span>}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.dependencies.map((d: DependencyView) => (
                  <tr key={d.id} className="border-t border-border">
                    <td className="py-1 pr-3 font-mono">{d.prerequisite.code}</td>
                    <td className="py-1 pr-3 font-mono">{d.dependent.code}</td>
                    <td className="py-1 pr-3">{humanize(d.refKind)}</td>
                    <td className="py-1 pr-3">{d.description}</td>
                    <td className="py-1 pr-3">
                      <label className="inline-flex items-center gap-1">
                        <input
                          type="checkbox"
                          checked={d.enabled}
                          disabled={change.isPending}
                          onChange={(e) =>
                            change.mutate({
                              url: `/api/admin/dependencies/${d.id}`,
                              method: "PATCH",
                              body: { enabled: e.target.checked },
                              done: `${d.prerequisite.code} → ${d.dependent.code} ${e.target.checked ? "in force" : "switched off"}.`,
                            })
                          }
                        />
                        <span className="sr-only">
                          {d.prerequisite.code} → {d.dependent.code} in force
                        </span>
                      </label>
                    </td>
                    <td className="py-1 pr-3">
                      <Button
                        variant="secondary"
                        disabled={change.isPending}
                        aria-label={`Remove ${d.prerequisite.code} → ${d.dependent.code} (${humanize(d.refKind)})`}
                        onClick={() =>
                          change.mutate({
                            url: `/api/admin/dependencies/${d.id}`,
                            method: "DELETE",
                            done: `Removed ${d.prerequisite.code} → ${d.dependent.code}.`,
                          })
                        }
                      >
                        Remove
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <form onSubmit={add} className="flex flex-wrap items-end gap-2" aria-label="Add a dependency">
            <InterfaceSelect
              id="dep-prerequisite"
              label="Prerequisite"
              codes={data.interfaces.map((i) => i.code)}
              value={form.prerequisite}
              onChange={(prerequisite) => setForm({ ...form, prerequisite })}
            />
            <InterfaceSelect
              id="dep-dependent"
              label="Dependent"
              codes={data.interfaces.map((i) => i.code)}
              value={form.dependent}
              onChange={(dependent) => setForm({ ...form, dependent })}
            />
            <div className="space-y-1">
              <Label htmlFor="dep-kind">Same business object</Label>
              <select id="dep-kind" className={select} value={form.refKind} onChange={(e) => setForm({ ...form, refKind: e.target.value })}>
                {data.refKinds.map((k) => (
                  <option key={k} value={k}>
                    {humanize(k)}
                  </option>
                ))}
              </select>
            </div>
            <div className="min-w-64 flex-1 space-y-1">
              <Label htmlFor="dep-description">Why</Label>
              <Input
                id="dep-description"
                required
                minLength={3}
                maxLength={500}
                value={form.description}
                onChange={(e) => setForm({ ...form, description: e.target.value })}
              />
            </div>
            <Button type="submit" disabled={change.isPending}>
              Add dependency
            </Button>
          </form>
          <fieldset className="space-y-1">
            <legend className="text-xs font-medium">Replay released exceptions automatically</legend>
            <p className="text-xs text-muted-foreground">
              When its prerequisites are delivered, Andon replays the dependent in dependency order, then first-seen time. An interface that requires approval
              still auto-replays only a correction a second person approved; anything else waits for a person.
            </p>
            <div className="flex flex-wrap gap-4">
              {dependents.map((i) => (
                <label key={i.code} className="inline-flex items-center gap-1 text-xs">
                  <input
                    type="checkbox"
                    checked={i.autoReplayOnRelease}
                    disabled={change.isPending}
                    onChange={(e) =>
                      change.mutate({
                        url: `/api/admin/dependencies/auto-replay/${i.code}`,
                        method: "PUT",
                        body: { autoReplayOnRelease: e.target.checked },
                        done: `${i.code}: released exceptions ${e.target.checked ? "are replayed by Andon" : "wait for a person"}.`,
                      })
                    }
                  />
                  <span className="font-mono">{i.code}</span>
                  {i.requiresApproval ? <span className="text-muted-foreground">(requires approval)</span> : null}
                </label>
              ))}
            </div>
          </fieldset>
        </>
      ) : catalog.isPending ? (
        <p className="text-xs text-muted-foreground">Loading…</p>
      ) : null}
    </section>
  );
}

/** One interface of the catalog, chosen by its code (required). */
function InterfaceSelect({
  id,
  label,
  codes,
  value,
  onChange,
}: {
  id: string;
  label: string;
  codes: string[];
  value: string;
  onChange: (code: string) => void;
}) {
  return (
    <div className="space-y-1">
      <Label htmlFor={id}>{label}</Label>
      <select id={id} required className={select} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {codes.map((code) => (
          <option key={code} value={code}>
            {code}
          </option>
        ))}
      </select>
    </div>
  );
}
