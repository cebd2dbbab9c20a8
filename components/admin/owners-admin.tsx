"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/api";
import { CRITICALITY_LABELS, labelOf } from "@/lib/labels";
import { ROLE_LABELS } from "@/lib/rules";
import type { Candidate } from "@/server/owners/candidates";
import type { OwnersView } from "@/server/owners/owners-view";
import { failure, OutcomeLine, selectClass, useOutcome } from "./flow-common";

/**
 * Who answers for the plant's flows: the plant lead and plant manager (rungs two and three of the
 * escalation ladder) and, per flow, the technical owner (first rung; new findings and exceptions land in
 * their queue) and the business owner (last rung). Only users who can see the plant and fit the role are
 * offered; each save is conditional on what was read (409 when another admin changed it).
 */
function UserSelect({ label, value, users, onChange }: { label: string; value: string | null; users: Candidate[]; onChange: (v: string | null) => void }) {
  return (
    <select aria-label={label} className={selectClass} value={value ?? ""} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">(nobody)</option>
      {users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name} · {labelOf(ROLE_LABELS, u.role)}
        </option>
      ))}
    </select>
  );
}

export function OwnersAdmin({ initial }: { initial: OwnersView }) {
  const code = initial.plant.code;
  const key = ["admin", "owners", code];
  const qc = useQueryClient();
  const [outcome, report] = useOutcome();
  const owners = useQuery({ queryKey: key, queryFn: () => apiFetch<OwnersView>(`/api/admin/owners/${code}`), initialData: initial });
  const v = owners.data;
  const name = (id: string | null) =>
    id
      ? (Object.values(v.candidates)
          .flat()
          .find((u) => u.id === id)?.name ?? "someone")
      : "nobody";
  const [roles, setRoles] = useState({ leadUserId: v.leadUserId, managerUserId: v.managerUserId });
  const saveRoles = useMutation({
    mutationFn: () =>
      apiFetch(`/api/admin/owners/${code}`, {
        method: "PUT",
        body: JSON.stringify({ ...roles, expected: { leadUserId: v.leadUserId, managerUserId: v.managerUserId } }),
      }),
    onSuccess: () => report(true, `Saved ${code}: lead ${name(roles.leadUserId)}, manager ${name(roles.managerUserId)}.`),
    onError: (err) => report(false, failure(err, "Saving the plant lead and manager")),
    onSettled: () => qc.invalidateQueries({ queryKey: key }),
  });
  const saveOwners = useMutation({
    mutationFn: (b: {
      iface: string;
      technicalOwnerId: string | null;
      businessOwnerId: string | null;
      expected: { technicalOwnerId: string | null; businessOwnerId: string | null };
    }) =>
      apiFetch(`/api/admin/owners/${code}/${b.iface}`, {
        method: "PUT",
        body: JSON.stringify({ technicalOwnerId: b.technicalOwnerId, businessOwnerId: b.businessOwnerId, expected: b.expected }),
      }),
    onSuccess: (_r, b) => report(true, `Saved owners of ${b.iface} at ${code}: technical ${name(b.technicalOwnerId)}, business ${name(b.businessOwnerId)}.`),
    onError: (err, b) => report(false, failure(err, `Saving the owners of ${b.iface}`)),
    onSettled: () => qc.invalidateQueries({ queryKey: key }),
  });
  return (
    <section aria-labelledby="owners-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="owners-h" className="text-base font-semibold">
        Owners
      </h2>
      <p className="text-xs text-muted-foreground">
        Technical owners (operators, approvers, administrators) get new findings and exceptions; escalation climbs to the plant lead (operator or approver), the
        plant manager (viewer) and the business owner.
      </p>
      <OutcomeLine outcome={outcome} testId="owners-outcome" />
      <form
        aria-label={`Plant lead and manager of ${code}`}
        className="flex flex-wrap items-end gap-2 text-xs"
        onSubmit={(e) => {
          e.preventDefault();
          saveRoles.mutate();
        }}
      >
        <div className="grid gap-1">
          <span aria-hidden="true">Plant lead</span>
          <UserSelect label="Plant lead" value={roles.leadUserId} users={v.candidates.lead} onChange={(leadUserId) => setRoles({ ...roles, leadUserId })} />
        </div>
        <div className="grid gap-1">
          <span aria-hidden="true">Plant manager</span>
          <UserSelect
            label="Plant manager"
            value={roles.managerUserId}
            users={v.candidates.manager}
            onChange={(managerUserId) => setRoles({ ...roles, managerUserId })}
          />
        </div>
        <Button type="submit" size="sm" disabled={saveRoles.isPending}>
          Save
        </Button>
      </form>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
      <section aria-label="Owners per flow" tabIndex={0} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Owners per flow at {code}</caption>
          <thead className="text-muted-foreground">
            <tr>
              {["Flow", "Criticality", "Technical owner", "Business owner", "Actions"].map((h) => (
                <th key={h} scope="col" className="py-1 pr-3 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {v.interfaces.map((i) => (
              <OwnerRow
                key={`${i.interfaceCode}:${i.technicalOwnerId}:${i.businessOwnerId}`}
                row={i}
                candidates={v.candidates}
                busy={saveOwners.isPending}
                onSave={(t, b) =>
                  saveOwners.mutate({
                    iface: i.interfaceCode,
                    technicalOwnerId: t,
                    businessOwnerId: b,
                    expected: { technicalOwnerId: i.technicalOwnerId, businessOwnerId: i.businessOwnerId },
                  })
                }
              />
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

function OwnerRow({
  row,
  candidates,
  busy,
  onSave,
}: {
  row: OwnersView["interfaces"][number];
  candidates: OwnersView["candidates"];
  busy: boolean;
  onSave: (technical: string | null, business: string | null) => void;
}) {
  const [t, setT] = useState(row.technicalOwnerId);
  const [b, setB] = useState(row.businessOwnerId);
  return (
    <tr className="border-t border-border" data-owners={row.interfaceCode}>
      <th scope="row" className="py-1.5 pr-3 text-left font-normal">
        <span className="font-mono">{row.interfaceCode}</span>
        <span className="block text-muted-foreground">{row.name}</span>
      </th>
      <td className="py-1.5 pr-3">{labelOf(CRITICALITY_LABELS, row.criticality)}</td>
      <td className="py-1.5 pr-3">
        <UserSelect label={`Technical owner of ${row.interfaceCode}`} value={t} users={candidates.technicalOwner} onChange={setT} />
      </td>
      <td className="py-1.5 pr-3">
        <UserSelect label={`Business owner of ${row.interfaceCode}`} value={b} users={candidates.businessOwner} onChange={setB} />
      </td>
      <td className="py-1.5 pr-3">
        <Button size="sm" disabled={busy} aria-label={`Save owners of ${row.interfaceCode}`} onClick={() => onSave(t, b)}>
          Save
        </Button>
      </td>
    </tr>
  );
}
