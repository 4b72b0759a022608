import type http from "node:http";
import { log } from "../../log";
import type { TlsOptions } from "../types";
import { NovaError, errorFromResponse } from "./errors";
import { isRecord, parseBalance, parseOffers, parsePricing, parseReservationQuote, parseSshKey, parseSshKeyList, parseVm, parseVmList, str, num, unexpected } from "./parse";
import { DOCUMENTED_ACCESS_TOKEN_TTL_MS, SSH_KEY_LIST_PATH, TOKEN_RENEW_MARGIN_MS, TOKEN_REPLY_FIELDS, USAGE_PARAMS, VM_ACTION_ROUTES, sshKeyDeletePath } from "./protocol-guesses";
import { createAgent, send, wasNeverSent, type RawResponse } from "./transport";
import {
  NOVA_MAX_SSH_KEY_LABEL,
  novaCreateVmSchema,
  type NovaBalance,
  type NovaCreateVmInput,
  type NovaOffer,
  type NovaPricing,
  type NovaReservationMonths,
  type NovaReservationQuote,
  type NovaSshKey,
  type NovaVm,
} from "./types";

export type NovaAuth =
  /** An API key `nv_…` (recommended by Nova), sent as `Authorization: Bearer nv_…`. */
  | { type: "api_key"; apiKey: string }
  /** Account login: a JWT from `POST /auth/login`, renewed with `POST /auth/refresh`. */
  | { type: "login"; email: string; password: string };

export type NovaRetryOptions = {
  /** Tries in all, per call (default 4). */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The longest `Retry-After` the client waits out; a longer one fails the call at once (default 60 s). */
  maxRetryAfterMs?: number;
};

/** One request as sent, secrets replaced by `***` (for tests and debugging; never log the token). */
export type NovaRequestInfo = { method: string; path: string; query?: Record<string, string>; body?: Record<string, unknown>; authenticated: boolean };

export type NovaClientOptions = {
  /** `https://api.nova-cloud.ai` (a path prefix is kept); `http://` works for stubs. */
  baseUrl: string;
  auth: NovaAuth;
  tls?: TlsOptions;
  /** Per HTTP attempt, connection to last byte, ms (default 30 s). */
  timeoutMs?: number;
  /** Deadline of one call with its retries and waits, ms (default 120 s). */
  callTimeoutMs?: number;
  retry?: NovaRetryOptions;
  onRequest?: (info: NovaRequestInfo) => void;
  /** For tests: the clock used for token expiry. */
  now?: () => number;
};

export type NovaCallOptions = {
  query?: Record<string, string | number | undefined>;
  body?: Record<string, unknown>;
  /** false for the public endpoints (`/search`, `/pricing`) and the login calls. */
  authenticated?: boolean;
  /** May a request that might have been processed be repeated? Default: GET only. */
  idempotent?: boolean;
};

type Token = { access: string; refresh?: string; expiresAt: number };

const logger = log.child({ component: "nova-client" });
const SECRET_FIELDS = new Set(["password", "refresh_token", "api_key", "access_token"]);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function normalizeBaseUrl(baseUrl: string): URL {
  const withScheme = /^[a-z]+:\/\//i.test(baseUrl) ? baseUrl : `https://${baseUrl}`;
  const url = new URL(withScheme);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`Nova Cloud base URL must be http(s): ${baseUrl}`);
  url.pathname = url.pathname.replace(/\/+$/, "");
  url.search = "";
  url.hash = "";
  return url;
}

/** An id that goes into a URL path: refuse anything that could change the path Nova sees. */
function seg(id: string, what: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(id)) throw new NovaError("validation", `Invalid Nova ${what} id: ${JSON.stringify(id)}`, { errors: { [what]: "invalid id" } });
  return id;
}

/** The `exp` claim of a JWT, in ms, or undefined (the token is opaque to us otherwise). */
export function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const exp = isRecord(claims) ? num(claims.exp) : undefined;
    return exp === undefined ? undefined : exp * 1000;
  } catch {
    return undefined;
  }
}

function redact(body: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_FIELDS.has(k) && v !== undefined ? "***" : v]));
}

/**
 * Nova Cloud's REST API: JSON over HTTPS, no envelope, `Authorization: Bearer …` (API key or
 * JWT), errors as FastAPI's `{detail}`. Typed methods for the documented endpoints; the
 * undocumented ones (VM actions, key list) take their paths from protocol-guesses.ts.
 *
 * Retries (exponential backoff with jitter, at most `retry.attempts` tries, all within
 * `callTimeoutMs`): 429 for every method (the request was refused, not processed), waiting
 * `Retry-After` when given; connection failures before anything was sent; for idempotent calls
 * (GET by default) also 502/503/504 and connections lost after sending. `POST /vms` is never
 * repeated after it may have reached Nova (a second rental would bill too). With login auth, a
 * 401 renews the token once (refresh, else login) and replays the request.
 */
export class NovaClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  /** Fresh connections for requests that must not be repeated (no race with an idle-close). */
  private readonly oneShot: http.Agent;
  private readonly tls: TlsOptions;
  private readonly retry: Required<NovaRetryOptions>;
  private token: Token | undefined;
  private renewing: Promise<Token> | undefined;

  constructor(private readonly options: NovaClientOptions) {
    this.base = normalizeBaseUrl(options.baseUrl);
    this.tls = options.tls ?? { verify: true };
    this.agent = createAgent(this.base, this.tls);
    this.oneShot = createAgent(this.base, this.tls, false);
    this.retry = {
      attempts: Math.max(1, options.retry?.attempts ?? 4),
      baseDelayMs: options.retry?.baseDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 8_000,
      maxRetryAfterMs: options.retry?.maxRetryAfterMs ?? 60_000,
    };
  }

  /** Frees the kept-alive sockets. */
  close(): void {
    this.agent.destroy();
    this.oneShot.destroy();
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Sends one call with authentication, retries and error mapping; resolves to the parsed JSON (null for an empty body). */
  async request(method: string, path: string, options: NovaCallOptions = {}): Promise<unknown> {
    const authenticated = options.authenticated ?? true;
    const idempotent = options.idempotent ?? method === "GET";
    const callTimeoutMs = this.options.callTimeoutMs ?? 120_000;
    const deadline = Date.now() + callTimeoutMs;
    const perAttempt = this.options.timeoutMs ?? 30_000;
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      let sent = false;
      try {
        const headers: Record<string, string> = {};
        if (authenticated) headers.Authorization = `Bearer ${await this.bearer()}`;
        sent = true;
        const timeoutMs = Math.max(1, Math.min(perAttempt, deadline - Date.now()));
        return await this.exchange(method, path, options, headers, authenticated, timeoutMs, idempotent);
      } catch (error) {
        if (!(error instanceof NovaError)) throw error;
        // A JWT that lapsed or was revoked: renew once, without counting an attempt.
        if (sent && error.details.status === 401 && authenticated && this.options.auth.type === "login" && !renewed) {
          renewed = true;
          if (this.token) this.token = { ...this.token, expiresAt: 0 };
          attempt--;
          continue;
        }
        const delay = this.retryDelay(error, attempt, idempotent);
        if (delay === undefined) throw error;
        if (Date.now() + delay >= deadline) {
          const wait = error.novaKind === "rate_limited" && error.retryAfterMs !== undefined ? `Nova asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s; ` : "";
          throw new NovaError(error.novaKind, `${error.message} (${wait}no answer within the call's deadline of ${callTimeoutMs} ms, ${attempt} attempt${attempt === 1 ? "" : "s"})`, {
            status: error.details.status,
            errors: error.details.errors,
            retryAfterMs: error.retryAfterMs,
            cause: error,
          });
        }
        logger.debug({ method, path, attempt, kind: error.novaKind, delayMs: Math.round(delay) }, "nova request retry");
        await sleep(delay);
      }
    }
  }

  /** How long to wait before the next attempt, or undefined when the error is final. */
  private retryDelay(error: NovaError, attempt: number, idempotent: boolean): number | undefined {
    if (attempt >= this.retry.attempts) return undefined;
    switch (error.novaKind) {
      case "rate_limited":
        if (error.retryAfterMs !== undefined) return error.retryAfterMs > this.retry.maxRetryAfterMs ? undefined : error.retryAfterMs;
        return this.backoff(attempt);
      case "unavailable":
        return idempotent ? this.backoff(attempt) : undefined;
      case "network":
        return wasNeverSent(error) || idempotent ? this.backoff(attempt) : undefined;
      default:
        return undefined;
    }
  }

  /** Exponential, capped, with "equal jitter". */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  private async bearer(): Promise<string> {
    const auth = this.options.auth;
    if (auth.type === "api_key") return auth.apiKey;
    if (this.token && this.now() < this.token.expiresAt - TOKEN_RENEW_MARGIN_MS) return this.token.access;
    // One renewal for all concurrent callers.
    this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    this.token = await this.renewing;
    return this.token.access;
  }

  private async renew(): Promise<Token> {
    const refresh = this.token?.refresh;
    if (refresh) {
      try {
        return this.tokenFrom(await this.exchange("POST", "/auth/refresh", { body: { refresh_token: refresh } }, {}, false, this.options.timeoutMs ?? 30_000), "POST /auth/refresh", refresh);
      } catch (error) {
        // An expired refresh token: log in again. Anything else (network, 5xx) too: a login is cheap.
        logger.debug({ error: error instanceof Error ? error.message : String(error) }, "nova token refresh failed; logging in");
      }
    }
    return this.login();
  }

  private async login(): Promise<Token> {
    const auth = this.options.auth;
    if (auth.type !== "login") throw new Error("login without account credentials");
    try {
      const data = await this.exchange("POST", "/auth/login", { body: { email: auth.email, password: auth.password } }, {}, false, this.options.timeoutMs ?? 30_000);
      return this.tokenFrom(data, "POST /auth/login");
    } catch (error) {
      if (error instanceof NovaError && (error.novaKind === "auth" || error.novaKind === "bad_request" || error.novaKind === "validation" || error.novaKind === "forbidden")) {
        throw new NovaError("auth", `Nova Cloud login for ${auth.email} failed: ${error.message.replace(/ \(POST \/auth\/login\)$/, "")}`, { status: error.details.status, cause: error });
      }
      throw error;
    }
  }

  private tokenFrom(data: unknown, what: string, previousRefresh?: string): Token {
    if (!isRecord(data)) throw unexpected(what, data);
    const pickStr = (keys: readonly string[]) => keys.map((k) => str(data[k])).find((v) => v !== undefined);
    const access = pickStr(TOKEN_REPLY_FIELDS.access);
    if (!access) throw new NovaError("auth", `${what} returned no access token`);
    const expiresIn = TOKEN_REPLY_FIELDS.expiresIn.map((k) => num(data[k])).find((v) => v !== undefined);
    const expiresAt = expiresIn !== undefined ? this.now() + expiresIn * 1000 : (jwtExpiry(access) ?? this.now() + DOCUMENTED_ACCESS_TOKEN_TTL_MS);
    return { access, refresh: pickStr(TOKEN_REPLY_FIELDS.refresh) ?? previousRefresh, expiresAt };
  }

  /** One HTTP attempt. */
  private async exchange(method: string, path: string, options: NovaCallOptions, authHeaders: Record<string, string>, authenticated: boolean, timeoutMs: number, idempotent = true): Promise<unknown> {
    const url = new URL(this.base);
    // A base without a path prefix has pathname "/": never send "//vms".
    url.pathname = `${this.base.pathname.replace(/\/+$/, "")}${path}`;
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) query[k] = String(v);
    if (Object.keys(query).length > 0) url.search = new URLSearchParams(query).toString();
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "hangar-nova-client", ...authHeaders };
    if (body !== undefined) headers["Content-Type"] = "application/json";

    this.options.onRequest?.({ method, path, query: Object.keys(query).length > 0 ? query : undefined, body: redact(options.body), authenticated });
    const started = Date.now();
    let res: RawResponse;
    try {
      res = await send(idempotent ? this.agent : this.oneShot, this.tls, { method, url, headers, body, timeoutMs });
    } catch (error) {
      logger.debug({ method, path, ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) }, "nova request failed");
      throw error;
    }
    logger.debug({ method, path, status: res.status, ms: Date.now() - started }, "nova request");
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.body, res.headers, `${method} ${path}`);
    if (!res.body.trim()) return null;
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw new NovaError("server", `Nova Cloud answered ${method} ${path} with a non-JSON body (${res.headers["content-type"] ?? "no content type"})`, { status: res.status });
    }
  }

  // ------------------------------------------------------------------ catalogue (no auth)

  /** `GET /search`: the GPU offers, parsed tolerantly (entries without a gpu_type are dropped). */
  async search(): Promise<NovaOffer[]> {
    return parseOffers(await this.request("GET", "/search", { authenticated: false }));
  }

  /** `GET /pricing`: per-GPU-hour prices by GPU type, plus what else is readable. */
  async pricing(): Promise<NovaPricing> {
    return parsePricing(await this.request("GET", "/pricing", { authenticated: false }));
  }

  // ------------------------------------------------------------------ VMs

  /**
   * `POST /vms`, after checking the body against every documented rule (a NovaError
   * `validation` with per-field messages, nothing sent). Never retried once it may have reached
   * Nova. Returns the new VM (`status: "creating"`).
   */
  async createVm(input: NovaCreateVmInput): Promise<NovaVm> {
    const parsed = novaCreateVmSchema.safeParse(input);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.join(".") || "body";
        errors[key] = errors[key] ? `${errors[key]}; ${issue.message}` : issue.message;
      }
      throw new NovaError("validation", `Invalid Nova VM request: ${Object.values(errors).join("; ")}`, { errors });
    }
    const body = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
    return parseVm(await this.request("POST", "/vms", { body }), "POST /vms");
  }

  /** `GET /vms/{id}` (`id` is the VM's uuid, never its `vmid`). */
  async getVm(id: string): Promise<NovaVm> {
    return parseVm(await this.request("GET", `/vms/${seg(id, "vm")}`), "GET /vms/{id}");
  }

  /** `GET /vms/{id}`, or null when Nova says it does not exist (404) — e.g. after destroy. */
  async findVm(id: string): Promise<NovaVm | null> {
    try {
      return await this.getVm(id);
    } catch (error) {
      if (error instanceof NovaError && error.novaKind === "not_found") return null;
      throw error;
    }
  }

  /** `GET /vms` (a bare or wrapped array), with the documented `limit`/`offset`. */
  async listVms(page: { limit?: number; offset?: number } = {}): Promise<NovaVm[]> {
    return parseVmList(await this.request("GET", "/vms", { query: { limit: page.limit, offset: page.offset } }));
  }

  /** Start, stop or restart (undocumented routes: protocol-guesses.ts). Returns the VM when Nova sends it back. */
  async vmAction(id: string, action: "start" | "stop" | "restart"): Promise<NovaVm | null> {
    const route = VM_ACTION_ROUTES[action];
    const data = await this.request(route.method, route.path(seg(id, "vm")));
    try {
      return parseVm(data);
    } catch {
      return null;
    }
  }

  /** Destroys a VM (irreversible; ends all charges). A VM that is already gone (404) is fine: returns false. */
  async deleteVm(id: string): Promise<boolean> {
    const route = VM_ACTION_ROUTES.delete;
    try {
      await this.request(route.method, route.path(seg(id, "vm")));
      return true;
    } catch (error) {
      if (error instanceof NovaError && error.novaKind === "not_found") return false;
      throw error;
    }
  }

  // ------------------------------------------------------------------ SSH keys

  /** `POST /ssh-keys` (the key is checked by the caller: see ssh-key.ts). */
  async uploadSshKey(publicKey: string, label?: string): Promise<NovaSshKey> {
    const body: Record<string, unknown> = { ssh_public_key: publicKey.trim() };
    if (label !== undefined) body.label = label.slice(0, NOVA_MAX_SSH_KEY_LABEL);
    return parseSshKey(await this.request("POST", "/ssh-keys", { body }), "POST /ssh-keys");
  }

  async getSshKey(id: string): Promise<NovaSshKey> {
    return parseSshKey(await this.request("GET", `/ssh-keys/${seg(id, "ssh_key")}`), "GET /ssh-keys/{id}");
  }

  /** The account's keys (undocumented list endpoint: protocol-guesses.ts). */
  async listSshKeys(): Promise<NovaSshKey[]> {
    return parseSshKeyList(await this.request("GET", SSH_KEY_LIST_PATH));
  }

  /** Deletes a key (undocumented route: protocol-guesses.ts); a missing key is fine. */
  async deleteSshKey(id: string): Promise<void> {
    try {
      await this.request("DELETE", sshKeyDeletePath(seg(id, "ssh_key")));
    } catch (error) {
      if (!(error instanceof NovaError && error.novaKind === "not_found")) throw error;
    }
  }

  // ------------------------------------------------------------------ reservations and billing

  /** `POST /reservations/calculate`: Nova's own numbers for a reservation (read-only, so retried like a GET). */
  async calculateReservation(input: { gpuType: string; gpuCount: number; storageGb: number; reservationMonths: NovaReservationMonths }): Promise<NovaReservationQuote> {
    const body = { gpu_type: input.gpuType, gpu_count: input.gpuCount, storage_gb: input.storageGb, reservation_months: input.reservationMonths };
    return parseReservationQuote(await this.request("POST", "/reservations/calculate", { body, idempotent: true }));
  }

  /** `GET /billing/balance` (also the connection test: it needs valid credentials). */
  async balance(): Promise<NovaBalance> {
    return parseBalance(await this.request("GET", "/billing/balance"));
  }

  /** `GET /billing/current-spend`, as received (documented fields, not used by the flows). */
  async currentSpend(): Promise<Record<string, unknown>> {
    const data = await this.request("GET", "/billing/current-spend");
    if (!isRecord(data)) throw unexpected("GET /billing/current-spend", data);
    return data;
  }

  /** `GET /billing/usage` for dates `YYYY-MM-DD` (parameter names: protocol-guesses.ts). */
  async usage(start: string, end: string): Promise<Record<string, unknown>> {
    const data = await this.request("GET", "/billing/usage", { query: { [USAGE_PARAMS.start]: start, [USAGE_PARAMS.end]: end } });
    if (!isRecord(data)) throw unexpected("GET /billing/usage", data);
    return data;
  }
}
