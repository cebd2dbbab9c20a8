/**
 * Figures a benchmark hands to `npm run bench` (bench/run.ts), besides printing them. A benchmark run
 * on its own prints as before and reports nowhere; under the runner, BENCH_RESULTS_FILE names a JSON
 * Lines file each report is appended to, and the runner turns them into bench/RESULTS.md.
 */
import { appendFileSync } from "node:fs";

export type Figure = {
  /** What was measured, e.g. "GET /api/dashboard (admin) p95". */
  name: string;
  value: number;
  /** "ms", "events/s", "MB", "×"… */
  unit: string;
  /** The issue's target, as text ("< 150 ms", "≥ 0.5"), and whether this run met it. */
  target?: string;
  met?: boolean;
};

export type Report = {
  bench: string;
  /** The sizes this run used, e.g. "200,000 events, 4 senders". */
  params: string;
  figures: Figure[];
};

/** `value` against a target: below, at least, or exactly `limit`. */
export function against(name: string, value: number, unit: string, op: "<" | "≥" | "=", limit: number): Figure {
  const met = op === "<" ? value < limit : op === "≥" ? value >= limit : value === limit;
  return { name, value, unit, target: `${op} ${limit}${unit && unit !== "×" ? ` ${unit}` : ""}`, met };
}

export function report(r: Report): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (file) appendFileSync(file, `${JSON.stringify(r)}\n`);
}

export type Machine = { date: string; cores: number; cpu: string; memoryGb: number; os: string; node: string; postgres: string; commit: string };
export type BenchRun = { bench: string; command: string; seconds: number; exitCode: number; reports: Report[]; output: string };

const num = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en") : String(v));
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** bench/RESULTS.md: the machine, every figure against its target, each benchmark's full output. */
export function renderResults(machine: Machine, runs: BenchRun[], command: string): string {
  const out: string[] = [];
  out.push("# Benchmark results", "");
  out.push(
    `Written by \`${command}\` (bench/run.ts) on ${machine.date}; commit ${machine.commit}. Each benchmark creates a fresh database on the PostgreSQL server below and drops it after; the HTTP benchmarks run the real portal (production build, started like \`npm start\`).`,
    "",
  );
  out.push("| machine | |", "|---|---|");
  out.push(
    `| CPU | ${machine.cores} cores, ${cell(machine.cpu)} |`,
    `| memory | ${machine.memoryGb} GiB |`,
    `| OS | ${cell(machine.os)} |`,
    `| Node.js | ${machine.node} |`,
    `| PostgreSQL | ${cell(machine.postgres)} |`,
    "",
  );

  const failed = runs.filter((r) => r.exitCode !== 0);
  const targeted = runs.flatMap((r) => r.reports.flatMap((rep) => rep.figures.filter((f) => f.target !== undefined).map((f) => ({ bench: rep.bench, f }))));
  out.push("## Against the targets", "");
  if (targeted.length) {
    out.push("| benchmark | figure | measured | target | met |", "|---|---|---:|---|---|");
    for (const { bench, f } of targeted)
      out.push(`| ${cell(bench)} | ${cell(f.name)} | ${num(f.value)} ${f.unit} | ${cell(f.target!)} | ${f.met ? "yes" : "**NO**"} |`);
  } else out.push("No benchmark reported a figure with a target.");
  out.push("");
  if (failed.length) out.push(`**Failed:** ${failed.map((r) => `${r.bench} (exit ${r.exitCode})`).join(", ")} — see their output below.`, "");

  out.push("## Every figure", "");
  for (const run of runs) {
    out.push(
      `### ${run.bench}`,
      "",
      `\`${run.command}\` — ${run.exitCode === 0 ? "finished" : `**failed (exit ${run.exitCode})**`} in ${Math.round(run.seconds)} s`,
      "",
    );
    for (const rep of run.reports) {
      out.push(`${rep.bench}: ${rep.params}`, "", "| figure | value | target |", "|---|---:|---|");
      for (const f of rep.figures) out.push(`| ${cell(f.name)} | ${num(f.value)} ${f.unit} | ${f.target ? `${cell(f.target)} ${f.met ? "✓" : "✘"}` : ""} |`);
      out.push("");
    }
    if (!run.reports.length) out.push("No figures reported.", "");
    out.push("<details><summary>output</summary>", "", "```", run.output.trimEnd(), "```", "", "</details>", "");
  }
  return `${out.join("\n")}\n`;
}
