import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { deriveSecret, generateKey, parseKey } from "../crypto/secrets";
import { migrate, type MigrateResult } from "../db/migrate";
import { runningEmbeddedUrl, startEmbeddedDatabase } from "../db/embedded";
import { resetEnvCache } from "../env";
import { log } from "../log";

/**
 * What every entry point (portal, worker, CLI, migrate) does first: read .env, settle the
 * secrets, and find the database, embedded when DATABASE_URL is unset.
 */
export function dataDir(): string {
  return path.resolve(process.env.HANGAR_DATA_DIR || ".data");
}

export function prepareEnvironment(): void {
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  if (existsSync(".env") && typeof process.loadEnvFile === "function") process.loadEnvFile(".env");
  const dir = dataDir();
  if (!process.env.HANGAR_SECRET_KEY) {
    const keyFile = path.join(dir, "secret.key");
    if (!existsSync(keyFile)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(keyFile, generateKey() + "\n", { mode: 0o600 });
      if (process.env.DATABASE_URL) {
        log.warn({ keyFile }, "HANGAR_SECRET_KEY is not set: generated one in the data directory. Set it explicitly when several hosts share the database.");
      }
    }
    process.env.HANGAR_SECRET_KEY = readFileSync(keyFile, "utf8").trim();
  }
  const master = parseKey(process.env.HANGAR_SECRET_KEY);
  process.env.NEXTAUTH_SECRET ||= deriveSecret(master, "nextauth");
  // Without a configured public URL, next-auth takes the origin from the request's Host.
  if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST = "1";
  resetEnvCache();
}

export type OpenDatabase = { url: string; embedded: boolean; stop: () => Promise<void> };

/**
 * DATABASE_URL when set; otherwise the embedded database, started here (`owner`) or, for
 * short commands while the portal runs, the one the running portal serves.
 */
export async function openDatabase(options: { owner: boolean }): Promise<OpenDatabase> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, embedded: false, stop: async () => undefined };
  const running = options.owner ? undefined : runningEmbeddedUrl(dataDir());
  if (running) {
    process.env.DATABASE_URL = running;
    process.env.HANGAR_DB_MAX_CONNECTIONS = "1";
    resetEnvCache();
    return { url: running, embedded: true, stop: async () => undefined };
  }
  const embedded = await startEmbeddedDatabase(dataDir());
  process.env.DATABASE_URL = embedded.url;
  process.env.HANGAR_DB_MAX_CONNECTIONS = "1";
  resetEnvCache();
  return { url: embedded.url, embedded: true, stop: embedded.stop };
}

/** Applies pending migrations on a dedicated connection (the advisory lock is per session). */
export async function runMigrations(url: string): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await migrate(client);
  } finally {
    await client.end();
  }
}
