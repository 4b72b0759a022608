/**
 * Authentication as PVE does it: API tokens (`Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET`),
 * tickets from POST /access/ticket (cookie `PVEAuthCookie`, 2 hours) with a CSRF prevention token
 * required on every non-GET request made with a ticket.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { PveVersion, SimTokenSpec, SimUserSpec } from "./types";
import { hex8 } from "./util";

export const TICKET_LIFETIME_S = 2 * 3600;
const GRACE_S = 300;

export type AuthResult = { user: string; viaToken: boolean };

/** An authentication failure: HTTP 401, empty body, reason phrase = message. */
export class AuthFailure extends Error {}

/** PVE::APIServer::Formatter::extract_auth_value */
export function extractAuthValue(header: string | undefined, key: string): string | undefined {
  if (!header) return undefined;
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`(?:^|\\s)${escaped}(?:=| )([^;]*)`).exec(header);
  const raw = m?.[1];
  if (!raw) return undefined;
  // URI::Escape::uri_unescape: %XX only, no "+" handling
  return raw.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const TOKEN_RE = /^((?:[^\s:/@!]+)@(?:[A-Za-z][A-Za-z0-9.\-_]+))!([A-Za-z][A-Za-z0-9.\-_]+)$/;

export class AuthService {
  private readonly secret = randomBytes(32);
  private readonly users = new Map<string, SimUserSpec>();
  private readonly tokens = new Map<string, SimTokenSpec>();

  constructor(
    users: SimUserSpec[],
    tokens: SimTokenSpec[],
    private readonly version: PveVersion,
    private readonly clock: () => number,
  ) {
    for (const u of users) this.users.set(u.username, u);
    for (const t of tokens) this.tokens.set(t.tokenId, t);
  }

  private nowS(): number {
    return Math.floor(this.clock() / 1000);
  }

  /** PVE 9.1.5+ answers every failed authentication with the same reason. */
  private fail(detail: string): never {
    throw new AuthFailure(this.version === "9.1" ? "Authentication failed!" : detail);
  }

  private sign(data: string): string {
    return createHmac("sha512", this.secret).update(data).digest("base64");
  }

  createTicket(username: string): string {
    const plain = `PVE:${username.replace(/:/g, "%3A")}:${hex8(this.nowS())}`;
    return `${plain}::${this.sign(plain)}`;
  }

  /** The CSRF prevention token: `HEXTIME:base64(hmac-sha256)` without padding, like Digest::SHA. */
  createCsrfToken(username: string): string {
    const ts = hex8(this.nowS());
    const digest = createHmac("sha256", this.secret).update(`${ts}:${username}`).digest("base64").replace(/=+$/, "");
    return `${ts}:${digest}`;
  }

  /** Returns the user of a valid, unexpired ticket, or undefined. */
  verifyTicket(ticket: string): string | undefined {
    const m = /^(PVE:\S+)::([^:\s]+)$/.exec(ticket);
    if (!m) return undefined;
    const plain = m[1] as string;
    const sig = Buffer.from(m[2] as string);
    const expected = Buffer.from(this.sign(plain));
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return undefined;
    const pm = /^PVE:(.+):([0-9A-F]{8})$/.exec(plain);
    if (!pm) return undefined;
    const age = this.nowS() - parseInt(pm[2] as string, 16);
    if (age < -GRACE_S || age > TICKET_LIFETIME_S) return undefined;
    return (pm[1] as string).replace(/%3A/gi, ":");
  }

  verifyCsrf(username: string, token: string | undefined): boolean {
    const m = token ? /^([A-Z0-9]{8}):(\S+)$/.exec(token) : null;
    if (!m) return false;
    const ts = m[1] as string;
    const digest = createHmac("sha256", this.secret).update(`${ts}:${username}`).digest("base64").replace(/=+$/, "");
    const age = this.nowS() - parseInt(ts, 16);
    return digest === m[2] && age > -GRACE_S && age < TICKET_LIFETIME_S;
  }

  /** PVE::AccessControl::verify_token */
  verifyToken(value: string): string {
    const m = /^(.*)=(.*)$/s.exec(value);
    if (!m) this.fail("no tokenid specified");
    const tokenId = m[1] as string;
    const secret = m[2] as string;
    const tm = TOKEN_RE.exec(tokenId);
    if (!tm) this.fail(`'${tokenId}' is not a valid token ID - not able to split into user and token parts`);
    const user = tm[1] as string;
    const tokenName = tm[2] as string;
    const knownUser = this.users.get(user) ?? [...this.tokens.keys()].some((t) => t.startsWith(`${user}!`));
    if (!knownUser) this.fail(`no such user ('${user}')`);
    const spec = this.tokens.get(tokenId);
    if (!spec) this.fail(`no such token '${tokenName}' for user '${user}'`);
    if (spec.expire && spec.expire < this.nowS()) this.fail(`token '${tokenName}' access expired`);
    if (spec.secret !== secret) this.fail("invalid token value!");
    return tokenId;
  }

  /**
   * auth_handler: cookie ticket first (also accepted in the Authorization header), then an API token.
   * Throws AuthFailure (401) on failure; returns undefined for paths that need no authentication.
   */
  authenticate(opts: { method: string; apiPath: string; cookie?: string; authorization?: string; csrf?: string }): AuthResult | undefined {
    const { method, apiPath } = opts;
    const open =
      (apiPath === "/access/domains" && method === "GET") ||
      (apiPath === "/access/ticket" && (method === "GET" || method === "POST"));
    if (open) return undefined;
    const ticket = extractAuthValue(opts.cookie, "PVEAuthCookie") || extractAuthValue(opts.authorization, "PVEAuthCookie");
    if (!ticket) {
      const token = extractAuthValue(opts.authorization, "PVEAPIToken");
      if (token) return { user: this.verifyToken(token), viaToken: true };
      throw new AuthFailure("No ticket");
    }
    const user = this.verifyTicket(ticket);
    if (!user) this.fail("permission denied - invalid PVE ticket");
    const spec = this.users.get(user);
    if (!spec) this.fail(`no such user ('${user}')`);
    if (spec.enabled === false) this.fail(`user '${user}' is disabled`);
    if (method !== "GET" && !this.verifyCsrf(user, opts.csrf)) throw new AuthFailure("Permission denied - invalid csrf token");
    return { user, viaToken: false };
  }

  /** POST /access/ticket: password (or a valid ticket of that user as password). */
  login(username: string, password: string): { username: string; ticket: string; CSRFPreventionToken: string } | undefined {
    const spec = this.users.get(username);
    if (!spec || spec.enabled === false) return undefined;
    const viaTicket = password.startsWith("PVE:") && this.verifyTicket(password) === username;
    if (!viaTicket && spec.password !== password) return undefined;
    return { username, ticket: this.createTicket(username), CSRFPreventionToken: this.createCsrfToken(username) };
  }
}
