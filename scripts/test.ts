/**
 * `npm test`: typecheck, unit + integration tests (vitest) and Playwright e2e against the built app,
 * all on a real PostgreSQL: DATABASE_URL's server when set, else an embedded one under .andon/test-pg.
 * Every run works in fresh databases created from the committed migrations and drops them after.
 * Exits non-zero on any failure. `--e2e-only` / `--no-e2e` narrow the run.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { createFreshDatabase, withDatabase } from "../tests/support/database";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../server/db/embedded";
import { ensureBuild } from "./ensure-build";

const args = new Set(process.argv.slice(2));
const runUnit = !args.has("--e2e-only");
const runE2e = !args.has("--no-e2e");

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

export function findChromium(): string | null {
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  return null; // playwright.config.ts then falls back to Playwright's own installed browser, if any
}

function playwrightHasOwnBrowser(): boolean {
  const r = spawnSync(process.execPath, ["-e", "const {chromium}=require('playwright-core');process.exit(require('fs').existsSync(chromium.executablePath())?0:1)"], { stdio: "ignore" });
  return r.status === 0;
}

async function main(): Promise<number> {
  let embedded: EmbeddedDatabase | undefined;
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const port = await freePort();
    console.log(`DATABASE_URL is unset: starting an embedded PostgreSQL for the tests on 127.0.0.1:${port}`);
    embedded = await startEmbeddedPostgres({ dataDir: ".andon/test-pg", port, database: "postgres" });
    baseUrl = embedded.adminUrl;
  }
  const results: [string, boolean][] = [];
  try {
    if (runUnit) {
      results.push(["typecheck", run("typecheck (tsc --noEmit)", "npx", ["tsc", "--noEmit"])]);
      results.push(["unit + integration", run("unit + integration tests (vitest)", "npx", ["vitest", "run"], { DATABASE_URL: baseUrl })]);
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
            run("e2e tests (Playwright, Chromium)", "npx", ["playwright", "test"], {
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
  const failed = results.filter(([, ok]) => !ok).map(([name]) => name);
  console.log(`\n${failed.length ? `✘ failed: ${failed.join(", ")}` : "✔ all test suites passed"}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
