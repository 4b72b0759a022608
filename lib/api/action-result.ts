import { isAppError } from "../errors";
import { log } from "../log";

/** What every server action answers: the data, or a message safe to show. */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: string; data?: unknown };

/** Runs one domain call for a server action, turning the typed domain error into a result. */
export async function actionResult<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message, data: error.data ?? undefined };
    log.error({ err: error }, "server action failed");
    return { ok: false, error: "Something went wrong. Try again." };
  }
}
