import type { FieldValues, Path, UseFormSetError } from "react-hook-form";

import type { ActionResult } from "@/lib/schemas/action-result";

export type { ActionResult } from "@/lib/schemas/action-result";

/**
 * Shows a refused action in its form: each field error under its field; returns the message
 * for the form's alert (the first field error's words when the server only named fields).
 */
export function showRefusal<T extends FieldValues>(result: Extract<ActionResult<unknown>, { ok: false }>, setError: UseFormSetError<T>): string {
  const entries = Object.entries(result.fieldErrors ?? {});
  for (const [field, message] of entries) setError(field as Path<T>, { type: "server", message });
  return result.error;
}
