/**
 * `npm test`: every check, in order: type-check, lint, unit tests, integration tests against
 * PostgreSQL, a production build, Playwright in Chromium, and the embedded-mode smoke test.
 * Every stage runs even if an earlier one failed (the browser stages need the build), and the
 * last line is the overall count: "Tests: N passed, N failed".
 *
 * Needs PostgreSQL at TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
 * and Chromium at /usr/bin/chromium (or CHROMIUM_PATH); .ci/run installs both when missing.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import pg from "pg";

type Stage = { name: string; ok: boolean; passed: number; failed: number; seconds: number; note?: string };
const stages: Stage[] = [];
const bin = (name: string) => `node_modules/.bin/${name}`;

function run(name: string, command: string, args: string[], counts?: () => { passed: number; failed: number }, env: Record<string, string> = {}): Stage {
  console.log(`\n━━ ${name}: ${[command, ...args].join(" ")}`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  const ok = result.status === 0;
  let c = { passed: 0, failed: 0 };
  try {
    if (counts) c = counts();
  } catch {
    // no report: the stage died before writing one
  }
  // A check stage (type-check, lint, build) counts as one test; a failed runner with no failed test counts one failure.
  const stage: Stage = { name, ok, passed: counts ? c.passed : ok ? 1 : 0, failed: counts ? Math.max(c.failed, ok ? 0 : 1) : ok ? 0 : 1, seconds: (Date.now() - started) / 1000 };
  stages.push(stage);
  return stage;
}

/**
 * Like run, for a check stage that can share the machine with another: its output is held
 * back and printed whole when it ends, so two stages' lines never interleave.
 */
function runQuiet(name: string, command: string, args: string[]): Promise<Stage> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => chunks.push(c));
    const finish = (ok: boolean, extra = "") => {
      console.log(`\n━━ ${name}: ${[command, ...args].join(" ")}`);
      process.stdout.write(Buffer.concat(chunks).toString() + extra);
      resolve({ name, ok, passed: ok ? 1 : 0, failed: ok ? 0 : 1, seconds: (Date.now() - started) / 1000 });
    };
    child.on("error", (error) => finish(false, `${error.message}\n`));
    child.on("close", (code) => finish(code === 0));
  });
}

function vitestCounts(file: string) {
  return () => {
    const r = JSON.parse(readFileSync(file, "utf8")) as { numPassedTests: number; numFailedTests: number };
    return { passed: r.numPassedTests, failed: r.numFailedTests };
  };
}

function playwrightCounts() {
  const r = JSON.parse(readFileSync("test-results/e2e.json", "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
  return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected };
}

function smokeCounts() {
  return JSON.parse(readFileSync("test-results/smoke.json", "utf8")) as { passed: number; failed: number };
}

async function postgresReachable(): Promise<string | undefined> {
  const url = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (error) {
    return `PostgreSQL is not reachable at ${url} (${(error as Error).message}); set TEST_DATABASE_URL or run .ci/run`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main() {
  rmSync("test-results", { recursive: true, force: true });
  mkdirSync("test-results", { recursive: true });
  const nodeBinary = process.execPath;

  // Type-check and lint are single-threaded: on two cores they run side by side.
  stages.push(...(await Promise.all([runQuiet("type-check", nodeBinary, ["node_modules/typescript/bin/tsc", "--noEmit"]), runQuiet("lint", bin("eslint"), ["--max-warnings", "0", "."])])));
  run("unit", bin("vitest"), ["run", "--project", "unit", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/unit.json"], vitestCounts("test-results/unit.json"));

  const pgProblem = await postgresReachable();
  if (pgProblem) {
    console.error(`\n${pgProblem}`);
    stages.push({ name: "integration", ok: false, passed: 0, failed: 1, seconds: 0, note: pgProblem });
  } else {
    run(
      "integration",
      bin("vitest"),
      ["run", "--project", "integration", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/integration.json"],
      vitestCounts("test-results/integration.json"),
    );
  }

  const build = run("build", nodeBinary, ["node_modules/next/dist/bin/next", "build"], undefined, { NEXT_TELEMETRY_DISABLED: "1" });
  if (build.ok && existsSync(".next/BUILD_ID")) {
    if (pgProblem) stages.push({ name: "e2e", ok: false, passed: 0, failed: 1, seconds: 0, note: pgProblem });
    else run("e2e (Playwright, Chromium)", bin("playwright"), ["test"], playwrightCounts);
    run("embedded smoke", bin("tsx"), ["scripts/smoke-embedded.ts"], smokeCounts);
  } else {
    stages.push({ name: "e2e + smoke", ok: false, passed: 0, failed: 1, seconds: 0, note: "skipped: the build failed" });
  }

  console.log("\n━━ summary");
  for (const s of stages) {
    console.log(`  ${s.ok ? "✓" : "✗"} ${s.name.padEnd(28)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(3)} failed  ${s.seconds.toFixed(0).padStart(4)}s${s.note ? `  (${s.note})` : ""}`);
  }
  const passed = stages.reduce((n, s) => n + s.passed, 0);
  const failed = stages.reduce((n, s) => n + s.failed, 0);
  console.log(`Tests: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && stages.every((s) => s.ok) ? 0 : 1);
}

void main();
