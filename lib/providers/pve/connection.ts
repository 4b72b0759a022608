import type http from "node:http";
import { log } from "../../log";
import { ProviderError, type TlsOptions } from "../types";
import { isRecord } from "./coerce";
import { errorFromResponse } from "./errors";
import { decodePveForm, encodeParams, type PveParams } from "./form";
import type { PveHttpMethod } from "./schema-types";
import { createAgent, send, wasNeverSent, type RawResponse } from "./transport";

export type { PveHttpMethod };

export type PveAuth =
  /** API token `user@realm!name` and its secret: stateless, no CSRF token needed. */
  | { type: "token"; tokenId: string; secret: string }
  /** Ticket login; `username` may be `user@realm`, else `realm` (default `pam`) is appended. */
  | { type: "ticket"; username: string; password: string; realm?: string };

/** Every request as PVE will see it: path without /api2/json, params as its form decoder reads them. */
export type PveRequestInfo = { method: PveHttpMethod; path: string; params: Record<string, string> };

export type PveRetryOptions = { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };

export type PveConnectionOptions = {
  /** `https://host:8006` (the `/api2/json` suffix is added when missing); `http://` works for stubs. */
  baseUrl: string;
  auth: PveAuth;
  tls?: TlsOptions;
  /** Per HTTP attempt, connection to last byte. Default 30 s. */
  timeoutMs?: number;
  /**
   * Deadline of one call with all its retries (and back-off), ms: no attempt starts, and none
   * runs, past it; the last error is thrown then. Default: none (attempts × timeoutMs).
   */
  callTimeoutMs?: number;
  retry?: PveRetryOptions;
  /** Log in again once a ticket is this old (they live 2 h). Default 90 min. */
  ticketRenewMs?: number;
  /** Called before every HTTP attempt (login included). The params hold secrets as sent: do not log them. */
  onRequest?: (info: PveRequestInfo) => void;
  /** For tests: the clock used for ticket age. */
  now?: () => number;
};

export type CallOptions = {
  /**
   * May this request be repeated when it might already have been processed (the connection
   * broke after sending, or a 502)? Requests that were never sent, 503s and `VM is locked`
   * rejections are always repeated. Default: true for GET, false otherwise.
   */
  idempotent?: boolean;
  /** Overrides the connection's per-attempt timeout for this call. */
  timeoutMs?: number;
};

type Ticket = { ticket: string; csrf: string; obtainedAt: number };

const logger = log.child({ component: "pve-client" });

export function normalizeBaseUrl(baseUrl: string): URL {
  const withScheme = /^[a-z]+:\/\//i.test(baseUrl) ? baseUrl : `https://${baseUrl}`;
  const url = new URL(withScheme);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`PVE base URL must be http(s): ${baseUrl}`);
  url.pathname = `${url.pathname.replace(/\/+$/, "").replace(/\/api2\/json$/, "")}/api2/json`;
  url.search = "";
  url.hash = "";
  return url;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Authentication, encoding, retries and error mapping for PVE's REST API. PveClient builds
 * the typed calls on top of `call`.
 *
 * Retry policy (exponential backoff with jitter, `retry.attempts` tries in all):
 * - always: the connection never came up (refused, DNS, connect timeout: nothing was sent),
 *   503 and 595 (PVE/pveproxy did not handle it), and `VM is locked` (PVE checks the lock
 *   before doing anything);
 * - only for idempotent calls: a connection lost or timed out after sending, 502 and other
 *   59x — the request may have been processed, and repeating a clone, start, destroy or a
 *   relative resize could do it twice. Callers of those check the VM's state and retry
 *   themselves (e.g. the provider looks for the clone before cloning again);
 * - never: 400, auth, not found, conflicts, TLS, other 500s.
 * A 401 with ticket auth logs in again once, outside the attempt count. With `callTimeoutMs`,
 * the whole call (attempts and back-off) ends by that deadline.
 */
export class PveConnection {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly tls: TlsOptions;
  private readonly retry: Required<PveRetryOptions>;
  private ticket: Ticket | undefined;
  private login: Promise<Ticket> | undefined;

  constructor(private readonly options: PveConnectionOptions) {
    this.base = normalizeBaseUrl(options.baseUrl);
    this.tls = options.tls ?? { verify: true };
    this.agent = createAgent(this.base, this.tls);
    this.retry = {
      attempts: Math.max(1, options.retry?.attempts ?? 4),
      baseDelayMs: options.retry?.baseDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 8_000,
    };
  }

  close(): void {
    this.agent.destroy();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Sends one API call with authentication and retries; resolves to the envelope's `data`. */
  async call(method: PveHttpMethod, path: string, params?: PveParams, options: CallOptions = {}): Promise<unknown> {
    const idempotent = options.idempotent ?? method === "GET";
    const callTimeoutMs = this.options.callTimeoutMs;
    const deadline = callTimeoutMs === undefined ? Infinity : Date.now() + callTimeoutMs;
    const perAttempt = options.timeoutMs ?? this.options.timeoutMs ?? 30_000;
    let relogged = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const headers = await this.authHeaders(method);
        const timeoutMs = Math.max(1, Math.min(perAttempt, deadline - Date.now()));
        return await this.exchange(method, path, params, headers, attempt, timeoutMs);
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        // An expired or revoked ticket: log in again, once, without counting an attempt.
        if (error.kind === "auth" && error.details.status === 401 && this.options.auth.type === "ticket" && this.ticket && !relogged) {
          relogged = true;
          this.ticket = undefined;
          attempt--;
          continue;
        }
        if (attempt >= this.retry.attempts || !this.retryable(error, idempotent)) throw error;
        const delay = this.backoff(attempt);
        if (Date.now() + delay >= deadline) {
          throw new ProviderError(error.kind, `${error.message} (no answer within the call's deadline of ${callTimeoutMs} ms, ${attempt} attempt${attempt === 1 ? "" : "s"})`, error.details);
        }
        logger.debug({ method, path, attempt, kind: error.kind, delayMs: Math.round(delay) }, "pve request retry");
        await sleep(delay);
      }
    }
  }

  private retryable(error: ProviderError, idempotent: boolean): boolean {
    switch (error.kind) {
      case "locked": // the lock check runs before PVE does anything
        return true;
      case "unavailable": // 503 / 595: not handled; 502 and other 59x: may have been forwarded
        return error.details.status === 503 || error.details.status === 595 || idempotent;
      case "network":
        return wasNeverSent(error) || idempotent;
      default:
        return false;
    }
  }

  /** Exponential, capped, with "equal jitter": half fixed, half random. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  private async authHeaders(method: PveHttpMethod): Promise<Record<string, string>> {
    const auth = this.options.auth;
    if (auth.type === "token") return { Authorization: `PVEAPIToken=${auth.tokenId}=${auth.secret}` };
    const ticket = await this.currentTicket();
    const headers: Record<string, string> = { Cookie: `PVEAuthCookie=${ticket.ticket}` };
    if (method !== "GET") headers.CSRFPreventionToken = ticket.csrf;
    return headers;
  }

  private async currentTicket(): Promise<Ticket> {
    const renewMs = this.options.ticketRenewMs ?? 90 * 60_000;
    if (this.ticket && this.now() - this.ticket.obtainedAt < renewMs) return this.ticket;
    // One login for all concurrent callers.
    this.login ??= this.fetchTicket().finally(() => (this.login = undefined));
    this.ticket = await this.login;
    return this.ticket;
  }

  private async fetchTicket(): Promise<Ticket> {
    const auth = this.options.auth;
    if (auth.type !== "ticket") throw new Error("fetchTicket without ticket credentials");
    const username = auth.username.includes("@") ? auth.username : `${auth.username}@${auth.realm ?? "pam"}`;
    const data = await this.exchange("POST", "/access/ticket", { username, password: auth.password }, {}, 1);
    if (!isRecord(data) || typeof data.ticket !== "string" || typeof data.CSRFPreventionToken !== "string") {
      throw new ProviderError("auth", `PVE login for ${username} returned no ticket (two-factor authentication is not supported)`);
    }
    return { ticket: data.ticket, csrf: data.CSRFPreventionToken, obtainedAt: this.now() };
  }

  /** One HTTP attempt. GET/DELETE carry parameters in the query string, POST/PUT in a form body. */
  private async exchange(
    method: PveHttpMethod,
    path: string,
    params: PveParams | undefined,
    authHeaders: Record<string, string>,
    attempt: number,
    timeoutMs = this.options.timeoutMs ?? 30_000,
  ): Promise<unknown> {
    const form = encodeParams(params);
    const encoded = form.toString();
    const inBody = method === "POST" || method === "PUT";
    const url = new URL(this.base);
    url.pathname = `${this.base.pathname}${path}`;
    if (!inBody && encoded) url.search = encoded;
    const body = inBody && encoded ? encoded : undefined;

    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "hangar-pve-client", ...authHeaders };
    // No Content-Type without a body: PVE rejects a JSON (or any typed) empty body.
    if (body !== undefined) headers["Content-Type"] = "application/x-www-form-urlencoded";

    this.options.onRequest?.({ method, path: decodeURIComponent(path), params: { ...decodePveForm(body ?? ""), ...decodePveForm(url.search.slice(1)) } });
    const started = Date.now();
    let res: RawResponse;
    try {
      res = await send(this.agent, this.tls, { method, url, headers, body, timeoutMs });
    } catch (error) {
      logger.debug({ method, path, attempt, params: Object.keys(params ?? {}), ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) }, "pve request failed");
      throw error;
    }
    logger.debug({ method, path, attempt, params: Object.keys(params ?? {}), status: res.status, ms: Date.now() - started }, "pve request");

    if (res.status < 200 || res.status > 299) throw errorFromResponse(res, `${method} ${decodeURIComponent(path)}`);
    if (!res.body.trim()) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      throw new ProviderError("server", `PVE answered ${method} ${path} with a non-JSON body (${res.headers["content-type"] ?? "no content type"})`, { status: res.status });
    }
    return isRecord(parsed) ? (parsed.data ?? null) : null;
  }
}
