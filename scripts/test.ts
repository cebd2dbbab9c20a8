/**
 * `npm test`: lint + format check (Biome), unit tests, integration tests with the typecheck beside them (vitest, tsc)
 * and Playwright e2e against the built app,
 * all on a real PostgreSQL: DATABASE_URL's server when set, else an embedded one under .andon/test-pg.
 * Every run works in fresh databases created from the committed migrations and drops them after.
 * Exits non-zero on any failure. `--e2e-only` / `--no-e2e` narrow the run.
 */
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createFreshDatabase, withDatabase } from "../tests/support/database";
import { EmbeddedPostgresError, startEmbeddedPostgres, type EmbeddedDatabase } from "../server/db/embedded";
import { ensureBuild } from "./ensure-build";

const args = new Set(process.argv.slice(2));
const runUnit = !args.has("--e2e-only");
const runE2e = !args.has("--no-e2e");
/** `npm run test:e2e -- e2e/alerts.spec.ts -g "…"`: anything that is not one of our flags goes to Playwright. */
const playwrightArgs = process.argv.slice(2).filter((a) => a !== "--e2e-only" && a !== "--no-e2e");
/** Where tests that need an optional engine (tests/support/engines.ts) note that they did not run, and why. */
const NOT_RUN = path.resolve(".andon", "test-not-run.jsonl");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

function run(label: string, cmd: string, cmdArgs: string[], env: Record<string, string> = {}): boolean {
  console.log(`\n▶ ${label}`);
  const started = Date.now();
  const r = spawnSync(cmd, cmdArgs, { stdio: "inherit", env: { ...process.env, ...env } });
  const ok = r.status === 0;
  console.log(`${ok ? "✔" : "✘"} ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

/** Like run, without waiting: the command's output goes to a file, printed when it ends. */
function runInBackground(label: string, cmd: string, cmdArgs: string[]): Promise<boolean> {
  const started = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), "andon-test-"));
  const file = path.join(dir, "output.txt");
  const fd = openSync(file, "w");
  const child = spawn(cmd, cmdArgs, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      console.log(`\n▶ ${label} (beside the tests)`);
      process.stdout.write(readFileSync(file, "utf8"));
      console.log(`${ok ? "✔" : "✘"} ${label} (ended within ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      rmSync(dir, { recursive: true, force: true });
      resolve(ok);
    };
    child.once("error", () => done(false));
    child.once("exit", (code) => done(code === 0));
  });
}

export function findChromium(): string | null {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  return null; // playwright.config.ts then falls back to Playwright's own installed browser, if any
}

function playwrightHasOwnBrowser(): boolean {
  const r = spawnSync(
    process.execPath,
    ["-e", "const {chromium}=require('playwright-core');process.exit(require('fs').existsSync(chromium.executablePath())?0:1)"],
    { stdio: "ignore" },
  );
  return r.status === 0;
}

async function main(): Promise<number> {
  rmSync(NOT_RUN, { force: true }); // this run's list only
  let embedded: EmbeddedDatabase | undefined;
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const port = await freePort();
    console.log(`DATABASE_URL is unset: starting an embedded PostgreSQL for the tests on 127.0.0.1:${port}`);
    embedded = await startEmbeddedPostgres({ dataDir: ".andon/test-pg", port, database: "postgres" });
    baseUrl = embedded.adminUrl;
    console.log(`embedded PostgreSQL data in ${embedded.dataDir}`);
  }
  const results: [string, boolean][] = [];
  try {
    if (runUnit) {
      // Biome: lint rules and formatting, checked (not rewritten): `npm run format` fixes the formatting.
      results.push(["lint + format", run("lint and format check (biome ci)", "npx", ["biome", "ci", "--reporter=summary", "."])]);
      const env = { DATABASE_URL: baseUrl, ANDON_TEST_NOT_RUN: NOT_RUN };
      // Unit tests side by side on every core; then the integration tests one file after another, which mostly
      // wait on PostgreSQL, with the typecheck (one core, ~40 s) beside them (its output printed after them).
      results.push(["unit", run("unit tests (vitest, files in parallel)", "npx", ["vitest", "run", "--project", "unit"], env)]);
      const typecheck = runInBackground("typecheck (tsc --noEmit)", "npx", ["tsc", "--noEmit"]);
      results.push(["integration", run("integration tests (vitest, one file at a time)", "npx", ["vitest", "run", "--project", "integration"], env)]);
      results.push(["typecheck", await typecheck]);
    }
    if (runE2e) {
      const chromium = findChromium();
      if (!chromium && !playwrightHasOwnBrowser()) {
        console.error(
          "\n✘ e2e: no Chromium found. Install one: `apt-get install -y chromium` (Debian/Ubuntu) provides /usr/bin/chromium, " +
            "or set CHROMIUM_PATH to a Chromium/Chrome binary. Nothing downloads a browser by itself.",
        );
        results.push(["e2e", false]);
      } else {
        ensureBuild();
        const fresh = await createFreshDatabase(withDatabase(baseUrl, "postgres"), "andon_e2e");
        try {
          const port = await freePort();
          results.push([
            "e2e",
            run("e2e tests (Playwright, Chromium)", "npx", ["playwright", "test", ...playwrightArgs], {
              E2E_DATABASE_URL: fresh.url,
              E2E_PORT: String(port),
              ...(chromium ? { CHROMIUM_PATH: chromium } : {}),
            }),
          ]);
        } finally {
          await fresh.drop();
        }
      }
    }
  } finally {
    await embedded?.stop();
  }
  printNotRun();
  const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
  console.log(`\n${failed.length ? `✘ failed: ${failed.join(", ")}` : "✔ all test suites passed"}`);
  return failed.length ? 1 : 0;
}

/** The tests that did not run for want of an optional engine, with the reason (CI=true makes that a failure instead). */
function printNotRun(): void {
  if (!existsSync(NOT_RUN)) return;
  const entries = readFileSync(NOT_RUN, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { file: string; title: string; reason: string });
  if (!entries.length) return;
  console.log("\n○ not run (an engine they need did not answer):");
  for (const e of entries) console.log(`  - ${e.file} › ${e.title}: ${e.reason}`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof EmbeddedPostgresError ? `✘ ${err.message}` : err);
    process.exit(1);
  },
);
