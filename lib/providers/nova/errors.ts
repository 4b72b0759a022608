import { ProviderError, type ProviderErrorKind } from "../types";
import { ALREADY_EXISTS_RE, INSUFFICIENT_BALANCE_RE, SOLD_OUT_RE, SSH_KEY_LIMIT_RE } from "./protocol-guesses";

/**
 * Nova's own error kinds, finer than the provider-neutral ProviderErrorKind (which every
 * NovaError also carries as `kind`, so the core can treat it like any provider failure):
 * - `insufficient_balance`: "Insufficient balance. Required: $10.00, Available: $5.50"; the
 *   message is Nova's words, verbatim, for the user.
 * - `sold_out`: no free GPU of that type (and count) on that node.
 * - `ssh_key_limit`: the account already holds its 5 SSH keys.
 * - `rate_limited`: 429; `retryAfterMs` says how long Nova asked to wait.
 * - `validation`: 422 (FastAPI's list of `{loc, msg, type}`), or the client's own check of a
 *   request before sending it (`status` undefined); `errors` maps each field to its message.
 * - `vm_failed`, `vm_interrupted`, `vm_destroyed`, `vm_offline`, `timeout`: a VM did not reach the
 *   state a flow waited for (see flow.ts).
 * - the rest mirror HTTP: `auth` (401), `forbidden` (403), `not_found` (404), `conflict` (409),
 *   `bad_request` (other 4xx), `unavailable` (502/503/504), `server` (other 5xx, or a reply we
 *   cannot read), `network`, `tls`.
 */
export type NovaErrorKind =
  | "insufficient_balance"
  | "sold_out"
  | "ssh_key_limit"
  | "rate_limited"
  | "validation"
  | "auth"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "bad_request"
  | "unavailable"
  | "server"
  | "network"
  | "tls"
  | "vm_failed"
  | "vm_interrupted"
  | "vm_destroyed"
  | "vm_offline"
  | "timeout";

const PROVIDER_KIND: Record<NovaErrorKind, ProviderErrorKind> = {
  // The account cannot pay: Nova's words reach the user verbatim (lib/tasks/failure.ts).
  insufficient_balance: "payment",
  // No free GPU of that type and count on that node: nothing to retry now.
  sold_out: "capacity",
  // The account holds its 5 keys: the provider reuses keys by fingerprint and its precheck says
  // what to do; a refusal that still gets through is a refused setting.
  ssh_key_limit: "parameter",
  rate_limited: "unavailable",
  validation: "parameter",
  auth: "auth",
  forbidden: "auth",
  not_found: "not_found",
  conflict: "conflict",
  bad_request: "parameter",
  unavailable: "unavailable",
  server: "server",
  network: "network",
  tls: "tls",
  vm_failed: "task_failed",
  vm_interrupted: "task_failed",
  vm_destroyed: "task_failed",
  vm_offline: "task_failed",
  timeout: "task_failed",
};

export type NovaErrorDetails = {
  status?: number;
  errors?: Record<string, string>;
  retryAfterMs?: number;
  /** The VM concerned (flow errors), as Nova last reported it. */
  vmId?: string;
  vmStatus?: string;
  cause?: unknown;
};

/** A Nova failure: `novaKind` is Nova's own kind, `kind` the provider-neutral one. */
export class NovaError extends ProviderError {
  readonly novaKind: NovaErrorKind;
  readonly retryAfterMs?: number;
  readonly vmId?: string;
  readonly vmStatus?: string;

  constructor(novaKind: NovaErrorKind, message: string, details: NovaErrorDetails = {}) {
    super(PROVIDER_KIND[novaKind], message, { status: details.status, errors: details.errors, cause: details.cause });
    this.name = "NovaError";
    this.novaKind = novaKind;
    this.retryAfterMs = details.retryAfterMs;
    this.vmId = details.vmId;
    this.vmStatus = details.vmStatus;
  }
}

export function isNovaError(error: unknown, kind?: NovaErrorKind): error is NovaError {
  return error instanceof NovaError && (kind === undefined || error.novaKind === kind);
}

/** Reads FastAPI's `detail`: a string, or a list of `{loc, msg, type}` (422), or anything else. */
export function readDetail(body: unknown): { message?: string; errors?: Record<string, string> } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return {};
  const detail = (body as Record<string, unknown>).detail ?? (body as Record<string, unknown>).message ?? (body as Record<string, unknown>).error;
  if (typeof detail === "string") return { message: detail.trim() };
  if (Array.isArray(detail)) {
    const errors: Record<string, string> = {};
    const messages: string[] = [];
    for (const item of detail) {
      if (typeof item === "string") {
        messages.push(item);
        continue;
      }
      if (typeof item !== "object" || item === null) continue;
      const { loc, msg } = item as { loc?: unknown; msg?: unknown };
      const text = typeof msg === "string" ? msg : JSON.stringify(item);
      // FastAPI prefixes the location with where it came from: body, query, path, header.
      const path = Array.isArray(loc) ? loc.filter((p, i) => !(i === 0 && ["body", "query", "path", "header"].includes(String(p)))).join(".") : "";
      if (path) {
        errors[path] = errors[path] ? `${errors[path]}; ${text}` : text;
        messages.push(`${path}: ${text}`);
      } else messages.push(text);
    }
    return { message: messages.join("; ") || undefined, errors: Object.keys(errors).length > 0 ? errors : undefined };
  }
  if (typeof detail === "object" && detail !== null) {
    const inner = detail as { msg?: unknown; message?: unknown; error?: unknown };
    const text = [inner.msg, inner.message, inner.error].find((v) => typeof v === "string");
    if (typeof text === "string") return { message: text.trim() };
  }
  return {};
}

/**
 * Parses `Retry-After`: delta-seconds or an HTTP date (RFC 9110), in ms from `now`; undefined when
 * absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * A non-2xx answer as a NovaError. Nova's `detail` is the message (verbatim: the balance error
 * reaches the user in Nova's words); business refusals are recognised by their words, whatever
 * the status, since their codes are undocumented.
 */
export function errorFromResponse(status: number, body: string, headers: Record<string, string | string[] | undefined>, what: string, now = Date.now()): NovaError {
  let json: unknown;
  try {
    json = body.trim() ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  const { message: detail, errors } = readDetail(json);
  const text = detail ?? (body.trim() && json === undefined && body.length < 300 && !/</.test(body) ? body.trim() : undefined);
  const message = text ?? `Nova Cloud answered ${what} with HTTP ${status}`;
  const base = { status, errors };

  if (status === 429) return new NovaError("rate_limited", text ?? `Nova Cloud rate limit reached (${what})`, { ...base, retryAfterMs: retryAfterMs(headers["retry-after"], now) });
  if (status >= 400 && status < 500 && text) {
    if (INSUFFICIENT_BALANCE_RE.test(text)) return new NovaError("insufficient_balance", text, base);
    if (SOLD_OUT_RE.test(text)) return new NovaError("sold_out", text, base);
    if (SSH_KEY_LIMIT_RE.test(text)) return new NovaError("ssh_key_limit", text, base);
  }
  switch (status) {
    case 401:
      return new NovaError("auth", `${message} (${what})`, base);
    case 403:
      return new NovaError("forbidden", `${message} (${what})`, base);
    case 404:
      return new NovaError("not_found", message, base);
    case 409:
      return new NovaError("conflict", message, base);
    case 422:
      return new NovaError("validation", message, base);
  }
  if (status >= 400 && status < 500) return new NovaError(text && ALREADY_EXISTS_RE.test(text) ? "conflict" : "bad_request", message, base);
  if (status === 502 || status === 503 || status === 504) return new NovaError("unavailable", message, base);
  return new NovaError("server", message, base);
}
