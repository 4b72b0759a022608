/**
 * Failures as PVE reports them. A handler `die`s with a message (HTTP 500, reason phrase = first line),
 * raises a parameter exception (HTTP 400 "Parameter verification failed." with per-parameter errors)
 * or a permission exception (HTTP 403 "Permission check failed (...)").
 */
export class PveApiError extends Error {
  constructor(
    message: string,
    readonly status = 500,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
    this.name = "PveApiError";
  }
}

/** `die "msg\n"`: HTTP 500 (or a task's error exit status when thrown inside a worker). */
export function die(message: string): never {
  throw new PveApiError(message, 500);
}

/** raise_param_exc */
export function paramExc(errors: Record<string, string>): never {
  throw new PveApiError("Parameter verification failed.", 400, errors);
}

/** raise_perm_exc */
export function permExc(what?: string): never {
  throw new PveApiError(what ? `Permission check failed (${what})` : "Permission check failed", 403);
}

/** The text a worker's `TASK ERROR:` line carries: chomp, newlines become spaces. */
export function taskErrorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\n+$/, "").replace(/\n/g, " ");
}
