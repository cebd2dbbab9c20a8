/**
 * Builds the Next.js app when its inputs changed since the last build (or with --force).
 * The fingerprint is a hash of every source file the build reads, stored next to the build.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = process.cwd();
const INPUTS = [
  "app",
  "components",
  "lib",
  "server",
  "prisma/schema.prisma",
  "types",
  "proxy.ts",
  "next.config.js",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];
const STAMP = path.join(ROOT, ".next", "andon-build-fingerprint");

function files(p: string): string[] {
  const full = path.join(ROOT, p);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [p];
  return readdirSync(full, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && e.name !== "node_modules")
    .flatMap((e) => files(path.join(p, e.name)));
}

export function fingerprint(): string {
  const h = createHash("sha256");
  for (const f of INPUTS.flatMap(files).sort())
    h.update(f)
      .update("\0")
      .update(readFileSync(path.join(ROOT, f)))
      .update("\0");
  return h.digest("hex");
}

export function ensureBuild(force = false): void {
  const fp = fingerprint();
  if (!force && existsSync(path.join(ROOT, ".next", "BUILD_ID")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === fp) {
    console.log("next build is up to date");
    return;
  }
  console.log("building the app (next build)…");
  const started = Date.now();
  const r = spawnSync("npx", ["next", "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" } });
  if (r.status !== 0) {
    console.error("next build failed");
    process.exit(r.status ?? 1);
  }
  writeFileSync(STAMP, fp);
  console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) ensureBuild(process.argv.includes("--force"));
