"use client";
import { Input } from "@/components/ui/input";
import { DURATION_UNITS, type DurationUnit } from "@/server/alerts/rule-kinds";

/** A duration typed as a number and a unit ("15" "minutes"), never as a bare count of seconds. */
export type DurationDraft = { value: string; unit: DurationUnit };

export function DurationInput({
  label,
  draft,
  onChange,
  units = ["d", "h", "min", "s"],
  className,
}: {
  label: string;
  draft: DurationDraft;
  onChange: (next: DurationDraft) => void;
  units?: readonly DurationUnit[];
  className?: string;
}) {
  return (
    <span className="inline-flex items-center gap-1">
      <Input aria-label={label} inputMode="decimal" value={draft.value} onChange={(e) => onChange({ ...draft, value: e.target.value })} className={className} />
      <select
        aria-label={`Unit of ${label.charAt(0).toLowerCase()}${label.slice(1)}`}
        className="h-7 rounded-md border border-border bg-surface px-1 text-xs"
        value={draft.unit}
        onChange={(e) => onChange({ ...draft, unit: e.target.value as DurationUnit })}
      >
        {DURATION_UNITS.filter((u) => units.includes(u.unit)).map((u) => (
          <option key={u.unit} value={u.unit}>
            {u.label}
          </option>
        ))}
      </select>
    </span>
  );
}
