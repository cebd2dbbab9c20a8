"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { CALENDAR_ENTRY_KIND_LABELS } from "@/lib/labels";
import type { CalendarAdminView, ShiftView } from "@/server/calendar/calendar-view";
import { failure, OutcomeLine, useOutcome, WEEKDAY_NAMES, WEEKDAYS } from "./flow-common";

/**
 * A plant's shift calendar: the week's shifts (local times of the plant's zone, named), a shift form
 * (new or edit; overlaps are refused by the server with the clashing shift named), and the upcoming
 * holidays and planned downtime with forms to add them. Every change is audited.
 */
type Draft = { id: string | null; name: string; weekdays: number[]; start: string; end: string; expectedUpdatedAt: string | null };
const EMPTY: Draft = { id: null, name: "", weekdays: [1, 2, 3, 4, 5], start: "06:00", end: "14:00", expectedUpdatedAt: null };

export function CalendarAdmin({ initial }: { initial: CalendarAdminView }) {
  const code = initial.plant.code;
  const zone = initial.plant.timezone;
  const key = ["admin", "calendar", code];
  const qc = useQueryClient();
  const [outcome, report] = useOutcome();
  const calendar = useQuery({ queryKey: key, queryFn: () => apiFetch<CalendarAdminView>(`/api/admin/calendar/${code}`), initialData: initial });
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [holiday, setHoliday] = useState({ date: "", reason: "" });
  const [downtime, setDowntime] = useState({ start: "", end: "", reason: "" });
  const refresh = () => qc.invalidateQueries({ queryKey: key });

  const saveShift = useMutation({
    mutationFn: (d: Draft) => {
      const body = JSON.stringify({
        name: d.name,
        weekdays: d.weekdays,
        start: d.start,
        end: d.end,
        ...(d.id ? { expectedUpdatedAt: d.expectedUpdatedAt } : {}),
      });
      return d.id
        ? apiFetch<ShiftView>(`/api/admin/calendar/${code}/shifts/${d.id}`, { method: "PUT", body })
        : apiFetch<ShiftView>(`/api/admin/calendar/${code}/shifts`, { method: "POST", body });
    },
    onSuccess: (s) => {
      report(true, `Saved shift ${s.name}: ${s.weekdays.map((d) => WEEKDAYS[d - 1]).join(", ")} ${s.start}–${s.end} (${zone}).`);
      setDraft(EMPTY);
    },
    onError: (err) => report(false, failure(err, "Saving the shift")),
    onSettled: refresh,
  });
  const deleteShift = useMutation({
    mutationFn: (s: ShiftView) =>
      apiFetch(`/api/admin/calendar/${code}/shifts/${s.id}`, { method: "DELETE", body: JSON.stringify({ expectedUpdatedAt: s.updatedAt }) }).then(() => s),
    onSuccess: (s) => report(true, `Removed shift ${s.name}.`),
    onError: (err) => report(false, failure(err, "Removing the shift")),
    onSettled: refresh,
  });
  const addEntry = useMutation({
    mutationFn: (body: Record<string, string>) => apiFetch(`/api/admin/calendar/${code}/entries`, { method: "POST", body: JSON.stringify(body) }),
    onSuccess: (_r, body) => {
      report(true, body.kind === "HOLIDAY" ? `Added holiday ${body.date} (${body.reason}) at ${code}.` : `Added planned downtime (${body.reason}) at ${code}.`);
      if (body.kind === "HOLIDAY") setHoliday({ date: "", reason: "" });
      else setDowntime({ start: "", end: "", reason: "" });
    },
    onError: (err) => report(false, failure(err, "Adding to the calendar")),
    onSettled: refresh,
  });
  const removeEntry = useMutation({
    mutationFn: (e: { id: string; reason: string }) => apiFetch(`/api/admin/calendar/${code}/entries/${e.id}`, { method: "DELETE" }).then(() => e),
    onSuccess: (e) => report(true, `Removed ${e.reason} from the calendar.`),
    onError: (err) => report(false, failure(err, "Removing from the calendar")),
    onSettled: refresh,
  });

  const { shifts, entries } = calendar.data;
  const submitShift = (e: FormEvent) => {
    e.preventDefault();
    saveShift.mutate(draft);
  };
  return (
    <section aria-labelledby="calendar-h" className="space-y-3 rounded-lg border border-border bg-surface p-4">
      <h2 id="calendar-h" className="text-base font-semibold">
        Shift calendar
      </h2>
      <p className="text-xs text-muted-foreground">
        Local times of {code} ({zone}). Expected traffic is checked in shift time only (unless a flow says otherwise); holidays and planned downtime take their
        span out. A shift ending at or before its start runs past midnight; shifts may not overlap.
      </p>
      <OutcomeLine outcome={outcome} testId="calendar-outcome" />
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
      <section aria-label="Shifts of the week" tabIndex={0} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">
            Shifts of the week at {code}, local times ({zone})
          </caption>
          <thead className="text-muted-foreground">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Shift
              </th>
              {WEEKDAYS.map((d, i) => (
                <th key={d} scope="col" className="py-1 pr-3 font-medium">
                  <abbr title={WEEKDAY_NAMES[i]}>{d}</abbr>
                </th>
              ))}
              <th scope="col" className="py-1 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shifts.length === 0 ? (
              <tr>
                <td colSpan={9} className="py-2 text-muted-foreground">
                  No shifts: every hour counts as production time until shifts are set.
                </td>
              </tr>
            ) : null}
            {shifts.map((s) => (
              <tr key={s.id} className="border-t border-border" data-shift={s.name}>
                <th scope="row" className="py-1.5 pr-3 text-left font-medium">
                  {s.name}
                </th>
                {WEEKDAYS.map((d, i) => (
                  <td key={d} className="py-1.5 pr-3 whitespace-nowrap">
                    {s.weekdays.includes(i + 1) ? `${s.start}–${s.end}` : <span className="text-muted-foreground">—</span>}
                  </td>
                ))}
                <td className="py-1.5 whitespace-nowrap">
                  <Button
                    size="sm"
                    variant="secondary"
                    aria-label={`Edit shift ${s.name}`}
                    onClick={() => setDraft({ id: s.id, name: s.name, weekdays: s.weekdays, start: s.start, end: s.end, expectedUpdatedAt: s.updatedAt })}
                  >
                    Edit
                  </Button>{" "}
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={`Remove shift ${s.name}`}
                    disabled={deleteShift.isPending}
                    onClick={() => deleteShift.mutate(s)}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <form onSubmit={submitShift} aria-label={draft.id ? `Edit shift ${draft.name}` : "New shift"} className="flex flex-wrap items-end gap-3 text-xs">
        <label className="grid gap-1">
          Shift name
          <Input required maxLength={40} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} className="h-8 w-32" />
        </label>
        <fieldset className="flex flex-wrap items-center gap-2">
          <legend className="mb-1">Weekdays</legend>
          {WEEKDAYS.map((d, i) => (
            <label key={d} className="flex items-center gap-1">
              <input
                type="checkbox"
                checked={draft.weekdays.includes(i + 1)}
                onChange={(e) =>
                  setDraft({
                    ...draft,
                    weekdays: e.target.checked ? [...draft.weekdays, i + 1].sort((x, y) => x - y) : draft.weekdays.filter((w) => w !== i + 1),
                  })
                }
              />
              <abbr title={WEEKDAY_NAMES[i]}>{d}</abbr>
            </label>
          ))}
        </fieldset>
        <label className="grid gap-1">
          Starts (local)
          <Input type="time" required value={draft.start} onChange={(e) => setDraft({ ...draft, start: e.target.value })} className="h-8 w-28" />
        </label>
        <label className="grid gap-1">
          Ends (local)
          <Input type="time" required value={draft.end} onChange={(e) => setDraft({ ...draft, end: e.target.value })} className="h-8 w-28" />
        </label>
        <Button type="submit" size="sm" disabled={saveShift.isPending}>
          {draft.id ? "Save shift" : "Add shift"}
        </Button>
        {draft.id ? (
          <Button type="button" size="sm" variant="ghost" onClick={() => setDraft(EMPTY)}>
            Cancel
          </Button>
        ) : null}
      </form>

      <h3 className="text-sm font-semibold">This week at {code}</h3>
      {calendar.data.week.length === 0 ? (
        <p className="text-xs text-muted-foreground">No shifts this week.</p>
      ) : (
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs" aria-label={`Shifts this week at ${code}`}>
          {calendar.data.week.map((o) => (
            <li key={o.start} className={o.off ? "text-muted-foreground line-through" : undefined}>
              {o.name} <Time iso={o.start} plantZone={zone} /> – <Time iso={o.end} plantZone={zone} style="time" />
              {o.off ? <span className="sr-only"> (off: holiday or planned downtime)</span> : null}
            </li>
          ))}
        </ul>
      )}
      <h3 className="text-sm font-semibold">Upcoming holidays and planned downtime</h3>
      {entries.length === 0 ? (
        <p className="text-xs text-muted-foreground">None planned.</p>
      ) : (
        <ul className="space-y-1 text-xs" aria-label="Upcoming holidays and planned downtime">
          {entries.map((e) => (
            <li key={e.id} className="flex flex-wrap items-center gap-2" data-entry={e.reason}>
              <span className="font-medium">{CALENDAR_ENTRY_KIND_LABELS[e.kind]}</span>
              <span>
                <Time iso={e.startsAt} plantZone={zone} /> – <Time iso={e.endsAt} plantZone={zone} />
              </span>
              <span>{e.reason}</span>
              <Button
                size="sm"
                variant="ghost"
                aria-label={`Remove ${CALENDAR_ENTRY_KIND_LABELS[e.kind].toLowerCase()} ${e.reason}`}
                disabled={removeEntry.isPending}
                onClick={() => removeEntry.mutate(e)}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <div className="flex flex-wrap gap-6">
        <form
          aria-label="New holiday"
          className="flex flex-wrap items-end gap-2 text-xs"
          onSubmit={(e) => {
            e.preventDefault();
            addEntry.mutate({ kind: "HOLIDAY", ...holiday });
          }}
        >
          <label className="grid gap-1">
            Holiday date ({zone})
            <Input type="date" required value={holiday.date} onChange={(e) => setHoliday({ ...holiday, date: e.target.value })} className="h-8 w-40" />
          </label>
          <label className="grid gap-1">
            Holiday name
            <Input
              required
              minLength={2}
              maxLength={200}
              value={holiday.reason}
              onChange={(e) => setHoliday({ ...holiday, reason: e.target.value })}
              className="h-8 w-48"
            />
          </label>
          <Button type="submit" size="sm" disabled={addEntry.isPending}>
            Add holiday
          </Button>
        </form>
        <form
          aria-label="New planned downtime"
          className="flex flex-wrap items-end gap-2 text-xs"
          onSubmit={(e) => {
            e.preventDefault();
            addEntry.mutate({ kind: "DOWNTIME", ...downtime });
          }}
        >
          <label className="grid gap-1">
            Downtime from ({zone})
            <Input
              type="datetime-local"
              required
              value={downtime.start}
              onChange={(e) => setDowntime({ ...downtime, start: e.target.value })}
              className="h-8 w-52"
            />
          </label>
          <label className="grid gap-1">
            until
            <Input
              type="datetime-local"
              required
              value={downtime.end}
              onChange={(e) => setDowntime({ ...downtime, end: e.target.value })}
              className="h-8 w-52"
            />
          </label>
          <label className="grid gap-1">
            Reason
            <Input
              required
              minLength={2}
              maxLength={200}
              value={downtime.reason}
              onChange={(e) => setDowntime({ ...downtime, reason: e.target.value })}
              className="h-8 w-48"
            />
          </label>
          <Button type="submit" size="sm" disabled={addEntry.isPending}>
            Add downtime
          </Button>
        </form>
      </div>
    </section>
  );
}
