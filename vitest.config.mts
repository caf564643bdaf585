import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // One engine, one machine: files run one after another; tests wait on containers, not on timers.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 900_000,
          globalSetup: ["test/integration/global-setup.ts"],
        },
      },
      {
        test: {
          name: "security",
          include: ["test/security/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 900_000,
          globalSetup: ["test/integration/global-setup.ts"],
        },
      },
      {
        test: {
          // A real VS Code (code-server) in Chromium: needs  bash scripts/e2e-setup.sh  once per machine.
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 900_000,
          // After the other projects: it rebuilds dist/ (npm run package) that they run the host from.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
