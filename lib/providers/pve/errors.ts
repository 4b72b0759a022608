import { ProviderError, type ProviderErrorKind } from "../types";
import type { RawResponse } from "./transport";

/**
 * Turns a non-2xx PVE answer into a ProviderError carrying PVE's own words.
 *
 * - 400 "Parameter verification failed." with `{data:null, errors:{param: msg}}`.
 * - 401 arrives with an empty body; the reason is only in the status line.
 * - Everything else is usually 500 with the first line of the error as reason phrase
 *   (`500 VM is locked (clone)`); newer servers repeat it as `message` in the body.
 */
function bodyJson(body: string): Record<string, unknown> | undefined {
  if (!body.trim()) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === "string" ? v.trim() : JSON.stringify(v);
  return out;
}

export function kindFor(status: number, message: string): ProviderErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 400) return "parameter";
  // Both are lock contention, transient: another operation holds the VM (`VM is locked (clone)`),
  // or parallel clones wait on the config file lock (`can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout`).
  if (/VM is locked|can't lock file .* got timeout/i.test(message)) return "locked";
  if (/already exists/i.test(message)) return "conflict";
  if (status === 404 || /does not exist|no such (uri|vm|task)|not found/i.test(message)) return "not_found";
  // 59x: pveproxy could not reach the node it forwards to (AnyEvent::HTTP pseudo statuses;
  // 595 = connection never established).
  if (status === 502 || status === 503 || (status >= 595 && status <= 599)) return "unavailable";
  return "server";
}

export function errorFromResponse(res: RawResponse, what: string): ProviderError {
  const json = bodyJson(res.body);
  const bodyMessage = typeof json?.message === "string" ? json.message.trim() : "";
  const reason = res.statusMessage.trim();
  const base = bodyMessage || reason || `HTTP ${res.status}`;
  const errors = res.status === 400 ? stringRecord(json?.errors) : undefined;
  if (errors && Object.keys(errors).length > 0) {
    const detail = Object.entries(errors)
      .map(([param, msg]) => `${param}: ${msg}`)
      .join("; ");
    return new ProviderError("parameter", `${base.replace(/\.$/, "")}: ${detail}`, { status: res.status, errors });
  }
  const kind = kindFor(res.status, base);
  // Auth failures name the request: "authentication failure" alone does not say which login broke.
  return new ProviderError(kind, kind === "auth" ? `${base} (${what})` : base, { status: res.status });
}
