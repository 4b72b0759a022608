import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { SimHttpError } from "./state";
import type { SimUser } from "./types";

const b64 = (value: Buffer | string) => Buffer.from(value).toString("base64url");

/**
 * Nova's two credentials: API keys `nv_…` and JWTs (HS256 here) from `POST /auth/login`,
 * lasting `accessTtlMs`, renewed with a refresh token through `POST /auth/refresh`. Login is
 * rate-limited per e-mail (documented: 5 per minute) with 429 and Retry-After.
 */
export class SimAuth {
  private readonly secret = randomBytes(32);
  readonly apiKeys: Set<string>;
  private readonly refreshTokens = new Map<string, { email: string; expiresAt: number }>();
  private readonly logins = new Map<string, number[]>();
  /** Tokens of an older generation are refused: `revokeTokens()`. */
  private generation = 0;

  constructor(
    apiKeys: string[],
    private readonly users: SimUser[],
    private readonly accessTtlMs: number,
    private readonly refreshTtlMs: number,
    private readonly loginsPerMinute: number,
    private readonly clock: () => number,
  ) {
    this.apiKeys = new Set(apiKeys);
  }

  private issue(email: string): Record<string, unknown> {
    const now = this.clock();
    const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = b64(JSON.stringify({ sub: email, iat: Math.floor(now / 1000), gen: this.generation, exp: Math.floor((now + this.accessTtlMs) / 1000), type: "access" }));
    const signature = b64(createHmac("sha256", this.secret).update(`${header}.${payload}`).digest());
    const refresh = `rt_${randomBytes(24).toString("hex")}`;
    this.refreshTokens.set(refresh, { email, expiresAt: now + this.refreshTtlMs });
    return { access_token: `${header}.${payload}.${signature}`, refresh_token: refresh, token_type: "bearer", expires_in: Math.floor(this.accessTtlMs / 1000) };
  }

  login(body: Record<string, unknown>): Record<string, unknown> {
    const email = typeof body.email === "string" ? body.email : "";
    const now = this.clock();
    const recent = (this.logins.get(email) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.loginsPerMinute) {
      const wait = Math.max(1, Math.ceil((60_000 - (now - (recent[0] ?? now))) / 1000));
      throw new SimHttpError(429, `Rate limit exceeded: ${this.loginsPerMinute} per 1 minute`, { "Retry-After": String(wait) });
    }
    recent.push(now);
    this.logins.set(email, recent);
    const user = this.users.find((u) => u.email === email && u.password === body.password);
    if (!user) throw new SimHttpError(401, "Incorrect email or password");
    return this.issue(user.email);
  }

  refresh(body: Record<string, unknown>): Record<string, unknown> {
    const token = typeof body.refresh_token === "string" ? body.refresh_token : "";
    const entry = this.refreshTokens.get(token);
    if (!entry || entry.expiresAt <= this.clock()) throw new SimHttpError(401, "Invalid or expired refresh token");
    this.refreshTokens.delete(token);
    return this.issue(entry.email);
  }

  createApiKey(): Record<string, unknown> {
    const key = `nv_live_${randomBytes(20).toString("hex")}`;
    this.apiKeys.add(key);
    return { api_key: key, created_at: new Date(this.clock()).toISOString(), message: "Store this API key securely; it will not be shown again." };
  }

  /** Every access token issued so far stops working (as after a server-side logout). */
  revokeTokens(): void {
    this.generation++;
  }

  /** Expires every refresh token too. */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** Checks the Authorization header; returns how the caller authenticated. */
  check(header: string | undefined): "api_key" | "jwt" {
    const unauthorized = (detail: string) => new SimHttpError(401, detail, { "WWW-Authenticate": "Bearer" });
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
    if (!match?.[1]) throw unauthorized("Not authenticated");
    const token = match[1];
    if (token.startsWith("nv_")) {
      if (!this.apiKeys.has(token)) throw unauthorized("Invalid API key");
      return "api_key";
    }
    const [h, p, s] = token.split(".");
    if (!h || !p || !s) throw unauthorized("Could not validate credentials");
    const expected = createHmac("sha256", this.secret).update(`${h}.${p}`).digest();
    const given = Buffer.from(s, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized("Could not validate credentials");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as { exp: number; gen: number };
    if (claims.exp * 1000 <= this.clock()) throw unauthorized("Token has expired");
    if (claims.gen !== this.generation) throw unauthorized("Could not validate credentials");
    return "jwt";
  }
}
