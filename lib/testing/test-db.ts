import { randomBytes } from "node:crypto";
import pg from "pg";
import { disconnectDb } from "../db/client";
import { closePool } from "../db/pool";
import { migrate } from "../db/migrate";
import { resetEnvCache } from "../env";

export const baseTestUrl = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A new, empty database on the test server; `drop` removes it. */
export async function createEmptyDatabase(prefix = "hangar_t"): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: baseTestUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: withDatabase(baseTestUrl, name),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: baseTestUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * A freshly migrated database for one test file, made the process's DATABASE_URL so that
 * lib code under test (db(), getPool()) uses it. Call `drop` in afterAll.
 */
export async function useMigratedDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = await createEmptyDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await migrate(client);
  await client.end();
  process.env.DATABASE_URL = database.url;
  resetEnvCache();
  return {
    url: database.url,
    drop: async () => {
      await disconnectDb();
      await closePool();
      await database.drop();
    },
  };
}
