import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** Every file under a directory, recursively (paths relative to the working directory, the repository root). */
export function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? files(path.join(dir, n)) : [path.join(dir, n)]));
}

/**
 * The API's route handlers as the code declares them: "METHOD /api/…" for each HTTP method that an
 * app/api/**\/route.ts exports (directly or as `export { x as GET }`), dynamic segments as written
 * ("/api/exceptions/[id]/assign"). The access matrix and the GET fuzzer both start from this list.
 */
export function discoverRoutes(): string[] {
  return files("app/api")
    .filter((f) => f.endsWith("route.ts"))
    .flatMap((f) => {
      const src = readFileSync(f, "utf8");
      const methods = new Set<string>();
      for (const m of src.matchAll(/export\s+(?:const|async\s+function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) methods.add(m[1]!);
      for (const m of src.matchAll(/export\s*\{([^}]*)\}/g)) for (const x of m[1]!.matchAll(/\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) methods.add(x[1]!);
      const route = `/${path.dirname(f).split(path.sep).join("/")}`.replace(/^\/app/, "");
      return [...methods].map((m) => `${m} ${route}`);
    });
}

/** The route file of a discovered route ("GET /api/alerts" → app/api/alerts/route.ts). */
export const routeFile = (route: string) =>
  path.join(
    "app",
    ...route
      .replace(/^[A-Z]+ /, "")
      .split("/")
      .filter(Boolean),
    "route.ts",
  );
