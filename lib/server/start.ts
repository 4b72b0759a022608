import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import next from "next";
import { applyConfig, ConfigError, readConfigFile } from "../config/apply";
import { closePool } from "../db/pool";
import { formatDemoCredentials, seedDemo } from "../demo/seed";
import { startSimulatedProviders } from "../demo/simulated-providers";
import { env } from "../env";
import { stopBoss } from "../jobs/boss";
import { startWorker } from "../jobs/worker";
import { log } from "../log";
import { openDatabase, prepareEnvironment, runMigrations } from "./bootstrap";
import { createFrontDoor } from "./http";

/**
 * `npm start`: build if there is no build, open the database (embedded when DATABASE_URL is
 * unset), migrate, load HANGAR_CONFIG or the demo on an empty database, start a worker and
 * serve the portal, all in one process.
 */
async function main(): Promise<void> {
  const dev = process.argv.includes("--dev");
  prepareEnvironment();
  const e = env();
  const dir = process.cwd();

  if (!dev && !existsSync(path.join(dir, ".next", "BUILD_ID"))) {
    log.info("no production build found: running `next build` (once)");
    const build = spawnSync(process.execPath, [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }

  const database = await openDatabase({ owner: true });
  log.info({ database: database.embedded ? "embedded (PGlite)" : "PostgreSQL" }, "database opened");
  const migrated = await runMigrations(database.url);
  if (migrated.applied.length) log.info({ applied: migrated.applied }, "migrations applied");

  const publicUrl = e.NEXTAUTH_URL ?? `http://localhost:${e.PORT}`;
  if (e.HANGAR_CONFIG) {
    const report = await applyConfig(readConfigFile(e.HANGAR_CONFIG), { email: `config:${path.basename(e.HANGAR_CONFIG)}` });
    log.info(report, "configuration applied");
  } else if (e.HANGAR_DEMO !== "off") {
    const credentials = await seedDemo();
    if (credentials) process.stdout.write(formatDemoCredentials(credentials, publicUrl) + "\n");
  }

  const simulators = await startSimulatedProviders();
  // A web server beside separate workers (`npm run worker`) may leave the tasks to them.
  if (e.HANGAR_WEB_WORKER) await startWorker();
  else log.info("no worker in this process (HANGAR_WEB_WORKER=false): tasks run in `npm run worker` processes");

  const app = next({ dev, dir, hostname: e.HANGAR_HOST, port: e.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  // Request ids, client IP, security headers and the limits on URLs, headers and bodies (lib/server/http.ts).
  const server = createFrontDoor(handle, { trustProxy: e.HANGAR_TRUST_PROXY, dev });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(e.PORT, e.HANGAR_HOST, resolve);
  });
  log.info({ url: publicUrl }, "Hangar is ready");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    server.close();
    server.closeAllConnections();
    await stopBoss().catch((error: unknown) => log.warn({ err: error }, "worker stop failed"));
    await app.close?.().catch(() => undefined);
    await simulators.stop().catch(() => undefined);
    await closePool().catch(() => undefined);
    await database.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else log.fatal({ err: error }, "Hangar failed to start");
  process.exit(1);
});
