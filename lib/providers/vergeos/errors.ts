import { ProviderError, type ProviderErrorKind } from "../types";

/**
 * Why a VergeOS call failed, finer than ProviderErrorKind (which is shared by all providers):
 * `storage_full` is 507 (tier full or resources short, kind `capacity`), `rate_limited` 429 (1000 requests an
 * hour per API key, doc), `timeout` 408 (a power operation timed out, 2025 posts).
 */
export type VergeErrorReason =
  | "parameter" // 400
  | "validation" // 422
  | "auth" // 401
  | "forbidden" // 403
  | "not_found" // 404
  | "not_permitted" // 405
  | "conflict" // 409: name taken, or already in that power state
  | "storage_full" // 507
  | "timeout" // 408
  | "rate_limited" // 429
  | "unavailable" // 500/502/503/504
  | "server" // other statuses, unreadable answers
  | "network"
  | "tls";

/** A VergeOS failure: the provider's own words as `message`, plus the HTTP status and the request. */
export class VergeOsError extends ProviderError {
  constructor(
    kind: ProviderErrorKind,
    readonly reason: VergeErrorReason,
    message: string,
    details: { status?: number; cause?: unknown } = {},
    /** `METHOD /table[/key]`, without query or body (never secrets). */
    readonly request?: string,
  ) {
    super(kind, message, details);
    this.name = "VergeOsError";
  }
}

/** The shared kind for an HTTP status (see PROVIDERS.md, VergeOS "Codes"). */
export function classifyStatus(status: number): { kind: ProviderErrorKind; reason: VergeErrorReason } {
  switch (status) {
    case 400:
      return { kind: "parameter", reason: "parameter" };
    case 422:
      return { kind: "parameter", reason: "validation" };
    case 401:
      return { kind: "auth", reason: "auth" };
    case 403:
      return { kind: "auth", reason: "forbidden" };
    case 404:
      return { kind: "not_found", reason: "not_found" };
    case 405:
      return { kind: "server", reason: "not_permitted" };
    case 409:
      return { kind: "conflict", reason: "conflict" };
    case 507:
      // Tier full, or no free device / resources at power-on: nothing to retry now.
      return { kind: "capacity", reason: "storage_full" };
    case 408:
      return { kind: "unavailable", reason: "timeout" };
    case 429:
      return { kind: "unavailable", reason: "rate_limited" };
    case 500:
    case 502:
    case 503:
    case 504:
      return { kind: "unavailable", reason: "unavailable" };
    default:
      return { kind: "server", reason: "server" };
  }
}

function asText(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim()) return value.trim();
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const inner = (value as { message?: unknown }).message;
    if (typeof inner === "string" && inner.trim()) return inner.trim();
  }
  return undefined;
}

/**
 * The error text of a VergeOS answer: `err` (doc api-guide, govergeos, tsvergeos), `error` (2025
 * posts), `message` (string or `{message}`, pyVergeOS), then the raw body (cut at 300 chars), then
 * the status line.
 */
export function errorText(status: number, statusMessage: string, body: string): string {
  const trimmed = body.trim();
  if (trimmed) {
    try {
      const json: unknown = JSON.parse(trimmed);
      if (typeof json === "object" && json !== null && !Array.isArray(json)) {
        const record = json as Record<string, unknown>;
        const text = asText(record.err) ?? asText(record.error) ?? asText(record.message);
        if (text) return text;
      } else if (typeof json === "string" && json.trim()) return json.trim();
    } catch {
      // not JSON: the raw text below
    }
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[") && !/^<(!doctype|html)/i.test(trimmed)) {
      return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
    }
  }
  return `HTTP ${status}${statusMessage ? ` ${statusMessage}` : ""}`;
}

/** A non-2xx answer as a VergeOsError; `request` is `METHOD /path` (no query: filters may hold names). */
export function errorFromResponse(status: number, statusMessage: string, body: string, request: string): VergeOsError {
  const { kind, reason } = classifyStatus(status);
  const text = errorText(status, statusMessage, body);
  // Auth failures name the request: "Login required" alone does not say which call broke.
  return new VergeOsError(kind, reason, kind === "auth" ? `${text} (${request})` : text, { status }, request);
}
