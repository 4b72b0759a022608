import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { ProviderError, type ProviderRef, type ProviderStep, type StepContext } from "../providers/types";
import { DeadlineError, taskDeadlines, withDeadline, type TaskDeadlines } from "./deadline";
import { describeFailure } from "./failure";
import type { TaskKind, TaskPlan, TaskRecord } from "./kinds";
import { alignSteps, appendLog, cancelPendingTask, completeTask, failTask, startTask, stepCompleted, stepFacts, stepFailed, stepProviderTask, stepStarted } from "./store";
import { checkQuotaThresholds, notifyTaskFinished } from "../notifications";

/**
 * The one task engine. A worker asks it to run a task; it plans the task through its kind,
 * runs the steps not finished yet (matched to the stored steps by key, so a job retried after a
 * crash resumes where it stopped), records each step's status, provider task ids, facts and log
 * lines, and ends the task through the kind's hooks.
 */
export type RunOutcome = { status: "completed" } | { status: "failed"; error: string; detail: string | null } | { status: "retry"; error: Error };

export type TaskKinds = Readonly<Record<string, TaskKind<never>>>;

/** The raw words of an error, for server logs and staff only (users get describeFailure's message). */
export function describeError(error: unknown): string {
  if (error instanceof ProviderError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function factsOf(steps: Pick<Db.TaskStep, "detail">[]): Record<string, unknown> {
  return Object.assign({}, ...steps.map((s) => (s.detail && typeof s.detail === "object" ? s.detail : {})));
}

/**
 * Runs `steps` of task `taskId` that are not finished. `final`: pg-boss will not retry the job
 * again, so a retryable provider error fails the task instead.
 *
 * Every step has a deadline (`deadlines.stepMs`, default from HANGAR_STEP_TIMEOUT_SECONDS),
 * counted from its first start, so retries of the job count too: when it passes, the step
 * fails for good with a reason, whatever the provider is doing, and a step still running in
 * the background is stopped at its next use of its context. Failures are stored twice: words
 * for the user (error, log line) and the provider's details for staff (errorDetail, detail).
 */
export async function runSteps(
  taskId: string,
  steps: ProviderStep[],
  options: { final: boolean; deadlines?: TaskDeadlines; claimRef?: (ref: ProviderRef) => Promise<boolean> },
): Promise<RunOutcome> {
  const { stepMs } = options.deadlines ?? taskDeadlines();
  const claim = options.claimRef;
  // A task accepted before an upgrade may lack steps its plan has gained since: add them.
  const added = await alignSteps(taskId, steps);
  if (added.length) {
    const names = steps.filter((s) => added.includes(s.key)).map((s) => s.name);
    await appendLog(taskId, null, `Added ${names.length === 1 ? "a step" : "steps"} this task did not have when it was accepted: ${names.join(", ")}`);
  }
  const stored = await db().taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } });
  await startTask(taskId);
  for (const step of steps) {
    const row = stored.find((s) => s.key === step.key);
    if (!row) throw new Error(`task ${taskId} has no stored step "${step.key}"`);
    if (row.status === "completed" || row.status === "skipped") continue;
    const others = stored.filter((s) => s.id !== row.id);
    let own: Record<string, unknown> = (row.detail as Record<string, unknown> | null) ?? {};
    const startedAt = row.startedAt ?? new Date();
    const overdue = () =>
      new DeadlineError(`${step.name} did not finish within ${seconds(stepMs)} (the provider may be slow or not answering); try again later`, row.errorDetail ?? undefined);
    let stopped = false;
    const alive = () => {
      if (stopped) throw overdue();
    };
    const ctx: StepContext = {
      get facts() {
        return { ...factsOf(others), ...own };
      },
      remember: async (facts) => {
        alive();
        own = { ...own, ...facts };
        row.detail = own as Db.Prisma.JsonValue;
        await stepFacts(row.id, own);
      },
      recordProviderTask: async (id) => {
        alive();
        await stepProviderTask(row.id, id);
      },
      log: async (lines) => {
        alive();
        await appendLog(taskId, row.id, lines);
      },
      ...(claim
        ? {
            claimRef: async (ref: ProviderRef) => {
              alive();
              return claim(ref);
            },
          }
        : {}),
    };
    await stepStarted(row.id, startedAt);
    try {
      const left = startedAt.getTime() + stepMs - Date.now();
      if (left <= 0) throw overdue();
      await withDeadline(left, () => step.run(ctx), () => {
        stopped = true;
        return overdue();
      });
    } catch (error) {
      const failure = describeFailure(error);
      const retry = error instanceof ProviderError && error.retryable && !options.final;
      await stepFailed(row.id, failure, retry);
      const line = error instanceof DeadlineError ? failure.message : retry ? `${step.name}: ${failure.message} (will retry)` : `${step.name} failed: ${failure.message}`;
      await appendLog(taskId, row.id, line, retry ? "warn" : "error", failure.detail);
      log.warn({ taskId, step: step.key, err: failure.detail ?? failure.message, retry }, "task step failed");
      if (retry) return { status: "retry", error: error as Error };
      return { status: "failed", error: failure.message, detail: failure.detail };
    }
    await stepCompleted(taskId, row.id);
    row.status = "completed";
  }
  return { status: "completed" };
}

/**
 * Runs compensation steps outside the task's own steps (their facts are kept only while they
 * run; lines go to the task's log), within the step deadline so that the task always ends.
 */
async function runLoose(taskId: string, steps: ProviderStep[]): Promise<void> {
  const { stepMs } = taskDeadlines();
  await withDeadline(stepMs, () => runLooseSteps(taskId, steps), () => new DeadlineError(`did not finish within ${seconds(stepMs)}`));
}

async function runLooseSteps(taskId: string, steps: ProviderStep[]): Promise<void> {
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
    const claimRef = plan.claimRef?.bind(plan);
    outcome = await runSteps(taskId, plan.steps, { ...options, ...(claimRef ? { claimRef } : {}) });
  } catch (error) {
    // A failure of our own bookkeeping (database): let pg-boss retry unless this was the last try.
    if (!options.final) throw error;
    const failure = describeFailure(error);
    outcome = { status: "failed", error: failure.message, detail: failure.detail };
  }
  if (outcome.status === "retry") throw outcome.error;

  const facts = await taskFacts(taskId);
  if (outcome.status === "completed") {
    await db().$transaction(async (tx) => {
      const done = await plan.completed({ tx, facts });
      // The last line before the end: a page following the task stops reading once it has ended.
      if (done.line) await appendLog(taskId, null, done.line, "info", null, tx);
      await completeTask(tx, taskId, done.result);
    });
    await afterFinish(taskId, task.userId);
    return;
  }
  await plan.failed({
    error: outcome.error,
    detail: outcome.detail,
    facts,
    log: (lines, level = "info", detail = null) => appendLog(taskId, null, lines, level, detail),
    runLoose: (steps) => runLoose(taskId, steps),
  });
  await failTask(taskId, { message: outcome.error, detail: outcome.detail });
  await afterFinish(taskId, task.userId);
}

/**
 * Tells the task's requester how it ended (in the app, and by email when they chose so) and
 * re-checks their quota levels (a finished create, resize or delete changes their use). Runs
 * after the final state has committed; never throws (lib/notifications logs its own problems).
 */
async function afterFinish(taskId: string, userId: string): Promise<void> {
  await notifyTaskFinished(taskId);
  await checkQuotaThresholds(userId);
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
    await appendLog(taskId, null, "Cancelled before it started", "info", null, tx);
  });
}
