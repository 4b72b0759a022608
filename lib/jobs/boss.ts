import { PgBoss } from "pg-boss";
import { databaseUrl, getPool, isSingleConnection } from "../db/pool";
import { log } from "../log";
import { queues } from "./queues";

type Holder = { boss?: Promise<PgBoss> };
const holder = ((globalThis as Record<string, unknown>).__hangarBoss ??= {}) as Holder;

/**
 * The pg-boss instance of this process, in schema `pgboss` of Hangar's own database.
 * Over the embedded database it runs its SQL through the shared single connection.
 */
export function getBoss(): Promise<PgBoss> {
  holder.boss ??= (async () => {
    const connection = isSingleConnection()
      ? { db: { executeSql: (text: string, values?: unknown[]) => getPool().query(text, values) } }
      : { connectionString: databaseUrl(), max: 4 };
    // How often pg-boss looks for jobs whose worker stopped sending heartbeats (and so died).
    const monitorSeconds = Math.max(1, Number(process.env.HANGAR_JOB_MONITOR_SECONDS ?? 30));
    const boss = new PgBoss({
      ...connection,
      // Workers on `notify` queues wake when a job is sent (one listening connection per process);
      // polling stays as the fallback. Not over the embedded database's single shared connection.
      useListenNotify: !isSingleConnection(),
      schema: "pgboss",
      application_name: "hangar",
      superviseIntervalSeconds: monitorSeconds,
      monitorIntervalSeconds: monitorSeconds,
    });
    boss.on("error", (error) => log.error({ err: error }, "pg-boss error"));
    await boss.start();
    for (const q of Object.values(queues)) {
      await boss.createQueue(q.name, q.options).catch((error: unknown) => {
        if (!/already exists/i.test(String(error))) throw error;
      });
      // A queue made by an older version keeps its stored settings: bring them in line with the code.
      // (A queue's policy is fixed when it is made.)
      const { policy: _fixed, ...changeable } = q.options as typeof q.options & { policy?: string };
      await boss.updateQueue(q.name, changeable);
    }
    return boss;
  })();
  return holder.boss;
}

export async function stopBoss(): Promise<void> {
  const pending = holder.boss;
  holder.boss = undefined;
  if (pending) await (await pending).stop({ graceful: true, timeout: 10_000 });
}
