// Entry point of the custom server. NODE_ENV must be set before Next.js is loaded, hence the
// dynamic import. `--dev` runs Next in development mode with hot reload.
const dev = process.argv.includes("--dev");
(process.env as Record<string, string>).NODE_ENV = dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
// We shut down ourselves (server/main.ts); without this Next.js installs SIGTERM/SIGINT handlers that
// exit(143) mid-way through our cleanup.
process.env.NEXT_MANUAL_SIG_HANDLE = "true";

const { main } = await import("./main");
main({ dev }).catch((err: unknown) => {
  console.error("Andon failed to start:", err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause) console.error("cause:", err.cause);
  process.exit(1);
});

export {};
