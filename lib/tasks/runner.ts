import { db } from "../db/client";
import type { Db } from "../db/client";
import { log } from "../log";
import { ProviderError, type ProviderLogLine, type ProvisionStep, type StepContext } from "../providers/types";

/**
 * Runs a task's remaining steps, persisting each step's status, timestamps, provider task id
 * and log lines as it goes. Completed steps are skipped, so a job retried after a crash resumes
 * where it stopped; each step itself checks what already happened on the provider.
 */
export type RunOutcome = { status: "completed" } | { status: "failed"; error: string } | { status: "retry"; error: Error };

type StepRow = Db.TaskStep;

function merged(steps: StepRow[]): Record<string, unknown> {
  return Object.assign({}, ...steps.map((s) => (s.detail && typeof s.detail === "object" ? s.detail : {})));
}

export function progressOf(steps: { status: string }[]): number {
  if (steps.length === 0) return 0;
  const done = steps.filter((s) => s.status === "completed" || s.status === "skipped").length;
  return Math.round((done / steps.length) * 100);
}

export async function appendLog(taskId: string, stepId: string | null, lines: ProviderLogLine[] | string, level = "info"): Promise<void> {
  const rows = typeof lines === "string" ? [lines] : lines.map((l) => l.t);
  if (rows.length === 0) return;
  await db().taskLog.createMany({ data: rows.map((line) => ({ taskId, stepId, line: line.slice(0, 4000), level })) });
}

export function describeError(error: unknown): string {
  if (error instanceof ProviderError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * `steps` are matched to the task's stored steps by position (stored steps were created with
 * the same list). `final` tells whether pg-boss will not retry this job again.
 */
export async function runSteps(taskId: string, steps: ProvisionStep[], options: { final: boolean }): Promise<RunOutcome> {
  const stored = await db().taskStep.findMany({ where: { taskId }, orderBy: { position: "asc" } });
  await db().task.update({ where: { id: taskId }, data: { status: "in_progress", startedAt: new Date() } });
  for (const step of steps) {
    const row = stored.find((s) => s.name === step.name);
    if (!row) throw new Error(`task ${taskId} has no stored step "${step.name}"`);
    if (row.status === "completed" || row.status === "skipped") continue;
    const earlier = stored.filter((s) => s.position < row.position);
    let detail: Record<string, unknown> = (row.detail as Record<string, unknown> | null) ?? {};
    const ctx: StepContext = {
      get state() {
        return { ...merged(earlier), ...detail };
      },
      remember: async (facts) => {
        detail = { ...detail, ...facts };
        await db().taskStep.update({ where: { id: row.id }, data: { detail: detail as Db.Prisma.InputJsonValue } });
      },
      setUpid: async (upid) => {
        await db().taskStep.update({ where: { id: row.id }, data: { upid } });
      },
      log: (lines) => appendLog(taskId, row.id, lines),
    };
    await db().taskStep.update({ where: { id: row.id }, data: { status: "in_progress", startedAt: row.startedAt ?? new Date(), error: null } });
    try {
      await step.run(ctx);
    } catch (error) {
      const message = describeError(error);
      const retry = error instanceof ProviderError && error.retryable && !options.final;
      await db().taskStep.update({ where: { id: row.id }, data: { status: retry ? "in_progress" : "failed", error: message, ...(retry ? {} : { finishedAt: new Date() }) } });
      await appendLog(taskId, row.id, retry ? `${step.name}: ${message} (will retry)` : `${step.name} failed: ${message}`, retry ? "warn" : "error");
      log.warn({ taskId, step: step.key, err: message, retry }, "task step failed");
      if (retry) return { status: "retry", error: error as Error };
      return { status: "failed", error: message };
    }
    const finished = await db().taskStep.update({ where: { id: row.id }, data: { status: "completed", finishedAt: new Date() } });
    row.status = finished.status;
    row.detail = finished.detail;
    const all = await db().taskStep.findMany({ where: { taskId }, select: { status: true } });
    await db().task.update({ where: { id: taskId }, data: { progress: progressOf(all) } });
  }
  return { status: "completed" };
}
