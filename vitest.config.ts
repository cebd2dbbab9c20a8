import path from "node:path";
import { defineConfig } from "vitest/config";

const shared = {
  globalSetup: ["tests/support/global-setup.ts"],
  setupFiles: ["tests/support/setup-env.ts"],
  testTimeout: 20_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    ...shared,
    projects: [
      {
        // Unit tests and the emulators' own tests (each emulator on its own port): files run side by side.
        extends: true,
        test: {
          name: "unit",
          include: ["server/**/*.test.ts", "lib/**/*.test.ts", "connectors/**/*.test.ts"],
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Integration tests share one database: files run one after another (after the unit tests), and tests
        // assume nothing about rows they did not create themselves.
        extends: true,
        test: { name: "integration", include: ["tests/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
