import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["apps/*/test/**/*.test.ts", "packages/*/test/**/*.test.ts", "loadtests/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/.mutants/**"],
    globalSetup: ["./packages/testing/src/global-setup.ts"],
    // Each test file in its own process: chdb allows one data folder per process.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
