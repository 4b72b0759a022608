import { openDatabase, prepareEnvironment, runMigrations } from "../server/bootstrap";

/** `npm run db:migrate`: applies pending migrations; a no-op when there are none. */
async function main(): Promise<void> {
  prepareEnvironment();
  const database = await openDatabase({ owner: false });
  try {
    const result = await runMigrations(database.url);
    if (result.applied.length) console.log(`Applied ${result.applied.length} migration(s): ${result.applied.join(", ")}`);
    else console.log(`Database is up to date (${result.alreadyApplied} migration(s) applied earlier).`);
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
