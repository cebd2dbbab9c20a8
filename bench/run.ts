/**
 * Runs every benchmark of bench/, one after another (they would skew each other in parallel), and
 * writes bench/RESULTS.md: the machine, the date, each figure against its target and each
 * benchmark's full output. Not a test.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench                 # all, full sizes (~1 h here)
 *   DATABASE_URL=... npm run bench -- --quick                                                # small sizes, to try the runner
 *   DATABASE_URL=... npm run bench -- ingest queue --out /tmp/results.md                     # some
 *
 * A partial or quick run writes .andon/bench/RESULTS.md unless --out says otherwise, so the committed
 * bench/RESULTS.md always holds a complete run at full sizes.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem, type } from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureBuild } from "../scripts/ensure-build";
import { type BenchRun, type Machine, type Report, renderResults } from "./support/results";

type Bench = { name: string; script: string; full: string[]; quick: string[] };

/** Every benchmark with the sizes its targets are stated for, and small sizes for --quick. */
const BENCHES: Bench[] = [
  { name: "ingest", script: "bench/ingest.ts", full: ["200000", "4"], quick: ["20000", "4"] },
  { name: "audit-append", script: "bench/audit-append.ts", full: ["2000", "1,8,32"], quick: ["300", "1,8"] },
  { name: "audit-verify", script: "bench/audit-verify.ts", full: ["1000000", "3"], quick: ["50000", "1"] },
  { name: "queue", script: "bench/queue.ts", full: ["1000000", "60"], quick: ["20000", "10"] },
  { name: "replay-sap", script: "bench/replay.ts", full: ["10000", "16", "sap"], quick: ["500", "16", "sap"] },
  { name: "replay-ack", script: "bench/replay.ts", full: ["10000", "16", "ack"], quick: ["500", "16", "ack"] },
  { name: "dashboard", script: "bench/dashboard.ts", full: ["10000000", "100"], quick: ["100000", "10"] },
  { name: "trace", script: "bench/trace.ts", full: ["1000000", "200"], quick: ["50000", "20"] },
  { name: "request-limits", script: "bench/request-limits.ts", full: ["10000", "2000000", "100000"], quick: ["200", "100000", "5000"] },
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC (\x1b) is exactly what an ANSI colour sequence starts with
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

async function machine(databaseUrl: string): Promise<Machine> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const { rows } = await c.query<{ version: string }>("SELECT version()");
  await c.end();
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const dirty = git("status", "--porcelain", "--untracked-files=no") ? " (with uncommitted changes)" : "";
  return {
    date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    postgres: rows[0]!.version.split(" on ")[0]!,
    commit: `${git("rev-parse", "--short", "HEAD") || "unknown"}${dirty}`,
  };
}

function runOne(bench: Bench, args: string[], resultsFile: string): Promise<BenchRun> {
  const command = `npx tsx ${bench.script} ${args.join(" ")}`;
  console.log(`\n=== ${bench.name}: ${command}`);
  const t0 = performance.now();
  rmSync(resultsFile, { force: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", bench.script, ...args], {
      env: { ...process.env, BENCH_RESULTS_FILE: resultsFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const tee = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
      to.write(chunk);
      output += chunk.toString();
    };
    child.stdout.on("data", tee(process.stdout));
    child.stderr.on("data", tee(process.stderr));
    child.on("close", (code, signal) => {
      let reports: Report[] = [];
      try {
        reports = readFileSync(resultsFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Report);
      } catch {
        // the benchmark failed before it reported
      }
      resolve({
        bench: bench.name,
        command,
        seconds: (performance.now() - t0) / 1000,
        exitCode: code ?? (signal ? 128 : 1),
        reports,
        output: stripAnsi(output),
      });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const outAt = args.indexOf("--out");
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  if (outAt >= 0 && !out) throw new Error("--out needs a file");
  const names = args.filter((a, i) => !a.startsWith("--") && !(outAt >= 0 && i === outAt + 1));
  const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(", ")}; known: ${BENCHES.map((b) => b.name).join(", ")}`);
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("set DATABASE_URL to a PostgreSQL server (each benchmark creates a fresh database on it and drops it after)");

  const selected = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;
  const complete = !quick && selected.length === BENCHES.length;
  const target = out ?? (complete ? "bench/RESULTS.md" : ".andon/bench/RESULTS.md");
  await ensureBuild();
  const m = await machine(databaseUrl);
  mkdirSync(".andon/bench", { recursive: true });
  const resultsFile = path.resolve(".andon/bench/results.jsonl");
  const runs: BenchRun[] = [];
  for (const bench of selected) runs.push(await runOne(bench, quick ? bench.quick : bench.full, resultsFile));

  const command = `npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`;
  mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  writeFileSync(target, renderResults(m, runs, command));
  console.log(`\n${runs.map((r) => `${r.exitCode === 0 ? "✓" : "✘"} ${r.bench} ${Math.round(r.seconds)} s`).join("\n")}\nwrote ${target}`);
  process.exit(runs.some((r) => r.exitCode !== 0) ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
