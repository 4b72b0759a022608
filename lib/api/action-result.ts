import { ZodError } from "zod";
import { isAppError } from "../errors";
import { log } from "../log";
import type { ActionFailure, ActionResult } from "../schemas/action-result";
import { currentRequestId, withReference } from "./request-id";

export type { ActionFailure, ActionResult } from "../schemas/action-result";

/** A zod refusal as an action result: each issue's message under its field path. */
export function invalidResult(error: ZodError): ActionFailure {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "root";
    fieldErrors[key] ??= issue.message;
  }
  return { ok: false, error: "Some fields need attention", fieldErrors };
}

/**
 * The one helper from typed errors to a server action's result: runs one domain call and
 * answers its data, or for an AppError its message with the field errors it carries
 * (lib/admin/common.ts fieldError) and the reasons of a quota denial; a ZodError becomes field
 * errors; anything else is our fault: logged with the request id, which the answer quotes as
 * its reference (never internals).
 */
export async function actionResult<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (error) {
    if (error instanceof ZodError) return invalidResult(error);
    if (isAppError(error)) {
      const data = (error.data ?? {}) as { fieldErrors?: Record<string, string>; denials?: { message: string }[] };
      return {
        ok: false,
        error: error.message,
        ...(data.fieldErrors ? { fieldErrors: data.fieldErrors } : {}),
        ...(data.denials?.length ? { details: data.denials.map((d) => d.message) } : {}),
      };
    }
    const requestId = await currentRequestId();
    log.error({ err: error, requestId }, "server action failed");
    return { ok: false, error: withReference("Something went wrong. Try again.", requestId) };
  }
}
