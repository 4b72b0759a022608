import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/v1/auth/login/route";
import { GET as me } from "@/app/api/v1/me/route";
import { db } from "../db/client";
import { resetEnvCache } from "../env";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { authenticateBearer, createPersonalToken, issueSessionToken, listPersonalTokens, revokePersonalToken } from "./api-tokens";
import { ACCOUNT_DISABLED, INVALID_CREDENTIALS, verifyCredentials } from "./credentials";
import { createSession, purgeExpiredCredentials, revokeSession, validateSession } from "./sessions";
import { hashToken } from "./tokens";

let database: { drop: () => Promise<void> };
const password = "correct horse battery";

beforeAll(async () => {
  process.env.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT = "3";
  process.env.HANGAR_LOGIN_MAX_FAILURES_IP = "5";
  resetEnvCache();
  database = await useMigratedDatabase();
});
afterAll(async () => database.drop());
beforeEach(async () => {
  await db().rateLimit.deleteMany();
});

let counter = 0;
async function newUser(overrides: { disabled?: boolean; role?: "user" | "admin" } = {}) {
  counter += 1;
  return createUser({ email: `person${counter}@example.com`, password, role: overrides.role ?? "user", disabled: overrides.disabled });
}

function call(handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>, req: Request) {
  return handler(req, { params: Promise.resolve({}) });
}

function loginRequest(body: unknown, ip = "203.0.113.9") {
  return new Request("http://hangar.test/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", "x-hangar-client-ip": ip },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("password sign-in (verifyCredentials)", () => {
  it("accepts the right password, case-insensitive email, and stores only an argon2id hash", async () => {
    const user = await newUser();
    const signedIn = await verifyCredentials(user.email.toUpperCase(), password);
    expect(signedIn.id).toBe(user.id);
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(password);
    expect(row.lastLoginAt).toBeInstanceOf(Date);
  });

  it("refuses a wrong password and an unknown account with the same message", async () => {
    const user = await newUser();
    await expect(verifyCredentials(user.email, "wrong password")).rejects.toMatchObject({ code: "unauthorized", message: INVALID_CREDENTIALS });
    await expect(verifyCredentials("nobody@example.com", password)).rejects.toMatchObject({ code: "unauthorized", message: INVALID_CREDENTIALS });
  });

  it("refuses a disabled user even with the right password", async () => {
    const user = await newUser({ disabled: true });
    await expect(verifyCredentials(user.email, password)).rejects.toMatchObject({ code: "forbidden", message: ACCOUNT_DISABLED });
  });

  it("locks an account for the address that failed too often, even for the right password; other addresses still get in", async () => {
    const user = await newUser();
    for (let i = 0; i < 3; i++) await expect(verifyCredentials(user.email, "nope", "198.51.100.1")).rejects.toMatchObject({ code: "unauthorized" });
    const error = await verifyCredentials(user.email, password, "198.51.100.1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "rate_limited" });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    await expect(verifyCredentials(user.email, password, "198.51.100.200")).resolves.toMatchObject({ id: user.id });
  });

  it("limits one IP guessing across many accounts", async () => {
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map(() => newUser()));
    for (const u of users.slice(0, 5)) await expect(verifyCredentials(u.email, "nope", "192.0.2.77")).rejects.toMatchObject({ code: "unauthorized" });
    await expect(verifyCredentials(users[5]!.email, password, "192.0.2.77")).rejects.toMatchObject({ code: "rate_limited" });
    // Another address is unaffected.
    await expect(verifyCredentials(users[5]!.email, password, "192.0.2.78")).resolves.toMatchObject({ id: users[5]!.id });
  });

  it("a success clears the account's failures", async () => {
    const user = await newUser();
    await expect(verifyCredentials(user.email, "nope")).rejects.toBeTruthy();
    await expect(verifyCredentials(user.email, "nope")).rejects.toBeTruthy();
    await verifyCredentials(user.email, password);
    await expect(verifyCredentials(user.email, "nope")).rejects.toMatchObject({ code: "unauthorized" });
    await expect(verifyCredentials(user.email, "nope")).rejects.toMatchObject({ code: "unauthorized" });
  });
});

describe("browser sessions", () => {
  it("stores only a hash of the session id and ends on sign-out", async () => {
    const user = await newUser();
    const { sid } = await createSession(user.id);
    expect(await db().session.count({ where: { tokenHash: sid } })).toBe(0);
    expect(await db().session.count({ where: { tokenHash: hashToken(sid) } })).toBe(1);
    expect(await validateSession(sid)).toMatchObject({ id: user.id, role: "user" });
    await revokeSession(sid);
    expect(await validateSession(sid)).toBeNull();
  });

  it("is invalid once expired or once its user is disabled", async () => {
    const user = await newUser();
    const a = await createSession(user.id);
    await db().session.updateMany({ where: { tokenHash: hashToken(a.sid) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await validateSession(a.sid)).toBeNull();
    const b = await createSession(user.id);
    expect(await validateSession(b.sid)).not.toBeNull();
    await db().user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await validateSession(b.sid)).toBeNull();
  });

  it("expired sessions are purged by the maintenance job's function", async () => {
    const user = await newUser();
    const a = await createSession(user.id);
    await db().session.updateMany({ where: { tokenHash: hashToken(a.sid) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const live = await createSession(user.id);
    const removed = await purgeExpiredCredentials();
    expect(removed.sessions).toBeGreaterThanOrEqual(1);
    expect(await validateSession(live.sid)).not.toBeNull();
    expect(await db().session.count({ where: { tokenHash: hashToken(a.sid) } })).toBe(0);
  });
});

describe("API tokens", () => {
  it("session tokens from login authenticate until they expire", async () => {
    const user = await newUser();
    const { token, expiresAt } = await issueSessionToken(user.id);
    expect(token).toMatch(/^hgr_s_/);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(await authenticateBearer(`Bearer ${token}`)).toMatchObject({ id: user.id });
    expect(await authenticateBearer(`bearer ${token}`)).toMatchObject({ id: user.id });
    expect(await authenticateBearer(`Bearer ${token}x`)).toBeNull();
    expect(await authenticateBearer(token)).toBeNull();
    await db().apiToken.updateMany({ where: { tokenHash: hashToken(token) }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await authenticateBearer(`Bearer ${token}`)).toBeNull();
  });

  it("personal tokens are named, listed, revocable, and stop working for disabled users", async () => {
    const user = await newUser();
    const { token } = await createPersonalToken(user.id, { name: "ci" });
    await expect(createPersonalToken(user.id, { name: "ci" })).rejects.toMatchObject({ code: "conflict" });
    expect((await listPersonalTokens(user.id)).map((t) => t.name)).toEqual(["ci"]);
    expect(await authenticateBearer(`Bearer ${token}`)).toMatchObject({ id: user.id });

    const other = await newUser();
    const [view] = await listPersonalTokens(user.id);
    await expect(revokePersonalToken(other.id, view!.id)).rejects.toMatchObject({ code: "not_found" });
    expect(await authenticateBearer(`Bearer ${token}`)).not.toBeNull();

    await db().user.update({ where: { id: user.id }, data: { disabled: true } });
    expect(await authenticateBearer(`Bearer ${token}`)).toBeNull();
    await db().user.update({ where: { id: user.id }, data: { disabled: false } });

    await revokePersonalToken(user.id, view!.id);
    expect(await authenticateBearer(`Bearer ${token}`)).toBeNull();
    expect(await listPersonalTokens(user.id)).toEqual([]);
  });
});

describe("POST /api/v1/auth/login and GET /api/v1/me", () => {
  it("answers {code: 200, message, data: {token, expires_at}} and the token works as Bearer", async () => {
    const user = await newUser();
    const res = await call(login, loginRequest({ email: user.email, password }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ code: 200, message: expect.any(String), data: { token: expect.stringMatching(/^hgr_s_/), expires_at: expect.any(String) } });
    expect(new Date(body.data.expires_at).getTime()).toBeGreaterThan(Date.now());
    const whoami = await call(me, new Request("http://hangar.test/api/v1/me", { headers: { authorization: `Bearer ${body.data.token}` } }));
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ code: 200, data: { email: user.email, role: "user" } });
  });

  it("answers 401 {code: 401, message, data: null} for wrong credentials", async () => {
    const user = await newUser();
    const res = await call(login, loginRequest({ email: user.email, password: "wrong" }));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: INVALID_CREDENTIALS, data: null });
  });

  it("answers 400 for missing fields and malformed JSON, 429 with Retry-After when rate-limited", async () => {
    const missing = await call(login, loginRequest({ email: "a@b.c" }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ code: 400, message: "Missing required fields: password", data: null });
    const malformed = await call(login, loginRequest("{not json"));
    expect(malformed.status).toBe(400);
    const user = await newUser();
    for (let i = 0; i < 3; i++) await call(login, loginRequest({ email: user.email, password: "wrong" }, "192.0.2.10"));
    const limited = await call(login, loginRequest({ email: user.email, password }, "192.0.2.10"));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited.json()).code).toBe(429);
  });

  it("GET /api/v1/me without or with a bad token is 401 in the envelope", async () => {
    const res = await call(me, new Request("http://hangar.test/api/v1/me"));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 401, data: null });
  });
});
