import pg from "pg";

/**
 * The one pg.Pool of this process. It lives on globalThis because Next bundles its own copy
 * of this module: the launcher, the worker and the route handlers must all share it, which
 * matters most for the embedded database, where there is exactly one connection to go round.
 */
type Holder = { pool?: pg.Pool; url?: string };
const holder: Holder = ((globalThis as Record<string, unknown>).__hangarPool ??= {}) as Holder;

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it to the embedded database when unset)");
  return url;
}

export function isSingleConnection(): boolean {
  return process.env.HANGAR_DB_MAX_CONNECTIONS === "1";
}

export function getPool(): pg.Pool {
  const url = databaseUrl();
  if (holder.pool && holder.url === url) return holder.pool;
  const max = Number(process.env.HANGAR_DB_MAX_CONNECTIONS ?? 10) || 10;
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: isSingleConnection() ? 0 : 30_000 });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  holder.pool = pool;
  holder.url = url;
  return pool;
}

export async function closePool(): Promise<void> {
  const pool = holder.pool;
  holder.pool = undefined;
  holder.url = undefined;
  if (pool) await pool.end();
}
