import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/** Hosts started by tests keep their run history here, not in the home directory. */
const testData = { XDG_DATA_HOME: join(tmpdir(), "codebeaker-test-data") };

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
          env: testData,
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
          env: testData,
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
