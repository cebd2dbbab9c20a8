import type { KeyField } from "@/server/corrections/key-fields";

/**
 * The payload's key business fields (material, plant, batch, quantity…) as a small table: one value
 * column for one payload, or original → proposed with the changed rows marked, beside a diff.
 */
export function KeyFieldsTable({
  fields,
  caption,
  compare = false,
  labels = ["Original", "Proposed"],
  testId = "key-fields",
}: {
  fields: KeyField[];
  caption: string;
  compare?: boolean;
  labels?: [string, string];
  testId?: string;
}) {
  if (fields.length === 0) return null;
  return (
    <table className="w-full text-left text-xs" data-testid={testId}>
      <caption className="mb-1 text-left text-xs font-semibold uppercase tracking-wide text-muted-foreground">{caption}</caption>
      <thead className="sr-only">
        <tr>
          <th scope="col">Field</th>
          {compare ? (
            <>
              <th scope="col">{labels[0]}</th>
              <th scope="col">{labels[1]}</th>
            </>
          ) : (
            <th scope="col">Value</th>
          )}
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f.path} className="border-t border-border" data-changed={f.changed ? "true" : undefined}>
            <th scope="row" className="py-1 pr-3 font-medium whitespace-nowrap">
              {f.label}
            </th>
            {compare ? (
              f.changed ? (
                <>
                  <td className="py-1 pr-3 font-mono text-critical-fg line-through">{f.before ?? "—"}</td>
                  <td className="py-1 font-mono font-semibold">
                    {f.after ?? "—"} <span className="font-sans font-normal text-muted-foreground">(changed)</span>
                  </td>
                </>
              ) : (
                <td colSpan={2} className="py-1 font-mono">
                  {f.after ?? "—"}
                </td>
              )
            ) : (
              <td className="py-1 font-mono">{f.after ?? "—"}</td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
