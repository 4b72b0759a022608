import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };
const exclude = ["node_modules/**", ".next/**", "e2e/**", ".data/**"];

// Unit tests (*.test.ts) need nothing; integration tests (*.int.test.ts) need PostgreSQL
// (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres): each file gets its own database.
export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: "unit", include: ["**/*.test.ts"], exclude: [...exclude, "**/*.int.test.ts"], environment: "node" } },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude,
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file has its own database and simulators on their own ports; the files mostly wait
          // on simulated providers, so three at once on two cores (CI time ~7 min → ~3).
          maxWorkers: 3,
          // A project with its own maxWorkers runs in its own group (after the unit tests).
          sequence: { groupOrder: 1 },
          setupFiles: ["lib/testing/integration-setup.ts"],
        },
      },
    ],
  },
});
