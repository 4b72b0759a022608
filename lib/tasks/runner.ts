import { db } from "../db/client";
import type { Db } from "../db/client";
import { log } from "../log";
import { ProviderError, type ProviderLogLine, type ProvisionStep, type StepContext } from "../providers/types";
import { DeadlineError, taskDeadlines, withDeadline, type TaskDeadlines } from "./deadline";
import { describeFailure } from "./failure";

/**
 * Runs a task's remaining steps, persisting each step's status, timestamps, provider task id
 * and log lines as it goes. Completed steps are skipped, so a job retried after a crash resumes
 * where it stopped; each step itself checks what already happened on the provider.
 */
export type RunOutcome = { status: "completed" } | { status: "failed"; error: string; detail: string | null } | { status: "retry"; error: Error };

type StepRow = Db.TaskStep;

function merged(steps: StepRow[]): Record<string, unknown> {
  return Object.assign({}, ...steps.map((s) => (s.detail && typeof s.detail === "object" ? s.detail : {})));
}

export function progressOf(steps: { status: string }[]): number {
  if (steps.length === 0) return 0;
  const done = steps.filter((s) => s.status === "completed" || s.status === "skipped").length;
  return Math.round((done / steps.length) * 100);
}

/**
 * Appends log lines to a task. `detail` (one string for all the lines) is what support and
 * admins see besides them: the provider's own words behind a failure (lib/tasks/failure.ts).
 */
export async function appendLog(taskId: string, stepId: string | null, lines: ProviderLogLine[] | string, level = "info", detail: string | null = null): Promise<void> {
  const rows = typeof lines === "string" ? [lines] : lines.map((l) => l.t);
  if (rows.length === 0) return;
  await db().taskLog.createMany({ data: rows.map((line) => ({ taskId, stepId, line: line.slice(0, 4000), level, detail: detail?.slice(0, 4000) ?? null })) });
}

/** The raw words of an error, for server logs and staff only (users get describeFailure's message). */
export function describeError(error: unknown): string {
  if (error instanceof ProviderError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * `steps` are matched to the task's stored steps by position (stored steps were created with
 * the same list). `final` tells whether pg-boss will not retry this job again.
 *
 * Every step has a deadline (`deadlines.stepMs`, default from HANGAR_STEP_TIMEOUT_SECONDS),
 * counted from its first start, so retries of the job count too: when it passes, the step
 * fails for good with a reason, whatever the provider is doing, and a step still running in
 * the background is stopped at its next use of its context. Failures are stored twice: words
 * for the user (error, log line) and the provider's details for staff (errorDetail, detail).
 */
export async function runSteps(taskId: string, steps: ProvisionStep[], options: { final: boolean; deadlines?: TaskDeadlines }): Promise<RunOutcome> {
  const { stepMs } = options.deadlines ?? taskDeadlines();
  const stored = await db().taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } });
  await db().task.update({ where: { id: taskId }, data: { status: "in_progress", startedAt: new Date() } });
  for (const step of steps) {
    const row = stored.find((s) => s.name === step.name);
    if (!row) throw new Error(`task ${taskId} has no stored step "${step.name}"`);
    if (row.status === "completed" || row.status === "skipped") continue;
    const earlier = stored.filter((s) => s.position < row.position);
    let detail: Record<string, unknown> = (row.detail as Record<string, unknown> | null) ?? {};
    const startedAt = row.startedAt ?? new Date();
    const overdue = () =>
      new DeadlineError(`${step.name} did not finish within ${seconds(stepMs)} (the provider may be slow or not answering); try again later`, row.errorDetail ?? undefined);
    let stopped = false;
    const alive = () => {
      if (stopped) throw overdue();
    };
    const ctx: StepContext = {
      get state() {
        return { ...merged(earlier), ...detail };
      },
      remember: async (facts) => {
        alive();
        detail = { ...detail, ...facts };
        await db().taskStep.update({ where: { id: row.id }, data: { detail: detail as Db.Prisma.InputJsonValue } });
      },
      setUpid: async (upid) => {
        alive();
        await db().taskStep.update({ where: { id: row.id }, data: { upid } });
      },
      log: async (lines) => {
        alive();
        await appendLog(taskId, row.id, lines);
      },
    };
    await db().taskStep.update({ where: { id: row.id }, data: { status: "in_progress", startedAt, error: null, errorDetail: null } });
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
      await db().taskStep.update({
        where: { id: row.id },
        data: { status: retry ? "in_progress" : "failed", error: failure.message, errorDetail: failure.detail, ...(retry ? {} : { finishedAt: new Date() }) },
      });
      const line = error instanceof DeadlineError ? failure.message : retry ? `${step.name}: ${failure.message} (will retry)` : `${step.name} failed: ${failure.message}`;
      await appendLog(taskId, row.id, line, retry ? "warn" : "error", failure.detail);
      log.warn({ taskId, step: step.key, err: failure.detail ?? failure.message, retry }, "task step failed");
      if (retry) return { status: "retry", error: error as Error };
      return { status: "failed", error: failure.message, detail: failure.detail };
    }
    const finished = await db().taskStep.update({ where: { id: row.id }, data: { status: "completed", finishedAt: new Date() } });
    row.status = finished.status;
    row.detail = finished.detail;
    const all = await db().taskStep.findMany({ where: { taskId }, select: { status: true } });
    await db().task.update({ where: { id: taskId }, data: { progress: progressOf(all) } });
  }
  return { status: "completed" };
}
