import { purgeExpiredIdempotencyKeys } from "../api/idempotency";
import { purgeExpiredCredentials } from "../auth/sessions";
import { env } from "../env";
import { log } from "../log";
import { checkQuotaThresholds } from "../notifications";
import { runTask } from "../tasks/engine";
import { vmTaskKinds } from "../vms/task-kinds";
import { getBoss } from "./boss";
import { checkInterruptions } from "./interruptions";
import { queues } from "./queues";

/**
 * Registers this process as a worker on every queue. Any number of processes may do this
 * against one database: pg-boss hands each job to exactly one of them.
 */
export async function startWorker(): Promise<void> {
  const boss = await getBoss();
  await boss.work(queues.purgeCredentials.name, async () => {
    const removed = await purgeExpiredCredentials();
    log.info(removed, "purged expired sessions and tokens");
    const keys = await purgeExpiredIdempotencyKeys();
    if (keys) log.info({ idempotencyKeys: keys }, "purged expired idempotency keys");
  });
  await boss.schedule(queues.purgeCredentials.name, "*/15 * * * *");
  // Every queue that carries a task kind: the task engine runs the task, whatever its kind.
  // Up to HANGAR_WORKER_CONCURRENCY tasks of each queue at once in this process; a task spends
  // nearly all its time waiting on its provider, so this is about provider load, not CPU.
  const localConcurrency = env().HANGAR_WORKER_CONCURRENCY;
  for (const queue of new Set(Object.values(vmTaskKinds).map((k) => k.queue))) {
    await boss.work(queues[queue].name, { includeMetadata: true, localConcurrency }, async ([job]) => {
      if (!job) return;
      const final = job.retryCount >= job.retryLimit;
      await runTask(vmTaskKinds, (job.data as { taskId: string }).taskId, { final });
    });
  }
  // Interruptible rentals: their provider may take the GPU back (issue 11, item 5).
  await boss.work(queues.interruptions.name, async () => {
    const sweep = await checkInterruptions();
    if (sweep.interrupted.length || sweep.restarted.length) log.info(sweep, "interruptions sweep");
  });
  await boss.schedule(queues.interruptions.name, "* * * * *");
  // Quota levels re-checked after a create or resize was accepted (queued by queueQuotaCheck).
  await boss.work(queues.quotaCheck.name, async ([job]) => {
    if (job) await checkQuotaThresholds((job.data as { userId: string }).userId);
  });
  await (await import("./send-email")).startEmailWorker(boss); // notifications by email (issue 12, item 5)
  log.info({ queues: Object.values(queues).map((q) => q.name) }, "worker started");
}
