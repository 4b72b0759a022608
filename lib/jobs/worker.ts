import { purgeExpiredIdempotencyKeys } from "../api/idempotency";
import { purgeExpiredCredentials } from "../auth/sessions";
import { log } from "../log";
import { provisionVm } from "../vms/provision-vm";
import { runVmAction } from "../vms/run-vm-action";
import { getBoss } from "./boss";
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
  await boss.work(queues.createVm.name, { includeMetadata: true, localConcurrency: 4 }, async ([job]) => {
    if (!job) return;
    const final = job.retryCount >= job.retryLimit;
    await provisionVm((job.data as { taskId: string }).taskId, { final });
  });
  await boss.work(queues.vmAction.name, { includeMetadata: true, localConcurrency: 4 }, async ([job]) => {
    if (!job) return;
    const final = job.retryCount >= job.retryLimit;
    await runVmAction((job.data as { taskId: string }).taskId, { final });
  });
  await (await import("./send-email")).startEmailWorker(boss); // notifications by email (issue 12, item 5)
  log.info({ queues: Object.values(queues).map((q) => q.name) }, "worker started");
}
