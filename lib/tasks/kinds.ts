import type { Db } from "../db/client";
import type { JsonObject, ProviderLogLine, ProviderRef, ProviderStep } from "../providers/types";
import type { queues } from "../jobs/queues";

/**
 * A task kind, defined once: which queue carries it, its step plan, and what happens when it
 * completes, fails for good or is cancelled. The engine (lib/tasks/engine.ts) alone writes the
 * task's rows; a kind only changes its own domain's rows (e.g. the VM) in the hooks.
 */
export type TaskKind<Input = unknown> = {
  name: string;
  queue: keyof typeof queues;
  /** Loads what the task works on and plans its steps; null: nothing to do any more (e.g. its VM is gone). */
  plan(task: TaskRecord<Input>): Promise<TaskPlan | null>;
};

export type TaskRecord<Input = unknown> = Omit<Db.Task, "input"> & { input: Input };

/** Adds lines to the task's log; `detail`: the provider's own words behind them, for staff only. */
export type LogFn = (lines: ProviderLogLine[] | string, level?: "info" | "warn" | "error", detail?: string | null) => Promise<void>;

export type TaskPlan = {
  /** The steps still to run are matched to the stored ones by key. */
  steps: ProviderStep[];
  /**
   * The task completed: update the domain's rows in `tx` (the task completes in the same
   * transaction) and say what the task produced (stored as Task.result) and its last log line.
   */
  completed(ctx: { tx: Db.Prisma.TransactionClient; facts: Readonly<Record<string, unknown>> }): Promise<{ result?: JsonObject; line?: string }>;
  /**
   * The task failed for good: `error` in words for its user, `detail` the provider's own (for
   * staff: lib/tasks/failure.ts). Compensate (release, undo, clean up with `runLoose`, which has
   * the step deadline), logging what happened. The task is marked failed afterwards.
   */
  failed(ctx: {
    error: string;
    detail: string | null;
    facts: Readonly<Record<string, unknown>>;
    log: LogFn;
    runLoose: (steps: ProviderStep[]) => Promise<void>;
    /**
     * Why the task ended: `failed` (a step failed: what it made may be kept a while for a retry),
     * `cancelled` (someone cancelled it while it ran: clean up now) or `abandoned` (support marked
     * it failed because its worker is gone: nothing may call the provider for long here).
     */
    ending: TaskEnding;
  }): Promise<void>;
  /** Create kinds: what a step's `claimRef` does (records the provider's id of the VM being made; false when another VM holds it). */
  claimRef?(ref: ProviderRef): Promise<boolean>;
  /** Create kinds: what a step's `gpusAttached` does (the VM's GPUs now count as attached, not promised). */
  gpusAttached?(): Promise<void>;
  /** The task was cancelled before it ran: undo what accepting it did. */
  cancelled?(ctx: { tx: Db.Prisma.TransactionClient }): Promise<void>;
  /**
   * Support (or the owner) retries the failed task: in `tx`, take back what its failure gave up
   * (e.g. reserve the quota again; throws an AppError when that is no longer possible) and say
   * where to resume: `failed_step` (the steps before it stay done, what they made is reused) or
   * `first_step` (what the earlier steps made is gone: they run again with their facts
   * forgotten). Absent: the kind cannot be retried.
   */
  retry?(ctx: { tx: Db.Prisma.TransactionClient; facts: Readonly<Record<string, unknown>> }): Promise<{ from: "failed_step" | "first_step"; line?: string }>;
  /** Asks the provider to stop one of its own running jobs (a step's provider task id); false when it cannot. */
  stopProviderTask?(providerTaskId: string): Promise<boolean>;
};

export type TaskEnding = "failed" | "cancelled" | "abandoned";

/** A step of a new task: done when the request was accepted, or still to run. */
export type PlannedStep = { key: string; name: string; done?: boolean; detail?: JsonObject };
