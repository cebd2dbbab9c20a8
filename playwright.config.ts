import { defineConfig, devices } from "@playwright/test";

/**
 * Run through `npm test`, which builds the app, creates a fresh migrated database (E2E_DATABASE_URL)
 * and picks the browser (CHROMIUM_PATH, /usr/bin/chromium on Debian). The server under test is the
 * real custom server (Next.js + socket.io + workers) in production mode.
 */
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
const databaseUrl = process.env.E2E_DATABASE_URL ?? process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("E2E_DATABASE_URL is not set: run the e2e tests with `npm test` (or `npm run test:e2e`)");

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || undefined,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 } } }],
  webServer: {
    command: "node --import tsx server/index.ts",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 90_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      NEXTAUTH_URL: baseURL,
      NEXTAUTH_SECRET: "e2e-only-secret-0123456789abcdef0123456789",
      ANDON_DEMO: "true",
      ANDON_SIM: "false", // tests create exactly the traffic they assert on
      ANDON_DB_ROLE: "andon_app", // the production posture: every app query runs as the application role
      ANDON_DATA_DIR: ".andon/e2e",
      LOG_LEVEL: "warn",
    },
  },
});
