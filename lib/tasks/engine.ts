import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { ProviderError, type ProviderStep, type StepContext } from "../providers/types";
import type { TaskKind, TaskPlan, TaskRecord } from "./kinds";
import { appendLog, cancelPendingTask, completeTask, failTask, startTask, stepCompleted, stepFacts, stepFailed, stepProviderTask, stepStarted } from "./store";

/**
 * The one task engine. A worker asks it to run a task; it plans the task through its kind,
 * runs the steps not finished yet (matched to the stored steps by key, so a job retried after a
 * crash resumes where it stopped), records each step's status, provider task ids, facts and log
 * lines, and ends the task through the kind's hooks.
 */
export type RunOutcome = { status: "completed" } | { status: "failed"; error: string } | { status: "retry"; error: Error };

export type TaskKinds = Readonly<Record<string, TaskKind<never>>>;

export function describeError(error: unknown): string {
  if (error instanceof ProviderError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

function factsOf(steps: Pick<Db.TaskStep, "detail">[]): Record<string, unknown> {
  return Object.assign({}, ...steps.map((s) => (s.detail && typeof s.detail === "object" ? s.detail : {})));
}

/**
 * Runs `steps` of task `taskId` that are not finished. `final`: pg-boss will not retry the job
 * again, so a retryable provider error fails the task instead.
 */
export async function runSteps(taskId: string, steps: ProviderStep[], options: { final: boolean }): Promise<RunOutcome> {
  const stored = await db().taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } });
  await startTask(taskId);
  for (const step of steps) {
    const row = stored.find((s) => s.key === step.key);
    if (!row) throw new Error(`task ${taskId} has no stored step "${step.key}"`);
    if (row.status === "completed" || row.status === "skipped") continue;
    const others = stored.filter((s) => s.id !== row.id);
    let own: Record<string, unknown> = (row.detail as Record<string, unknown> | null) ?? {};
    const ctx: StepContext = {
      get facts() {
        return { ...factsOf(others), ...own };
      },
      remember: async (facts) => {
        own = { ...own, ...facts };
        row.detail = own as Db.Prisma.JsonValue;
        await stepFacts(row.id, own);
      },
      recordProviderTask: (id) => stepProviderTask(row.id, id),
      log: (lines) => appendLog(taskId, row.id, lines),
    };
    await stepStarted(row);
    try {
      await step.run(ctx);
    } catch (error) {
      const message = describeError(error);
      const retry = error instanceof ProviderError && error.retryable && !options.final;
      await stepFailed(row.id, message, retry);
      await appendLog(taskId, row.id, retry ? `${step.name}: ${message} (will retry)` : `${step.name} failed: ${message}`, retry ? "warn" : "error");
      log.warn({ taskId, step: step.key, err: message, retry }, "task step failed");
      if (retry) return { status: "retry", error: error as Error };
      return { status: "failed", error: message };
    }
    await stepCompleted(taskId, row.id);
    row.status = "completed";
  }
  return { status: "completed" };
}

/** Runs compensation steps outside the task's own steps (their facts are kept only while they run); lines go to the task's log. */
async function runLoose(taskId: string, steps: ProviderStep[]): Promise<void> {
  const facts: Record<string, unknown> = {};
  const ctx: StepContext = {
    get facts() {
      return facts;
    },
    remember: async (more) => void Object.assign(facts, more),
    recordProviderTask: async () => {},
    log: (lines) => appendLog(taskId, null, lines),
  };
  for (const step of steps) await step.run(ctx);
}

async function taskFacts(taskId: string): Promise<Record<string, unknown>> {
  return factsOf(await db().taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" }, select: { detail: true } }));
}

/**
 * The worker's entry: runs task `taskId` of one of `kinds` to its end, or throws to ask pg-boss
 * for a retry (a retryable provider error, or a failure of our own bookkeeping, unless `final`).
 */
export async function runTask(kinds: TaskKinds, taskId: string, options: { final: boolean }): Promise<void> {
  const task = await db().task.findUnique({ where: { id: taskId } });
  if (!task) {
    log.warn({ taskId }, "task is gone; nothing to do");
    return;
  }
  if (task.status === "completed" || task.status === "failed" || task.status === "cancelled") return;
  const kind = kinds[task.kind];
  if (!kind) throw new Error(`unknown task kind "${task.kind}"`);
  const plan: TaskPlan | null = await kind.plan(task as TaskRecord<never>);
  if (!plan) {
    log.warn({ taskId }, "the task's subject is gone; nothing to do");
    return;
  }

  let outcome: RunOutcome;
  try {
    outcome = await runSteps(taskId, plan.steps, options);
  } catch (error) {
    // A failure of our own bookkeeping (database): let pg-boss retry unless this was the last try.
    if (!options.final) throw error;
    outcome = { status: "failed", error: describeError(error) };
  }
  if (outcome.status === "retry") throw outcome.error;

  const facts = await taskFacts(taskId);
  if (outcome.status === "completed") {
    await db().$transaction(async (tx) => {
      const done = await plan.completed({ tx, facts });
      // The last line before the end: a page following the task stops reading once it has ended.
      if (done.line) await appendLog(taskId, null, done.line, "info", tx);
      await completeTask(tx, taskId, done.result);
    });
    return;
  }
  await plan.failed({
    error: outcome.error,
    facts,
    log: (lines, level = "info") => appendLog(taskId, null, lines, level),
    runLoose: (steps) => runLoose(taskId, steps),
  });
  await failTask(taskId, outcome.error);
}

/**
 * Cancels a task that has not started: marks it cancelled and lets its kind undo what
 * accepting it did, in one transaction. A task already running cannot be cancelled (409).
 */
export async function cancelTask(kinds: TaskKinds, taskId: string): Promise<void> {
  const task = await db().task.findUnique({ where: { id: taskId } });
  if (!task) throw new AppError("not_found", "Task not found");
  const kind = kinds[task.kind];
  if (!kind) throw new Error(`unknown task kind "${task.kind}"`);
  const plan = await kind.plan(task as TaskRecord<never>);
  await db().$transaction(async (tx) => {
    if (!(await cancelPendingTask(tx, taskId))) throw new AppError("conflict", "Only a task that has not started can be cancelled");
    await plan?.cancelled?.({ tx });
    await appendLog(taskId, null, "Cancelled before it started", "info", tx);
  });
}
