import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { ProviderError, type ProviderRef, type ProviderStep, type StepContext } from "../providers/types";
import { DeadlineError, taskDeadlines, withDeadline, type TaskDeadlines } from "./deadline";
import { describeFailure } from "./failure";
import type { TaskKind, TaskPlan, TaskRecord } from "./kinds";
import { alignSteps, appendLog, cancelPendingTask, completeTask, endCancelled, failTask, heartbeat, startTask, stepCompleted, stepFacts, stepFailed, stepProviderTask, stepStarted } from "./store";
import { env } from "../env";
import { checkQuotaThresholds, notifyTaskFinished } from "../notifications";

/**
 * The one task engine. A worker asks it to run a task; it plans the task through its kind,
 * runs the steps not finished yet (matched to the stored steps by key, so a job retried after a
 * crash resumes where it stopped), records each step's status, provider task ids, facts and log
 * lines, and ends the task through the kind's hooks.
 */
export type RunOutcome =
  | { status: "completed" }
  | { status: "failed"; error: string; detail: string | null }
  | { status: "retry"; error: Error }
  /** Someone cancelled the task while it ran (`by`: who); the running step was stopped. */
  | { status: "cancelled"; by: string | null; detail: string | null }
  /** Someone else ended the task meanwhile (support marked it failed): nothing more to do here. */
  | { status: "abandoned" };

/** Why a running step was stopped from outside: a cancel, or the task ended elsewhere. */
class StepStopped extends Error {
  constructor(readonly reason: "cancel" | "ended", readonly by: string | null = null) {
    super(reason === "cancel" ? "cancelled" : "the task ended elsewhere");
    this.name = "StepStopped";
  }
}

/** Interval of a running step's heartbeat, ms (HANGAR_STEP_HEARTBEAT_SECONDS). */
export function heartbeatMs(): number {
  return env().HANGAR_STEP_HEARTBEAT_SECONDS * 1000;
}

/** The words of a cancel for the task's user and history. */
export const cancelledBy = (by: string | null) => (by ? `Cancelled by ${by}` : "Cancelled");

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
  options: {
    final: boolean;
    deadlines?: TaskDeadlines;
    heartbeatMs?: number;
    stopProviderTask?: (providerTaskId: string) => Promise<boolean>;
    claimRef?: (ref: ProviderRef) => Promise<boolean>;
    gpusAttached?: () => Promise<void>;
  },
): Promise<RunOutcome> {
  const { stepMs } = options.deadlines ?? taskDeadlines();
  const beatMs = options.heartbeatMs ?? heartbeatMs();
  const claim = options.claimRef;
  const attached = options.gpusAttached;
  // A task accepted before an upgrade may lack steps its plan has gained since: add them.
  const added = await alignSteps(taskId, steps);
  if (added.length) {
    const names = steps.filter((s) => added.includes(s.key)).map((s) => s.name);
    await appendLog(taskId, null, `Added ${names.length === 1 ? "a step" : "steps"} this task did not have when it was accepted: ${names.join(", ")}`);
  }
  const stored = await db().taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } });
  if (!(await startTask(taskId))) return { status: "abandoned" };
  for (const step of steps) {
    const row = stored.find((s) => s.key === step.key);
    if (!row) throw new Error(`task ${taskId} has no stored step "${step.key}"`);
    if (row.status === "completed" || row.status === "skipped") continue;
    // A cancel asked between two steps (or while the job waited for a retry) stops here.
    const before = await heartbeat(taskId);
    if (!before.running) return { status: "abandoned" };
    if (before.cancel) return { status: "cancelled", by: before.cancel.by, detail: null };
    const others = stored.filter((s) => s.id !== row.id);
    let own: Record<string, unknown> = (row.detail as Record<string, unknown> | null) ?? {};
    let providerTaskId = row.providerTaskId;
    const startedAt = row.startedAt ?? new Date();
    const overdue = () =>
      new DeadlineError(`${step.name} did not finish within ${seconds(stepMs)} (the provider may be slow or not answering); try again later`, row.errorDetail ?? undefined);
    let stopped: Error | null = null;
    const alive = () => {
      if (stopped) throw stopped;
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
        providerTaskId = id;
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
      ...(attached
        ? {
            gpusAttached: async () => {
              alive();
              await attached();
            },
          }
        : {}),
    };
    await stepStarted(row.id, startedAt);
    // The heartbeat: stamps the task while the step runs and learns of a cancel (then asks the
    // provider to stop its running job, where it can) or of the task ending elsewhere.
    let stopFromOutside: (error: Error) => void = () => undefined;
    const outside = new Promise<never>((_, reject) => {
      stopFromOutside = reject;
    });
    outside.catch(() => undefined);
    let beating = false;
    const timer = setInterval(() => {
      if (beating || stopped) return;
      beating = true;
      void (async () => {
        const beat = await heartbeat(taskId);
        if (!beat.running) stopped = new StepStopped("ended");
        else if (beat.cancel) {
          stopped = new StepStopped("cancel", beat.cancel.by);
          if (providerTaskId && options.stopProviderTask) {
            const asked = await options.stopProviderTask(providerTaskId).catch((error: unknown) => {
              log.warn({ taskId, providerTaskId, err: describeError(error) }, "could not stop the provider's task");
              return false;
            });
            await appendLog(taskId, row.id, asked ? `Asked the provider to stop its task ${providerTaskId}` : `The provider's task ${providerTaskId} could not be stopped; it is left to end on its own`);
          }
        }
        if (stopped) stopFromOutside(stopped);
      })()
        .catch((error: unknown) => log.warn({ taskId, err: describeError(error) }, "task heartbeat failed"))
        .finally(() => {
          beating = false;
        });
    }, beatMs);
    try {
      const left = startedAt.getTime() + stepMs - Date.now();
      if (left <= 0) throw overdue();
      await withDeadline(
        left,
        () => Promise.race([step.run(ctx), outside]),
        () => {
          stopped = overdue();
          return stopped;
        },
      );
    } catch (error) {
      clearInterval(timer);
      // The step may have failed because its provider task was stopped by a cancel: ask once more.
      const seen = stopped as Error | null; // set by the heartbeat's closure
      const stop = error instanceof StepStopped ? error : seen instanceof StepStopped ? seen : await cancelAsked(taskId);
      if (stop?.reason === "ended") return { status: "abandoned" };
      const failure = stop ? { message: cancelledBy(stop.by), detail: error instanceof StepStopped ? null : describeFailure(error).detail } : describeFailure(error);
      const retry = !stop && error instanceof ProviderError && error.retryable && !options.final;
      await stepFailed(row.id, failure, retry);
      const line = stop ? `${step.name}: ${failure.message}` : error instanceof DeadlineError ? failure.message : retry ? `${step.name}: ${failure.message} (will retry)` : `${step.name} failed: ${failure.message}`;
      await appendLog(taskId, row.id, line, stop ? "warn" : retry ? "warn" : "error", failure.detail);
      log.warn({ taskId, step: step.key, err: failure.detail ?? failure.message, retry, cancelled: Boolean(stop) }, "task step failed");
      if (stop) return { status: "cancelled", by: stop.by, detail: failure.detail };
      if (retry) return { status: "retry", error: error as Error };
      return { status: "failed", error: failure.message, detail: failure.detail };
    }
    clearInterval(timer);
    await stepCompleted(taskId, row.id);
    row.status = "completed";
  }
  return { status: "completed" };
}

/** A cancel asked of the task (or its end elsewhere), read once after a step failed. */
async function cancelAsked(taskId: string): Promise<StepStopped | null> {
  const task = await db().task.findUnique({ where: { id: taskId }, select: { status: true, cancelRequestedAt: true, cancelRequestedBy: true } });
  if (!task || task.status !== "in_progress") return new StepStopped("ended");
  return task.cancelRequestedAt ? new StepStopped("cancel", task.cancelRequestedBy) : null;
}

/**
 * Runs compensation steps outside the task's own steps (their facts are kept only while they
 * run; lines go to the task's log), within the step deadline so that the task always ends.
 */
export async function runLoose(taskId: string, steps: ProviderStep[]): Promise<void> {
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

/** The facts every step of the task remembered, merged in step order. */
export async function taskFacts(taskId: string): Promise<Record<string, unknown>> {
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
    const gpusAttached = plan.gpusAttached?.bind(plan);
    outcome = await runSteps(taskId, plan.steps, { ...options, stopProviderTask: plan.stopProviderTask?.bind(plan), ...(claimRef ? { claimRef } : {}), ...(gpusAttached ? { gpusAttached } : {}) });
  } catch (error) {
    // A failure of our own bookkeeping (database): let pg-boss retry unless this was the last try.
    if (!options.final) throw error;
    const failure = describeFailure(error);
    outcome = { status: "failed", error: failure.message, detail: failure.detail };
  }
  if (outcome.status === "retry") throw outcome.error;
  if (outcome.status === "abandoned") {
    log.warn({ taskId }, "the task was ended elsewhere while it ran; stopped");
    return;
  }

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
  const cancelled = outcome.status === "cancelled";
  const error = outcome.status === "cancelled" ? cancelledBy(outcome.by) : outcome.error;
  await plan.failed({
    error,
    detail: outcome.detail,
    facts,
    log: (lines, level = "info", detail = null) => appendLog(taskId, null, lines, level, detail),
    runLoose: (steps) => runLoose(taskId, steps),
    ending: cancelled ? "cancelled" : "failed",
  });
  if (cancelled) await endCancelled(taskId, error, outcome.detail);
  else await failTask(taskId, { message: error, detail: outcome.detail });
  await afterFinish(taskId, task.userId);
}

/**
 * After support marked a task failed whose worker is gone (store.markAbandoned committed): lets
 * its kind compensate as for a failure (release the quota; what the provider made is kept for a
 * retry or removed, see the kind), logging under the task, then tells its requester. `message`
 * says who marked it. Problems of the compensation are logged in the task, never thrown.
 */
export async function compensateAbandoned(kinds: TaskKinds, taskId: string, message: string): Promise<void> {
  const task = await db().task.findUniqueOrThrow({ where: { id: taskId } });
  const kind = kinds[task.kind];
  const plan = kind ? await kind.plan(task as TaskRecord<never>) : null;
  if (plan) {
    try {
      await plan.failed({
        error: message,
        detail: null,
        facts: await taskFacts(taskId),
        log: (lines, level = "info", detail = null) => appendLog(taskId, null, lines, level, detail),
        runLoose: (steps) => runLoose(taskId, steps),
        ending: "abandoned",
      });
    } catch (error) {
      const failure = describeFailure(error);
      await appendLog(taskId, null, `Releasing what the task held failed: ${failure.message}`, "error", failure.detail);
    }
  }
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
