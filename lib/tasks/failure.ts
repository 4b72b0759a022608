import { AppError } from "../errors";
import { ProviderError, type ProviderErrorKind } from "../providers/types";
import { DeadlineError } from "./deadline";

/**
 * What a failure says to whom (issue 7, finding 9). Users read `message`: what failed, in words
 * they can act on, never a provider's URL, host, or wire-level error. Support and admins also
 * read `detail`: the provider's own words (kept in Task.errorDetail, TaskStep.errorDetail and
 * TaskLog.detail, shown only to them by getTask).
 */
export type Failure = { message: string; detail: string | null };

/** One sentence per kind of provider failure, provider-neutral. */
export const PROVIDER_FAILURE_MESSAGES: Record<ProviderErrorKind, string> = {
  network: "The provider did not answer; try again later",
  unavailable: "The provider is temporarily unavailable; try again later",
  locked: "The VM is busy with another operation on the provider; try again in a few minutes",
  auth: "The portal's login to the provider was refused; an administrator needs to check the provider connection",
  tls: "The provider's certificate was not accepted; an administrator needs to check the provider connection",
  parameter: "The provider refused the requested settings; check the size and storage, or ask support",
  conflict: "The provider reports a conflict (for example, the VM id is already in use); try again",
  not_found: "The provider could not find the VM or a resource it needs; it may have been changed outside the portal",
  task_failed: "The operation failed on the provider; try again, or ask support if it fails again",
  payment: "The provider account cannot pay for this request",
  capacity: "The provider has no free capacity for this request now (sold out, or its storage is full); choose another type or try later",
  server: "The provider reported an error; try again later, or ask support if it persists",
};

export const INTERNAL_FAILURE_MESSAGE = "The portal hit an internal error; ask support to look at this task";

/** Removes URLs (scheme://…) from text shown to users, for lines written before this module existed. */
export function withoutUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, "[provider address]");
}

/** The user's and the staff's view of any error a task step or its bookkeeping threw. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof ProviderError) {
    const status = error.details.status ? ` (HTTP ${error.details.status})` : "";
    // A payment refusal is the provider's business answer to the user ("Insufficient balance.
    // Required: $10.00, Available: $5.50", issue 11): its words reach the user as they are.
    if (error.kind === "payment") return { message: withoutUrls(error.message), detail: `${error.kind}: ${error.message}${status}` };
    return { message: PROVIDER_FAILURE_MESSAGES[error.kind], detail: `${error.kind}: ${error.message}${status}` };
  }
  if (error instanceof DeadlineError) return { message: error.message, detail: error.detail ?? null };
  // Our own typed errors carry messages meant for users.
  if (error instanceof AppError) return { message: error.message, detail: null };
  return { message: INTERNAL_FAILURE_MESSAGE, detail: error instanceof Error ? error.message : String(error) };
}
