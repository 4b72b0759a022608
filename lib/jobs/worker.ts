import { purgeExpiredIdempotencyKeys } from "../api/idempotency";
import { purgeExpiredCredentials } from "../auth/sessions";
import { env } from "../env";
import { log } from "../log";
import { checkQuotaThresholds } from "../notifications";
import { runTask } from "../tasks/engine";
import { pruneTaskLogs } from "../tasks/store";
import { removeExpiredKeptVms } from "../vms/kept-vms";
import { removeLapsedRefClaims } from "../vms/ref-claims";
import { vmTaskKinds } from "../vms/task-kinds";
import { getBoss } from "./boss";
import { checkInterruptions } from "./interruptions";
import { queues } from "./queues";

/**
 * The task housekeeping job: removes the log lines of tasks that finished more than
 * HANGAR_TASK_LOG_RETENTION_DAYS ago (0: kept forever; in batches, at most `maxBatches` × 10,000
 * lines per run so that one run stays short), the half-made VMs kept for a retry whose time is
 * up, and the lapsed claims of provider ids (lib/vms/ref-claims.ts). Returns how many of each it removed.
 */
export async function taskHousekeeping(now = new Date(), maxBatches = 50): Promise<{ logLines: number; keptVms: number; refClaims: number }> {
  let logLines = 0;
  const days = env().HANGAR_TASK_LOG_RETENTION_DAYS;
  if (days > 0) {
    const before = new Date(now.getTime() - days * 86_400_000);
    for (let i = 0; i < maxBatches; i++) {
      const removed = await pruneTaskLogs(before);
      logLines += removed;
      if (removed === 0) break;
    }
  }
  return { logLines, keptVms: await removeExpiredKeptVms(now), refClaims: await removeLapsedRefClaims(now) };
}

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
  await boss.work(queues.taskHousekeeping.name, async () => {
    const result = await taskHousekeeping();
    if (result.logLines || result.keptVms || result.refClaims) log.info(result, "task housekeeping");
  });
  await boss.schedule(queues.taskHousekeeping.name, "*/5 * * * *");
  // Every queue that carries a task kind: the task engine runs the task, whatever its kind.
  // Up to HANGAR_WORKER_CONCURRENCY tasks of each queue at once in this process; a task spends
  // nearly all its time waiting on its provider, so this is about provider load, not CPU.
  const localConcurrency = env().HANGAR_WORKER_CONCURRENCY;
  // NOTIFY wakes a worker only for a job that can run when it is sent. A job retried after a
  // provider error (runnable once its retry delay is over) and a job put back after its worker
  // died are announced by nobody: they start at the next poll. pg-boss relaxes the poll of a
  // notify queue to 30 s, which made every retry wait about half a minute and let a step's
  // deadline pass before the retry ran; keep the poll short for these queues.
  const pollingIntervalSeconds = env().HANGAR_JOB_POLL_SECONDS;
  const polling = { pollingIntervalSeconds, notifyPollingIntervalSeconds: pollingIntervalSeconds };
  for (const queue of new Set(Object.values(vmTaskKinds).map((k) => k.queue))) {
    await boss.work(queues[queue].name, { includeMetadata: true, localConcurrency, ...polling }, async ([job]) => {
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
