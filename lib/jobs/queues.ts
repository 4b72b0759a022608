/** Every pg-boss queue Hangar uses, with its retry policy. */
const taskExpireSeconds = Number(process.env.HANGAR_TASK_EXPIRE_SECONDS ?? 1800);
// A worker sends a heartbeat every half interval; a job whose worker died is retried after this.
const taskHeartbeatSeconds = Math.max(10, Number(process.env.HANGAR_TASK_HEARTBEAT_SECONDS ?? 30));

export const queues = {
  purgeCredentials: { name: "maintenance.purge-credentials", options: { retryLimit: 2 }, sendOptions: {} },
  /** Task housekeeping (issue 12): old finished tasks' log lines (retention), VMs kept for a retry whose time is up. */
  taskHousekeeping: { name: "maintenance.tasks", options: { retryLimit: 1, expireInSeconds: 900 }, sendOptions: {} },
  /**
   * A create-VM task. A worker that dies mid-task leaves its job active; once it expires,
   * pg-boss hands it to another worker, which resumes at the first unfinished step.
   */
  createVm: {
    name: "vm.create",
    // notify: a new job wakes an idle worker at once (LISTEN/NOTIFY) instead of at its next poll.
    options: { retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInSeconds: taskExpireSeconds, heartbeatSeconds: taskHeartbeatSeconds, notify: true },
    sendOptions: { retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInSeconds: taskExpireSeconds, heartbeatSeconds: taskHeartbeatSeconds },
  },
  /**
   * An action on an existing VM (start, stop, shutdown, reboot, delete, resize): a task whose
   * steps are the provider's; retried and resumed like a create task.
   */
  vmAction: {
    name: "vm.action",
    options: { retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInSeconds: taskExpireSeconds, heartbeatSeconds: taskHeartbeatSeconds, notify: true },
    sendOptions: { retryLimit: 4, retryDelay: 5, retryBackoff: true, expireInSeconds: taskExpireSeconds, heartbeatSeconds: taskHeartbeatSeconds },
  },
  /** The interruptions sweep of interruptible rentals (lib/jobs/interruptions.ts), every minute. */
  interruptions: { name: "vm.interruptions", options: { retryLimit: 0, expireInSeconds: 300 }, sendOptions: {} },
  /**
   * One notification's email (lib/jobs/send-email.ts): sent outside any transaction, retried
   * three times with backoff; a job that outlives its deadline is retried like a failure.
   */
  sendEmail: {
    name: "notification.email",
    options: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 },
    sendOptions: { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 300 },
  },
  /**
   * Re-checks one user's quota levels (lib/notifications/quota.ts) after a create or a resize
   * was accepted, off the request's path. `stately` with the user's id as singletonKey: at most
   * one queued and one running check per user, so a burst of creates costs one or two checks.
   */
  quotaCheck: {
    name: "quota.check",
    options: { policy: "stately", retryLimit: 2, retryDelay: 5, expireInSeconds: 120 },
    sendOptions: { retryLimit: 2, retryDelay: 5, expireInSeconds: 120 },
  },
} as const;

export type QueueName = (typeof queues)[keyof typeof queues]["name"];
