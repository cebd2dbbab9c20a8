import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Readable } from "node:stream";
import edifact, { type EdifactLibSegment } from "edifact";
import { Schema, X12grouper, X12parser, type FormattedSegment, type GroupData, type GroupShape } from "x12-parser";

/**
 * The independent parsers the contract tests check our EDI against (not a test file itself):
 * x12-parser 1.3.0 (tastypackets/x12-parser, streams) and edifact 1.2.12 (tdecaluwe/node-edifact,
 * with its segment / element definitions and DESADV / APERAK segment tables).
 */

const require = createRequire(import.meta.url);

export function readFixture(name: string): string {
  return readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8");
}

/** Every segment x12-parser emits for the text (its `{ name, "1": …, "1-1": … }` objects). */
export async function x12ParserSegments(text: string): Promise<FormattedSegment[]> {
  const out: FormattedSegment[] = [];
  await new Promise<void>((resolve, reject) => {
    const parser = new X12parser();
    parser.on("error", reject);
    Readable.from([Buffer.from(text, "ascii")])
      .pipe(parser)
      .on("data", (segment: FormattedSegment) => out.push(segment))
      .on("end", () => resolve())
      .on("error", reject);
  });
  return out;
}

/** x12-parser's grouper output for a group schema (version "004010"). */
export async function x12ParserGroups(text: string, shape: GroupShape): Promise<(GroupData | FormattedSegment)[]> {
  const out: (GroupData | FormattedSegment)[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from([Buffer.from(text, "ascii")])
      .pipe(new X12parser())
      .pipe(new X12grouper(new Schema("004010", shape)))
      .on("data", (item: GroupData | FormattedSegment) => out.push(item))
      .on("end", () => resolve())
      .on("error", reject);
  });
  return out;
}

/** The element values of an x12-parser segment in order: ["856", "0001"] for ST*856*0001. */
export function x12ParserElements(segment: FormattedSegment): string[] {
  const values: string[] = [];
  for (let i = 1; segment[String(i)] !== undefined; i += 1) values.push(segment[String(i)]!);
  return values;
}

/** edifact's Reader with its segment and element definitions (it validates counts and formats). */
export function edifactLibSegments(text: string): EdifactLibSegment[] {
  return new edifact.Reader().parse(text);
}

export type EdifactTable = "DESADV" | "APERAK";

/**
 * Runs the segments of each message (UNH … UNT) of the given type through edifact's Tracker with the
 * library's segment table; returns the error messages (none: the structure conforms).
 */
export function edifactTableErrors(segments: EdifactLibSegment[], table: EdifactTable): string[] {
  const errors: string[] = [];
  const definition = require(`edifact/messages/${table}.json`) as unknown[];
  let tracker: InstanceType<typeof edifact.Tracker> | undefined;
  for (const segment of segments) {
    if (segment.name === "UNH") {
      tracker = segment.elements[1]?.[0] === table ? new edifact.Tracker(definition) : undefined;
      tracker?.on("error", (error) => errors.push(error.message));
    }
    if (!tracker) continue;
    const before = errors.length;
    tracker.accept(segment.name);
    if (errors.length > before) errors[errors.length - 1] = `${segment.name}: ${errors.at(-1)}`;
    if (segment.name === "UNT") tracker = undefined;
  }
  return errors;
}
