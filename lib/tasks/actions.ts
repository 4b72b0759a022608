import { recordAudit } from "../audit/record";
import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { db } from "../db/client";
import { transaction } from "../db/transaction";
import { env } from "../env";
import { AppError } from "../errors";
import { vmTaskKinds } from "../vms/task-kinds";
import { compensateAbandoned, taskFacts, type TaskKinds } from "./engine";
import { getTask, type TaskView } from "./get-task";
import type { TaskRecord } from "./kinds";
import { appendLog, cancelPendingTask, markAbandoned, requestCancel, resetForRetry } from "./store";

/**
 * Acting on a task (issue 12): retry a failed task from its failed step, cancel a pending or
 * running one, mark failed a task whose worker is gone. Support and admins act on any task, a
 * user on their own (the task's requester or its VM's owner); anyone else is told there is no
 * such task. Each action is recorded in the audit log (`task.retry`, `task.cancel`,
 * `task.mark_failed`) and as a line of the task's own log naming who did it. Each answers the
 * task as GET /api/v1/tasks/{id} shows it to `user`.
 */
export type TaskActionOptions = { ip?: string | null; kinds?: TaskKinds; now?: Date };

export const TASK_NOT_FOUND = "Task not found";

/** The task `taskId` for an action of `user`: 404 unless staff, its requester or its VM's owner. */
async function taskForAction(user: AuthenticatedUser, taskId: string) {
  const task = await db().task.findUnique({ where: { id: taskId }, include: { vm: { select: { ownerId: true } } } });
  if (!task || (!can(user.role, "tasks.monitor") && task.userId !== user.id && task.vm?.ownerId !== user.id)) throw new AppError("not_found", TASK_NOT_FOUND);
  return task;
}

/** A task whose worker sent no heartbeat since this moment is stuck (HANGAR_STUCK_MINUTES). */
export function stuckSince(now = new Date()): Date {
  return new Date(now.getTime() - env().HANGAR_STUCK_MINUTES * 60_000);
}

/**
 * Retries a failed task: its kind takes back what the failure gave up (the quota; 409/422 when
 * that is no longer possible, e.g. the quota is used meanwhile) and says where to resume: at
 * the failed step (the steps before it stay done and what they made is reused) or, when what
 * they made is gone, at its first provider step. The task is pending again with a new job.
 * 409 unless the task failed; 409 for a kind that cannot be retried.
 */
export async function retryTask(user: AuthenticatedUser, taskId: string, options: TaskActionOptions = {}): Promise<TaskView> {
  const kinds: TaskKinds = options.kinds ?? (vmTaskKinds as unknown as TaskKinds);
  const task = await taskForAction(user, taskId);
  if (task.status !== "failed") throw new AppError("conflict", `Only a failed task can be retried; this one is ${task.status.replace("_", " ")}`);
  const kind = kinds[task.kind];
  const plan = kind ? await kind.plan(task as unknown as TaskRecord<never>) : null;
  if (!kind || !plan?.retry) throw new AppError("conflict", "This task cannot be retried (what it worked on is gone); start a new one instead");
  const facts = await taskFacts(taskId);
  const keys = new Set(plan.steps.map((s) => s.key));
  await transaction(
    async (tx) => {
      const { from, line } = await plan.retry!({ tx, facts });
      const steps = (await tx.taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } })).filter((s) => keys.has(s.key));
      const resume = from === "first_step" ? steps[0] : steps.find((s) => s.status !== "completed");
      if (!resume) throw new AppError("conflict", "This task has no step left to retry");
      if (!(await resetForRetry(tx, kind, taskId, resume.position, from === "first_step"))) throw new AppError("conflict", "Only a failed task can be retried");
      await appendLog(taskId, null, `Retried by ${user.email} from the step "${resume.name}"${line ? `. ${line}` : ""}`, "info", null, tx);
      await recordAudit(tx, {
        actor: user,
        action: "task.retry",
        targetType: "task",
        targetId: taskId,
        before: { status: "failed", error: task.error },
        after: { status: "pending", from_step: resume.key },
        ip: options.ip,
      });
    },
    { name: "task.retry" },
  );
  return getTask(user, taskId);
}

/**
 * Cancels a task. Pending: it ends `cancelled` at once and its kind undoes what accepting it did
 * (a create gives back its quota). Running: the cancel is recorded and its worker stops the
 * running step at its next heartbeat (asking the provider to stop its job where it can), cleans
 * up as for a failure and ends the task `cancelled`. 409 for a task that ended, or whose cancel
 * was asked already.
 */
export async function cancelTask(user: AuthenticatedUser, taskId: string, options: TaskActionOptions = {}): Promise<TaskView> {
  const kinds: TaskKinds = options.kinds ?? (vmTaskKinds as unknown as TaskKinds);
  const task = await taskForAction(user, taskId);
  if (task.status !== "pending" && task.status !== "in_progress") throw new AppError("conflict", `Only a pending or running task can be cancelled; this one is ${task.status}`);
  const kind = kinds[task.kind];
  const plan = kind ? await kind.plan(task as unknown as TaskRecord<never>) : null;
  await transaction(
    async (tx) => {
      let how: string;
      if (await cancelPendingTask(tx, taskId)) {
        await plan?.cancelled?.({ tx });
        await tx.task.update({ where: { id: taskId }, data: { error: `Cancelled by ${user.email}` } });
        await appendLog(taskId, null, `Cancelled by ${user.email} before it started`, "info", null, tx);
        how = "cancelled";
      } else if (await requestCancel(tx, taskId, user.email)) {
        await appendLog(taskId, null, `Cancel requested by ${user.email}: the running step is being stopped`, "warn", null, tx);
        how = "cancel_requested";
      } else {
        const now = await tx.task.findUniqueOrThrow({ where: { id: taskId } });
        throw new AppError("conflict", now.cancelRequestedAt ? "A cancel of this task was asked already" : `Only a pending or running task can be cancelled; this one is ${now.status}`);
      }
      await recordAudit(tx, { actor: user, action: "task.cancel", targetType: "task", targetId: taskId, before: { status: task.status }, after: { status: how }, ip: options.ip });
    },
    { name: "task.cancel" },
  );
  return getTask(user, taskId);
}

/**
 * Marks failed a pending or running task whose worker is gone (no heartbeat for
 * HANGAR_STUCK_MINUTES), then lets its kind release what it held (the quota; what the provider
 * made is kept for a retry or removed) as for a failure. 409 while its worker is alive (a
 * heartbeat within that time: cancel it instead) or once it ended.
 */
export async function markTaskFailed(user: AuthenticatedUser, taskId: string, options: TaskActionOptions = {}): Promise<TaskView> {
  const kinds: TaskKinds = options.kinds ?? (vmTaskKinds as unknown as TaskKinds);
  const task = await taskForAction(user, taskId);
  if (task.status !== "pending" && task.status !== "in_progress") throw new AppError("conflict", `Only a pending or running task can be marked failed; this one is ${task.status}`);
  const message = `Marked failed by ${user.email}: its worker stopped answering`;
  await transaction(
    async (tx) => {
      if (!(await markAbandoned(tx, taskId, { message, detail: null }, stuckSince(options.now)))) {
        throw new AppError("conflict", `This task's worker is still alive (a heartbeat within ${env().HANGAR_STUCK_MINUTES} min) or it ended; cancel it instead`);
      }
      await appendLog(taskId, null, message, "error", null, tx);
      await recordAudit(tx, { actor: user, action: "task.mark_failed", targetType: "task", targetId: taskId, before: { status: task.status, heartbeat_at: task.heartbeatAt }, after: { status: "failed" }, ip: options.ip });
    },
    { name: "task.mark_failed" },
  );
  await compensateAbandoned(kinds, taskId, message);
  return getTask(user, taskId);
}
