import type { ChildProcess } from "node:child_process";
import { rmSync, type WriteStream } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import type { OidcServer } from "./oidc-server";

/**
 * What global setup starts and global teardown stops. Both run in the Playwright runner
 * process, so the live handles (the app's child process, the OIDC server) are kept on
 * globalThis; the state file only carries what can be recovered without them (pids, names).
 */
export type Handles = {
  server?: ChildProcess;
  serverLog?: WriteStream;
  oidc?: OidcServer;
  database?: { name: string; adminUrl: string };
  dataDir?: string;
  exitGuard?: () => void;
};

export function handles(): Handles {
  const g = globalThis as { __hangarE2E?: Handles };
  g.__hangarE2E ??= {};
  return g.__hangarE2E;
}

export const DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("could not pick a free port");
  return address.port;
}

function assertSafeName(name: string): void {
  if (!/^hangar_e2e_[0-9a-z_]+$/.test(name)) throw new Error(`refusing to touch database ${JSON.stringify(name)}`);
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  assertSafeName(name);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertSafeName(name);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * The app was spawned as the leader of its own process group (tsx and the node process it
 * starts): SIGTERM the group, wait for a clean shutdown, then SIGKILL whatever is left.
 */
export async function stopServer(pid: number | undefined, child?: ChildProcess, graceMs = 15_000): Promise<void> {
  if (!pid) return;
  const exited = child && child.exitCode === null && child.signalCode === null ? new Promise<void>((resolve) => child.once("exit", () => resolve())) : Promise.resolve();
  signalGroup(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
}

/** Stops everything global setup started. Safe to call twice and with half-started state. */
export async function stopAll(h: Handles, fallback?: { serverPid?: number; database?: { name: string; adminUrl: string }; dataDir?: string }): Promise<string[]> {
  const problems: string[] = [];
  const step = async (what: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  await step("stop server", () => stopServer(h.server?.pid ?? fallback?.serverPid, h.server));
  h.server = undefined;
  const serverLog = h.serverLog;
  h.serverLog = undefined;
  if (serverLog) await step("close server log", () => new Promise<void>((resolve) => serverLog.end(() => resolve())));
  await step("stop OIDC provider", async () => {
    await h.oidc?.close();
    h.oidc = undefined;
  });
  const database = h.database ?? fallback?.database;
  if (database) await step("drop database", () => dropDatabase(database.adminUrl, database.name));
  h.database = undefined;
  const dataDir = h.dataDir ?? fallback?.dataDir;
  if (dataDir && path.basename(dataDir).startsWith("hangar-e2e-")) await step("remove data dir", () => rmSync(dataDir, { recursive: true, force: true }));
  h.dataDir = undefined;
  if (h.exitGuard) process.off("exit", h.exitGuard);
  h.exitGuard = undefined;
  return problems;
}
