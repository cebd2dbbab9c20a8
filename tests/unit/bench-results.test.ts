import { describe, expect, it } from "vitest";
import { type BenchRun, type Machine, against, renderResults } from "../../bench/support/results";

const machine: Machine = {
  date: "2026-12-04 12:00 UTC",
  cores: 2,
  cpu: "Test CPU",
  memoryGb: 24,
  os: "Linux 6",
  node: "v20.20.2",
  postgres: "PostgreSQL 15.19",
  commit: "abc1234",
};

describe("benchmark results", () => {
  it("judges a figure against its target", () => {
    expect(against("ratio", 0.62, "×", "≥", 0.5)).toMatchObject({ target: "≥ 0.5", met: true });
    expect(against("p95", 120, "ms", "<", 100)).toMatchObject({ target: "< 100 ms", met: false });
    expect(against("dup", 0, "keys", "=", 0)).toMatchObject({ target: "= 0 keys", met: true });
  });

  it("lists targeted figures, failures and each benchmark's output", () => {
    const runs: BenchRun[] = [
      {
        bench: "ingest",
        command: "npx tsx bench/ingest.ts 200000 4",
        seconds: 61.2,
        exitCode: 0,
        output: "HTTP ingest: 9000 events/s\n",
        reports: [
          {
            bench: "ingest",
            params: "200,000 events",
            figures: [{ name: "HTTP ingest", value: 9000, unit: "events/s" }, against("ingest / COPY", 0.31, "×", "≥", 0.5)],
          },
        ],
      },
      { bench: "queue", command: "npx tsx bench/queue.ts", seconds: 3, exitCode: 1, output: "Error: boom | pipe\n", reports: [] },
    ];
    const md = renderResults(machine, runs, "npm run bench");
    expect(md).toContain("| CPU | 2 cores, Test CPU |");
    expect(md).toContain("| ingest | ingest / COPY | 0.31 × | ≥ 0.5 | **NO** |");
    expect(md).not.toContain("| ingest | HTTP ingest |"); // untargeted figures only in the full list
    expect(md).toContain("| HTTP ingest | 9,000 events/s |  |");
    expect(md).toContain("**Failed:** queue (exit 1)");
    expect(md).toContain("Error: boom | pipe"); // output is verbatim inside a code block
  });
});
