import { isAppError } from "../errors";
import { log } from "../log";
import { currentRequestId, withReference } from "./request-id";

/** What every server action answers: the data, or a message safe to show. */
export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: string; data?: unknown };

/**
 * Runs one domain call for a server action, turning the typed domain error into a result. Any
 * other error is our fault: logged with the request id, which the answer quotes as its reference.
 */
export async function actionResult<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message, data: error.data ?? undefined };
    const requestId = await currentRequestId();
    log.error({ err: error, requestId }, "server action failed");
    return { ok: false, error: withReference("Something went wrong. Try again.", requestId) };
  }
}
