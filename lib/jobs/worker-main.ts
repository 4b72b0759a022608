import { openDatabase, prepareEnvironment, runMigrations } from "../server/bootstrap";
import { log } from "../log";
import { startWorker } from "./worker";
import { stopBoss } from "./boss";
import { closePool } from "../db/pool";

/** `npm run worker`: a worker alone, for running several beside the web servers. */
async function main(): Promise<void> {
  prepareEnvironment();
  if (!process.env.DATABASE_URL) {
    console.error("npm run worker needs DATABASE_URL: with the embedded database, `npm start` already runs the worker in-process.");
    process.exit(2);
  }
  const database = await openDatabase({ owner: false });
  await runMigrations(database.url);
  await startWorker();
  const stop = async () => {
    log.info("worker stopping");
    await stopBoss();
    await closePool();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, "worker failed to start");
  process.exit(1);
});
