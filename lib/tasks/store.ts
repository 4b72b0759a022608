import { fromPrisma } from "pg-boss";
import { db } from "../db/client";
import { Db } from "../db/client";
import { getBoss } from "../jobs/boss";
import { queues } from "../jobs/queues";
import type { JsonObject, ProviderLogLine } from "../providers/types";
import type { Failure } from "./failure";
import type { PlannedStep, TaskKind } from "./kinds";

/**
 * The task store: the only code that writes Task, TaskStep and TaskLog rows. Named transitions
 * (accept, start, step started / completed / failed, complete, fail, cancel), so that every
 * state change of a task reads the same wherever it happens.
 */
type Client = Db.Prisma.TransactionClient | ReturnType<typeof db>;

export function progressOf(steps: { status: string }[]): number {
  if (steps.length === 0) return 0;
  const done = steps.filter((s) => s.status === "completed" || s.status === "skipped").length;
  return Math.round((done / steps.length) * 100);
}

/** What users read in place of a provider's own error line (its words are the line's detail). */
export const PROVIDER_ERROR_LINE = "The provider reported an error (support can see its words)";

/**
 * Appends log lines to a task (`stepId`: the step they belong to). Lines are cut at 4000
 * characters. `detail` (one string for all the lines) is what support and admins see besides
 * them: the provider's own words behind a failure (lib/tasks/failure.ts). A provider
 * line marked `error` is stored as PROVIDER_ERROR_LINE with its words as the detail.
 */
export async function appendLog(
  taskId: string,
  stepId: string | null,
  lines: ProviderLogLine[] | string,
  level = "info",
  detail: string | null = null,
  client: Client = db(),
): Promise<void> {
  const rows =
    typeof lines === "string"
      ? [{ line: lines, level, detail }]
      : lines.map((l) => (l.error ? { line: PROVIDER_ERROR_LINE, level: "error", detail: l.t } : { line: l.t, level, detail }));
  if (rows.length === 0) return;
  await client.taskLog.createMany({ data: rows.map((r) => ({ taskId, stepId, line: r.line.slice(0, 4000), level: r.level, detail: r.detail?.slice(0, 4000) ?? null })) });
}

/**
 * Writes a new task in `tx` with its steps (those `done` completed at once), its first log line
 * and its pg-boss job: the job commits with the task (no task without its job, no job without
 * its task).
 */
export async function acceptTask(
  tx: Db.Prisma.TransactionClient,
  kind: TaskKind<never>,
  task: { id: string; userId: string; vmId: string | null; input: unknown; steps: PlannedStep[]; line: string },
): Promise<void> {
  const now = new Date();
  const steps = task.steps.map((s, position) => ({
    position,
    key: s.key,
    name: s.name,
    ...(s.done ? { status: "completed" as const, startedAt: now, finishedAt: now } : {}),
    ...(s.detail ? { detail: s.detail } : {}),
  }));
  await tx.task.create({
    data: {
      id: task.id,
      kind: kind.name,
      userId: task.userId,
      vmId: task.vmId,
      input: task.input as Db.Prisma.InputJsonValue,
      progress: progressOf(steps.map((s) => ({ status: s.status ?? "pending" }))),
      steps: { create: steps },
    },
  });
  await tx.taskLog.create({ data: { taskId: task.id, line: task.line } });
  const queue = queues[kind.queue];
  const boss = await getBoss();
  await boss.send(queue.name, { taskId: task.id }, { ...queue.sendOptions, db: fromPrisma(tx) });
}

/**
 * Brings a task's stored steps in line with its plan: a plan step with no stored row (the plan
 * gained it after the task was accepted, e.g. by an upgrade between accept and run) is added,
 * right after the stored step of the plan step before it (first when there is none); a pending
 * stored step the plan no longer has is marked skipped. Steps are matched by key, never by
 * name. Returns the keys added. One transaction: positions are rewritten in order.
 */
export async function alignSteps(taskId: string, planned: { key: string; name: string }[]): Promise<string[]> {
  return db().$transaction(async (tx) => {
    const stored = await tx.taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } });
    const keys = new Set(stored.map((s) => s.key));
    const missing = planned.filter((p) => !keys.has(p.key));
    const plannedKeys = new Set(planned.map((p) => p.key));
    const dropped = stored.filter((s) => s.status === "pending" && !plannedKeys.has(s.key));
    if (dropped.length) await tx.taskStep.updateMany({ where: { id: { in: dropped.map((s) => s.id) } }, data: { status: "skipped" } });
    if (missing.length === 0) return [];
    // The final order: stored rows as they are, each missing plan step after its predecessor in the plan.
    const order: { id?: string; key: string; name: string }[] = stored.map((s) => ({ id: s.id, key: s.key, name: s.name }));
    const at = (key: string) => order.findIndex((o) => o.key === key);
    for (const step of missing) {
      const index = planned.findIndex((p) => p.key === step.key);
      const before = planned.slice(0, index).reverse().map((p) => at(p.key)).find((i) => i >= 0);
      const firstPlanned = order.findIndex((o) => plannedKeys.has(o.key));
      const position = before !== undefined ? before + 1 : firstPlanned >= 0 ? firstPlanned : order.length;
      order.splice(position, 0, { key: step.key, name: step.name });
    }
    // Out of the way first ((taskId, position) is unique), then every row at its place.
    const offset = stored.length + missing.length + 1;
    await tx.taskStep.updateMany({ where: { taskId }, data: { position: { increment: offset } } });
    for (const [position, entry] of order.entries()) {
      if (entry.id) await tx.taskStep.update({ where: { id: entry.id }, data: { position } });
      else await tx.taskStep.create({ data: { taskId, position, key: entry.key, name: entry.name } });
    }
    const all = await tx.taskStep.findMany({ where: { taskId }, select: { status: true } });
    await tx.task.update({ where: { id: taskId }, data: { progress: progressOf(all) } });
    return missing.map((m) => m.key);
  });
}

/** Marks a pending (or resumed) task in progress; false when it ended meanwhile (cancelled, marked failed). */
export async function startTask(taskId: string): Promise<boolean> {
  const now = new Date();
  const { count } = await db().task.updateMany({ where: { id: taskId, status: { in: ["pending", "in_progress"] } }, data: { status: "in_progress", startedAt: now, heartbeatAt: now } });
  return count === 1;
}

/** What a running task's worker learns at its heartbeat: whether the task is still its to run, and a cancel asked of it. */
export type Heartbeat = { running: boolean; cancel: { at: Date; by: string | null } | null };

/**
 * The worker's heartbeat while a step of `taskId` runs: stamps `heartbeatAt` (now) if the task is
 * still in progress. `running: false` means someone else ended it meanwhile (support marked it
 * failed): the worker must stop. `cancel`: a cancel was asked of it.
 */
export async function heartbeat(taskId: string): Promise<Heartbeat> {
  const rows = await db().$queryRaw<{ cancelRequestedAt: Date | null; cancelRequestedBy: string | null }[]>`
    UPDATE "Task" SET "heartbeatAt" = now() WHERE id = ${taskId} AND status = 'in_progress'
    RETURNING "cancelRequestedAt", "cancelRequestedBy"`;
  const row = rows[0];
  if (!row) return { running: false, cancel: null };
  return { running: true, cancel: row.cancelRequestedAt ? { at: row.cancelRequestedAt, by: row.cancelRequestedBy } : null };
}

/** Asks the worker of a running task to cancel it (`by`: who asked); false when the task is not running or a cancel was asked already. */
export async function requestCancel(tx: Db.Prisma.TransactionClient, taskId: string, by: string): Promise<boolean> {
  const { count } = await tx.task.updateMany({ where: { id: taskId, status: "in_progress", cancelRequestedAt: null }, data: { cancelRequestedAt: new Date(), cancelRequestedBy: by } });
  return count === 1;
}

/** Ends a running task `cancelled` (after its kind cleaned up): `message` says by whom; steps not run are skipped. */
export async function endCancelled(taskId: string, message: string, detail: string | null): Promise<void> {
  await db().$transaction([
    db().task.update({ where: { id: taskId }, data: { status: "cancelled", error: message, errorDetail: detail, finishedAt: new Date() } }),
    db().taskStep.updateMany({ where: { taskId, status: "pending" }, data: { status: "skipped" } }),
  ]);
}

/**
 * Ends a pending or running task `failed` without its worker (support's "mark failed": the worker
 * is gone), only while it is still pending or running and has had no heartbeat since
 * `silentSince`: false otherwise (it ended, or its worker is alive). Its running step fails with it.
 */
export async function markAbandoned(tx: Db.Prisma.TransactionClient, taskId: string, failure: Failure, silentSince: Date): Promise<boolean> {
  const count = await tx.$executeRaw`
    UPDATE "Task" SET status = 'failed', error = ${failure.message}, "errorDetail" = ${failure.detail}, "finishedAt" = now(), "updatedAt" = now()
    WHERE id = ${taskId} AND status IN ('pending', 'in_progress') AND COALESCE("heartbeatAt", "startedAt", "createdAt") < ${silentSince}`;
  if (count !== 1) return false;
  await tx.taskStep.updateMany({ where: { taskId, status: "in_progress" }, data: { status: "failed", error: failure.message, errorDetail: failure.detail, finishedAt: new Date() } });
  await tx.taskStep.updateMany({ where: { taskId, status: "pending" }, data: { status: "skipped" } });
  return true;
}

/**
 * Makes a failed task run again from step `fromPosition` (the steps before it stay as they are),
 * with its pg-boss job, in `tx`: the task is pending again, its error gone; the steps from there
 * on are pending, their errors gone, and with `forgetFacts` their facts too (what they made is
 * gone, they make it again). False when the task is not failed (any more).
 */
export async function resetForRetry(tx: Db.Prisma.TransactionClient, kind: TaskKind<never>, taskId: string, fromPosition: number, forgetFacts: boolean): Promise<boolean> {
  const { count } = await tx.task.updateMany({
    where: { id: taskId, status: "failed" },
    data: { status: "pending", error: null, errorDetail: null, finishedAt: null, heartbeatAt: null, cancelRequestedAt: null, cancelRequestedBy: null },
  });
  if (count !== 1) return false;
  await tx.taskStep.updateMany({
    where: { taskId, position: { gte: fromPosition } },
    data: { status: "pending", error: null, errorDetail: null, startedAt: null, finishedAt: null, ...(forgetFacts ? { detail: Db.Prisma.DbNull, providerTaskId: null } : {}) },
  });
  const steps = await tx.taskStep.findMany({ where: { taskId }, select: { status: true } });
  await tx.task.update({ where: { id: taskId }, data: { progress: progressOf(steps) } });
  const queue = queues[kind.queue];
  const boss = await getBoss();
  await boss.send(queue.name, { taskId }, { ...queue.sendOptions, db: fromPrisma(tx) });
  return true;
}

/**
 * Removes the log lines of tasks that ended before `before` (retention), at most `batch` lines
 * per call so that one call never holds locks for long; returns how many were removed.
 */
export async function pruneTaskLogs(before: Date, batch = 10_000): Promise<number> {
  return db().$executeRaw`
    DELETE FROM "TaskLog" WHERE id IN (
      SELECT l.id FROM "TaskLog" l JOIN "Task" t ON t.id = l."taskId"
      WHERE t."finishedAt" < ${before} AND t.status IN ('completed', 'failed', 'cancelled')
      LIMIT ${batch})`;
}

export async function stepStarted(stepId: string, startedAt: Date): Promise<void> {
  await db().taskStep.update({ where: { id: stepId }, data: { status: "in_progress", startedAt, error: null, errorDetail: null } });
}

export async function stepFacts(stepId: string, facts: Record<string, unknown>): Promise<void> {
  await db().taskStep.update({ where: { id: stepId }, data: { detail: facts as Db.Prisma.InputJsonValue } });
}

export async function stepProviderTask(stepId: string, providerTaskId: string): Promise<void> {
  await db().taskStep.update({ where: { id: stepId }, data: { providerTaskId } });
}

/** A step failed (words for the user, the provider's for staff): `retry` keeps it running (pg-boss tries the job again). */
export async function stepFailed(stepId: string, failure: Failure, retry: boolean): Promise<void> {
  await db().taskStep.update({
    where: { id: stepId },
    data: { status: retry ? "in_progress" : "failed", error: failure.message, errorDetail: failure.detail, ...(retry ? {} : { finishedAt: new Date() }) },
  });
}

/** A step completed; the task's progress follows. */
export async function stepCompleted(taskId: string, stepId: string): Promise<void> {
  await db().taskStep.update({ where: { id: stepId }, data: { status: "completed", finishedAt: new Date() } });
  const all = await db().taskStep.findMany({ where: { taskId }, select: { status: true } });
  await db().task.update({ where: { id: taskId }, data: { progress: progressOf(all) } });
}

export async function completeTask(tx: Db.Prisma.TransactionClient, taskId: string, result?: JsonObject): Promise<void> {
  await tx.task.update({
    where: { id: taskId },
    data: { status: "completed", progress: 100, finishedAt: new Date(), error: null, errorDetail: null, ...(result ? { result } : {}) },
  });
}

/** Ends a task failed: `failure.message` for its user, `failure.detail` (the provider's words) for staff. */
export async function failTask(taskId: string, failure: Failure, client: Client = db()): Promise<void> {
  await client.task.update({ where: { id: taskId }, data: { status: "failed", error: failure.message, errorDetail: failure.detail, finishedAt: new Date() } });
}

/** Marks a task that has not started cancelled; false when it already started or ended. */
export async function cancelPendingTask(tx: Db.Prisma.TransactionClient, taskId: string): Promise<boolean> {
  const { count } = await tx.task.updateMany({ where: { id: taskId, status: "pending" }, data: { status: "cancelled", finishedAt: new Date() } });
  if (count === 1) await tx.taskStep.updateMany({ where: { taskId, status: "pending" }, data: { status: "skipped" } });
  return count === 1;
}
