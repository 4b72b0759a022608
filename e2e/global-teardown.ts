import { readFileSync } from "node:fs";
import { handles, stopAll } from "./lifecycle";
import { stateOnDisk } from "./state";

/** True when `pid` is still the app global setup spawned (and not a recycled pid). */
function isOurServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("lib/server/start.ts");
  } catch {
    return false;
  }
}

/**
 * Stops the app (SIGTERM to its process group, then SIGKILL), the OIDC provider, and drops
 * the run's database. The live handles come from global setup (same runner process); the
 * state file is the fallback for the server pid and the database if they are missing.
 */
export default async function globalTeardown(): Promise<void> {
  const h = handles();
  const state = stateOnDisk();
  const fallback = state
    ? { serverPid: isOurServer(state.pids.server) ? state.pids.server : undefined, database: state.database, dataDir: state.dataDir }
    : undefined;
  const problems = await stopAll(h, fallback);
  if (problems.length) throw new Error(`e2e teardown: ${problems.join("; ")}`);
}
