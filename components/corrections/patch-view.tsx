import jsonpatch from "fast-json-patch";
import { withKeys } from "@/lib/utils";

type Op = { op: string; path: string; value?: unknown };

function valueAt(doc: unknown, path: string): unknown {
  try {
    return jsonpatch.getValueByPointer(doc, path);
  } catch {
    return undefined;
  }
}

const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));

/** An RFC 6902 patch as a readable diff: path, old value, new value (payload corrections, schema versions). */
export function PatchView({
  patch,
  original,
  caption,
  labels = ["Original", "Corrected"],
  empty = "No change to the original payload.",
}: {
  patch: Op[];
  original: unknown;
  caption: string;
  labels?: [string, string];
  empty?: string;
}) {
  if (patch.length === 0) return <p className="text-xs text-muted-foreground">{empty}</p>;
  return (
    <table className="w-full text-left text-xs" data-testid="patch">
      <caption className="sr-only">{caption}</caption>
      <thead className="text-muted-foreground">
        <tr>
          <th scope="col" className="py-1 pr-2 font-medium">
            Change
          </th>
          <th scope="col" className="py-1 pr-2 font-medium">
            Path
          </th>
          <th scope="col" className="py-1 pr-2 font-medium">
            {labels[0]}
          </th>
          <th scope="col" className="py-1 font-medium">
            {labels[1]}
          </th>
        </tr>
      </thead>
      <tbody className="font-mono">
        {withKeys(patch, (op) => `${op.op} ${op.path}`).map(({ key, item: op }) => (
          <tr key={key} className="border-t border-border">
            <td className="py-1 pr-2">{op.op}</td>
            <td className="py-1 pr-2 break-all">{op.path}</td>
            <td className="py-1 pr-2 break-all text-critical-fg">{op.op === "add" ? "—" : show(valueAt(original, op.path))}</td>
            <td className="py-1 break-all">{op.op === "remove" ? "—" : show(op.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
