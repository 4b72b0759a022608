import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What global setup hands to the config, the tests and global teardown. Written to
 * test-results/e2e-state.json; `runId` ties the file to one run (global setup exports the same
 * id as E2E_RUN_ID, which the test workers inherit), so a file left over from an earlier run is
 * never mistaken for the current one.
 */
export type DemoRole = "admin" | "support" | "user" | "gpu-user";
export type DemoCredential = { role: DemoRole; email: string; password: string };

export type E2EState = {
  runId: string;
  baseURL: string;
  credentials: DemoCredential[];
  database: { name: string; adminUrl: string };
  oidc: { issuer: string; clientId: string; name: string };
  pids: { server: number; runner: number };
  dataDir: string;
  serverLog: string;
};

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const RESULTS_DIR = path.join(ROOT, "test-results");
export const STATE_FILE = path.join(RESULTS_DIR, "e2e-state.json");
export const SERVER_LOG = path.join(RESULTS_DIR, "server.log");
export const OIDC_LOG = path.join(RESULTS_DIR, "oidc.log");

/** The state of the current run, or undefined before global setup has written it. */
export function currentState(): E2EState | undefined {
  const runId = process.env.E2E_RUN_ID;
  if (!runId || !existsSync(STATE_FILE)) return undefined;
  const state = JSON.parse(readFileSync(STATE_FILE, "utf8")) as E2EState;
  return state.runId === runId ? state : undefined;
}

/** The state file as it is on disk, whichever run wrote it (for teardown's fallback). */
export function stateOnDisk(): E2EState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(STATE_FILE, "utf8")) as E2EState;
  } catch {
    return undefined;
  }
}
