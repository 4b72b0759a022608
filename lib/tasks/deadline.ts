import { env } from "../env";

/**
 * Deadlines of task work (issue 7, finding 10): a step may run at most `stepMs` from its first
 * start (retries of its job included); best-effort provider calls after a failure (reading the
 * VM's state) get `cleanupMs`. Provider calls have their own deadlines (lib/providers/registry.ts).
 */
export type TaskDeadlines = { stepMs: number; cleanupMs: number };

/** From HANGAR_STEP_TIMEOUT_SECONDS; the clean-up budget is the smaller of that and 15 s. */
export function taskDeadlines(): TaskDeadlines {
  const stepMs = env().HANGAR_STEP_TIMEOUT_SECONDS * 1000;
  return { stepMs, cleanupMs: Math.min(stepMs, 15_000) };
}

/** A deadline that passed. `message` is safe to show to users; `detail` is for staff. */
export class DeadlineError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "DeadlineError";
  }
}

/**
 * Runs `work`, rejecting with `onTimeout()` once `ms` have passed (the work itself cannot be
 * cancelled: it is given an AbortSignal, and its later rejection is swallowed).
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, onTimeout: () => Error): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const running = work(controller.signal);
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(onTimeout());
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([running, expired]);
  } finally {
    clearTimeout(timer);
    running.catch(() => undefined);
  }
}
