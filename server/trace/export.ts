import { z } from "zod";
import { csvField } from "../audit/list-events";
import { TRACE_CSV_COLUMNS, type TraceRow } from "./trace-object";

export const traceQuerySchema = z.object({ format: z.enum(["json", "csv", "ndjson"]).default("json") }).strict();

export const traceCsvHeader = () => `${TRACE_CSV_COLUMNS.join(",")}\r\n`;
/** One row; a leading = + - @ is neutralised (csvField) so spreadsheets never run a value as a formula. */
export const traceCsvRow = (r: TraceRow) => `${TRACE_CSV_COLUMNS.map((c) => csvField(r[c])).join(",")}\r\n`;

/** The rows as a byte stream, a few hundred rows per chunk (CSV with its header, or one JSON object per line). */
export function traceStream(rows: readonly TraceRow[], format: "csv" | "ndjson"): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  let headerSent = format !== "csv";
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(traceCsvHeader()));
        return;
      }
      if (i >= rows.length) {
        controller.close();
        return;
      }
      const chunk = rows.slice(i, i + 500);
      i += chunk.length;
      controller.enqueue(encoder.encode(chunk.map((r) => (format === "csv" ? traceCsvRow(r) : `${JSON.stringify(r)}\n`)).join("")));
    },
  });
}
