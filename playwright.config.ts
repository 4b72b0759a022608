import { defineConfig, devices } from "@playwright/test";
import { currentState } from "./e2e/state";

/**
 * Browser tests against the real app (`tsx lib/server/start.ts`) on a fresh PostgreSQL
 * database, with a real OpenID Connect provider; see e2e/global-setup.ts. The config is
 * loaded again in each test worker after global setup, which is when the state file exists.
 */
const ci = Boolean(process.env.CI);
const browser = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  },
};

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/artifacts",
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  fullyParallel: false,
  // Two projects side by side, one worker each: the specs that change shared demo data run one
  // after another; the read-only staff accessibility spec runs beside them.
  workers: 2,
  retries: ci ? 1 : 0,
  forbidOnly: ci,
  timeout: 60_000,
  globalTimeout: 15 * 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: currentState()?.baseURL,
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  projects: [
    { name: "chromium", testIgnore: /a11y-staff\.spec\.ts$/, workers: 1, use: browser },
    { name: "a11y-staff", testMatch: /a11y-staff\.spec\.ts$/, workers: 1, use: browser },
  ],
});
