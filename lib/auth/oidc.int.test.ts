import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { NextAuthOptions } from "next-auth";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOidcServer, type OidcServer } from "@/e2e/oidc-server";
import { db } from "../db/client";
import { resetEnvCache } from "../env";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { verifyCredentials } from "./credentials";
import { authOptions, identityFromClaims } from "./next-auth-options";
import { signInWithOidc } from "./oidc";

/**
 * Single sign-on against a real OpenID Connect provider (panva's oidc-provider, the one the
 * Playwright suite uses), driven through next-auth's own handler (sign-in, the IdP's login and
 * consent, the callback with the code exchange): no browser, the same code paths.
 */
// next-auth's core handler (what its App Router wrapper calls after reading next/headers); the
// package does not export the path, so it is loaded from its file.
type InternalResponse = { status?: number; body?: unknown; redirect?: string; cookies?: { name: string; value: string; options?: { maxAge?: number } }[] };
const { AuthHandler } = createRequire(import.meta.url)(path.resolve("node_modules/next-auth/core/index.js")) as {
  AuthHandler: (params: { req: Record<string, unknown>; options: NextAuthOptions }) => Promise<InternalResponse>;
};

const HANGAR = "http://localhost:3999";
const CLIENT_ID = "hangar-int";
const CLIENT_SECRET = "int-test-client-secret-0123456789";
const ADMIN_EMAIL = "root@hangar.test";

let database: { drop: () => Promise<void> };
let idp: OidcServer; // claims from userinfo only (oidc-provider's strict default)
let idpIdToken: OidcServer; // claims in the ID token too
const savedEnv = { ...process.env };

function startIdp(claimsInIdToken: boolean) {
  return startOidcServer({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${HANGAR}/api/auth/callback/oidc`,
    logFile: path.join(mkdtempSync(path.join(tmpdir(), "hangar-oidc-")), "oidc.log"),
    claimsInIdToken,
    accounts: {
      // A stranger whose IdP signs the admin's address without having verified it.
      mallory: { email: ADMIN_EMAIL, email_verified: false },
      // The same, with the claim as a string: only the boolean true counts.
      mallory2: { email: ADMIN_EMAIL, email_verified: "true" },
      // Verified, but the admin is already linked to another subject.
      trudy: { email: ADMIN_EMAIL, email_verified: true },
      // The admin's own identity at the IdP.
      "admin-sso": { email: ADMIN_EMAIL, email_verified: true },
      // Unverified newcomer.
      newbie: { email: "newbie@sso.example", email_verified: false },
      // No email claim at all.
      anon: { email: undefined, email_verified: undefined },
    },
  });
}

function trustIssuer(server: OidcServer) {
  process.env.HANGAR_OIDC_ISSUER = server.issuer;
  resetEnvCache();
}

beforeAll(async () => {
  process.env.NEXTAUTH_URL = HANGAR;
  process.env.HANGAR_OIDC_CLIENT_ID = CLIENT_ID;
  process.env.HANGAR_OIDC_CLIENT_SECRET = CLIENT_SECRET;
  process.env.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT = "2";
  process.env.HANGAR_LOGIN_MAX_FAILURES_IP = "50";
  process.env.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT_TOTAL = "4";
  [idp, idpIdToken] = await Promise.all([startIdp(false), startIdp(true)]);
  trustIssuer(idp);
  database = await useMigratedDatabase();
});
afterAll(async () => {
  await Promise.all([idp?.close(), idpIdToken?.close()]);
  await database?.drop();
  process.env = savedEnv;
  resetEnvCache();
});
beforeEach(async () => {
  trustIssuer(idp);
  await db().rateLimit.deleteMany();
  await db().session.deleteMany();
  await db().auditEvent.deleteMany();
  await db().user.deleteMany();
});

type Jar = Record<string, string>;

function setCookies(jar: Jar, headers: Headers) {
  for (const line of headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") delete jar[name];
    else jar[name] = value;
  }
}

async function nextAuth(jar: Jar, method: "GET" | "POST", action: string, providerId?: string, init: { query?: Record<string, string>; body?: Record<string, string> } = {}) {
  const res = await AuthHandler({
    req: {
      method,
      action,
      providerId,
      query: init.query ?? {},
      body: init.body ?? {},
      cookies: { ...jar },
      headers: { host: new URL(HANGAR).host, "content-type": "application/x-www-form-urlencoded" },
      error: init.query?.error,
    },
    options: authOptions(),
  });
  for (const c of res.cookies ?? []) {
    if (c.options?.maxAge === 0 || c.value === "") delete jar[c.name];
    else jar[c.name] = c.value;
  }
  return res;
}

/** One SSO sign-in as `login` at the IdP; answers where Hangar sends the browser and its cookies. */
async function ssoSignIn(login: string): Promise<{ redirect: string; cookies: Jar }> {
  const jar: Jar = {};
  const csrf = await nextAuth(jar, "GET", "csrf");
  const csrfToken = (csrf.body as { csrfToken: string }).csrfToken;
  const start = await nextAuth(jar, "POST", "signin", "oidc", { body: { csrfToken, callbackUrl: `${HANGAR}/vms`, json: "true" } });
  let url = String(start.redirect);
  expect(url.startsWith(process.env.HANGAR_OIDC_ISSUER!)).toBe(true);

  const idpJar: Jar = {};
  const idpFetch = async (target: string, form?: Record<string, string>) => {
    const res = await fetch(target, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: { cookie: Object.entries(idpJar).map(([k, v]) => `${k}=${v}`).join("; "), ...(form && { "content-type": "application/x-www-form-urlencoded" }) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    setCookies(idpJar, res.headers);
    return res;
  };
  for (let hop = 0; hop < 20; hop++) {
    const res = await idpFetch(url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get("location")!, url).toString();
      if (url.startsWith(HANGAR)) break;
      continue;
    }
    const html = await res.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!prompt) throw new Error(`unexpected IdP page (${res.status}): ${html.slice(0, 300)}`);
    const submitted = await idpFetch(url, prompt === "login" ? { prompt, login, password: "any" } : { prompt });
    expect(submitted.status).toBeGreaterThanOrEqual(300);
    url = new URL(submitted.headers.get("location")!, url).toString();
  }
  const callback = new URL(url);
  expect(callback.pathname).toBe("/api/auth/callback/oidc");
  const done = await nextAuth(jar, "GET", "callback", "oidc", { query: Object.fromEntries(callback.searchParams) });
  return { redirect: String(done.redirect), cookies: jar };
}

const SESSION_COOKIE = "next-auth.session-token";

async function adminWithPassword(overrides: { disabled?: boolean } = {}) {
  return createUser({ email: ADMIN_EMAIL, password: "admin password 1", role: "admin", disabled: overrides.disabled });
}

describe("single sign-on through next-auth against oidc-provider", () => {
  it("an IdP signing the admin's email with email_verified=false gets no session and the admin's link stays unchanged", async () => {
    const admin = await adminWithPassword();
    await db().user.update({ where: { id: admin.id }, data: { oidcSubject: `${idp.issuer}#admin-sso` } });

    const result = await ssoSignIn("mallory");
    expect(result.redirect).toContain(`/signin?error=SsoEmailNotVerified`);
    expect(result.cookies[SESSION_COOKIE]).toBeUndefined();
    expect(await db().session.count()).toBe(0);
    const after = await db().user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(after.oidcSubject).toBe(`${idp.issuer}#admin-sso`);
    expect(await db().user.count()).toBe(1);
  });

  it("refuses an unverified email for an unlinked account too (userinfo or ID token, string 'true' included) and links nothing", async () => {
    const admin = await adminWithPassword();
    for (const [server, login] of [
      [idp, "mallory"],
      [idpIdToken, "mallory"],
      [idp, "mallory2"],
      [idpIdToken, "mallory2"],
    ] as const) {
      trustIssuer(server);
      const result = await ssoSignIn(login);
      expect(result.redirect).toContain(`/signin?error=SsoEmailNotVerified`);
      expect(result.cookies[SESSION_COOKIE]).toBeUndefined();
    }
    expect(await db().session.count()).toBe(0);
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).oidcSubject).toBeNull();
    expect(await db().auditEvent.count({ where: { action: "user.sso_link" } })).toBe(0);
  });

  it("never re-links an account to another subject, even with a verified email", async () => {
    const admin = await adminWithPassword();
    await db().user.update({ where: { id: admin.id }, data: { oidcSubject: `${idp.issuer}#admin-sso` } });
    const result = await ssoSignIn("trudy");
    expect(result.redirect).toContain(`/signin?error=SsoLinkedElsewhere`);
    expect(result.cookies[SESSION_COOKIE]).toBeUndefined();
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).oidcSubject).toBe(`${idp.issuer}#admin-sso`);
  });

  it("links an existing account on a verified email once, audited, then finds it by issuer + subject only", async () => {
    const admin = await adminWithPassword();
    const first = await ssoSignIn("admin-sso");
    expect(first.redirect).toBe(`${HANGAR}/vms`);
    expect(first.cookies[SESSION_COOKIE]).toBeTruthy();
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).oidcSubject).toBe(`${idp.issuer}#admin-sso`);
    const links = await db().auditEvent.findMany({ where: { action: "user.sso_link", targetId: admin.id } });
    expect(links).toHaveLength(1);
    expect(links[0]!.after).toMatchObject({ oidcSubject: `${idp.issuer}#admin-sso`, emailVerified: true });
    expect(await db().session.count({ where: { userId: admin.id } })).toBe(1);

    // Later the account's email changes in Hangar: the link still finds it, by subject.
    await db().user.update({ where: { id: admin.id }, data: { email: "renamed@hangar.test" } });
    const again = await ssoSignIn("admin-sso");
    expect(again.redirect).toBe(`${HANGAR}/vms`);
    expect(await db().session.count({ where: { userId: admin.id } })).toBe(2);
    expect(await db().auditEvent.count({ where: { action: "user.sso_link" } })).toBe(1);
  });

  it("creates a new user only for a verified email, audited; an unverified or missing email creates nothing", async () => {
    expect((await ssoSignIn("newbie")).redirect).toContain(`/signin?error=SsoEmailNotVerified`);
    expect((await ssoSignIn("anon")).redirect).toContain(`/signin?error=SsoNoEmail`);
    expect(await db().user.count()).toBe(0);

    const grace = await ssoSignIn("grace");
    expect(grace.redirect).toBe(`${HANGAR}/vms`);
    const user = await db().user.findUniqueOrThrow({ where: { email: "grace@sso.example" } });
    expect(user).toMatchObject({ role: "user", oidcSubject: `${idp.issuer}#grace`, name: "Grace" });
    expect(await db().auditEvent.count({ where: { action: "user.create", targetId: user.id } })).toBe(1);
  });

  it("a disabled account stays closed, linked or not; nothing is linked", async () => {
    const admin = await adminWithPassword({ disabled: true });
    const result = await ssoSignIn("admin-sso");
    expect(result.redirect).toContain(`/signin?error=SsoAccountDisabled`);
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).oidcSubject).toBeNull();
    await db().user.update({ where: { id: admin.id }, data: { oidcSubject: `${idp.issuer}#admin-sso` } });
    expect((await ssoSignIn("admin-sso")).redirect).toContain(`/signin?error=SsoAccountDisabled`);
    expect(await db().session.count()).toBe(0);
  });

  it("an account locked by failed password sign-ins stays closed to single sign-on", async () => {
    const admin = await adminWithPassword();
    // Ceiling 4 over all addresses (2 per address).
    for (const ip of ["198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.2"]) {
      await expect(verifyCredentials(ADMIN_EMAIL, "wrong", ip)).rejects.toMatchObject({ code: "unauthorized" });
    }
    const result = await ssoSignIn("admin-sso");
    expect(result.redirect).toContain(`/signin?error=SsoAccountLocked`);
    expect((await db().user.findUniqueOrThrow({ where: { id: admin.id } })).oidcSubject).toBeNull();
    expect(await db().session.count()).toBe(0);
  });
});

describe("signInWithOidc rules", () => {
  it("refuses an identity from another issuer", async () => {
    await adminWithPassword();
    await expect(
      signInWithOidc({ issuer: "https://evil.example", subject: "x", email: ADMIN_EMAIL, emailVerified: true }, "https://idp.example"),
    ).rejects.toMatchObject({ signInError: "SsoWrongIssuer" });
    // Trailing slashes aside, the configured issuer is accepted.
    await expect(signInWithOidc({ issuer: "https://idp.example/", subject: "x", email: ADMIN_EMAIL, emailVerified: true }, "https://idp.example")).resolves.toMatchObject({
      email: ADMIN_EMAIL,
    });
    expect((await db().user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } })).oidcSubject).toBe("https://idp.example#x");
  });

  it("matches a linked identity by subject even when the IdP now sends another (unverified) email", async () => {
    const admin = await adminWithPassword();
    await db().user.update({ where: { id: admin.id }, data: { oidcSubject: "https://idp.example#me" } });
    const other = await createUser({ email: "other@hangar.test", password: "other password", role: "user" });
    const signedIn = await signInWithOidc({ issuer: "https://idp.example", subject: "me", email: other.email, emailVerified: false }, "https://idp.example");
    expect(signedIn.id).toBe(admin.id);
    expect((await db().user.findUniqueOrThrow({ where: { id: other.id } })).oidcSubject).toBeNull();
  });

  it("identityFromClaims: verified only for the boolean true, from the source that carries the email, userinfo only for the same sub", () => {
    const iss = "https://idp.example";
    expect(identityFromClaims({ iss, sub: "a", email: "a@x", email_verified: true }).emailVerified).toBe(true);
    expect(identityFromClaims({ iss, sub: "a", email: "a@x", email_verified: "true" }).emailVerified).toBe(false);
    expect(identityFromClaims({ iss, sub: "a", email: "a@x" }).emailVerified).toBe(false);
    expect(identityFromClaims({ iss, sub: "a" }, { sub: "a", email: "a@x", email_verified: true })).toMatchObject({ email: "a@x", emailVerified: true });
    expect(identityFromClaims({ iss, sub: "a" }, { sub: "b", email: "a@x", email_verified: true })).toMatchObject({ email: null, emailVerified: false });
    expect(identityFromClaims({ iss, sub: "a", email: "a@x" }, { sub: "a", email: "a@x", email_verified: true }).emailVerified).toBe(true);
    expect(identityFromClaims({ iss, sub: "a", email: "a@x", email_verified: false }, { sub: "a", email: "a@x", email_verified: true }).emailVerified).toBe(false);
    expect(identityFromClaims({ iss, sub: "a", email: "a@x" }, { sub: "a", email: "b@x", email_verified: true }).emailVerified).toBe(false);
  });
});
