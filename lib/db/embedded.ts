import { mkdirSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * The zero-setup database: PGlite (PostgreSQL compiled to WASM) kept in HANGAR_DATA_DIR/pglite
 * and served on a loopback port so that Prisma, pg-boss and the migration runner speak plain
 * PostgreSQL to it. PGlite is a single session, so the whole process shares one connection
 * (HANGAR_DB_MAX_CONNECTIONS=1) and only one process may open the data directory at a time.
 */
function embeddedUrl(port: number): string {
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

function portFile(dataDir: string): string {
  return path.resolve(dataDir, "pglite.port");
}

/** The URL of the embedded database a running portal serves, if one is running. */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const lockFile = path.resolve(dataDir, "pglite.lock");
  if (!existsSync(lockFile) || !existsSync(portFile(dataDir))) return undefined;
  const pid = Number(readFileSync(lockFile, "utf8"));
  if (!pid || !processAlive(pid)) return undefined;
  const port = Number(readFileSync(portFile(dataDir), "utf8"));
  return port ? embeddedUrl(port) : undefined;
}

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function startEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const dir = path.resolve(dataDir, "pglite");
  mkdirSync(dir, { recursive: true });
  const lockFile = path.resolve(dataDir, "pglite.lock");
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8"));
    if (pid && pid !== process.pid && processAlive(pid)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${pid}. Stop it first, or set DATABASE_URL to a PostgreSQL server to run several processes.`,
      );
    }
  }
  writeFileSync(lockFile, String(process.pid));

  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  // pg_trgm: the task search's substring indexes (migration 20261201050100_task_search).
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const pglite: PGlite = await PGlite.create(dir, { extensions: { pg_trgm } });
  // The portal itself uses one connection. A few more let `npm run hangar` join a running
  // portal: pglite-socket queues their queries and keeps a transaction's queries together.
  const server: PGLiteSocketServer = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 4 });
  await server.start();
  const address = server.getServerConn();
  const port = Number(address.split(":").pop());
  const url = embeddedUrl(port);
  writeFileSync(portFile(dataDir), String(port));
  return {
    url,
    stop: async () => {
      rmSync(portFile(dataDir), { force: true });
      await server.stop().catch(() => undefined);
      await pglite.close().catch(() => undefined);
      rmSync(lockFile, { force: true });
    },
  };
}
