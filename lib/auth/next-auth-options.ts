import type { NextAuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { env, oidcConfigured } from "../env";
import { AppError, isAppError } from "../errors";
import { log } from "../log";
import { INVALID_CREDENTIALS, verifyCredentials } from "./credentials";
import { signInWithOidc, SsoRefusal, type OidcIdentity } from "./oidc";
import { createSession, revokeSession } from "./sessions";
import { CLIENT_IP_HEADER } from "./client-ip";
import type { CredentialStamp } from "./credential-stamp";
import { safeAuthRedirect } from "./safe-redirect";
import { loginSchema } from "../schemas/user";

type OidcClaims = { iss?: string; sub: string; email?: string; email_verified?: unknown; name?: string; preferred_username?: string };
type HangarUser = User & { hangarUserId?: string; oidc?: OidcIdentity; stamp?: CredentialStamp };

async function fetchUserinfo(issuer: string, accessToken: string): Promise<Partial<OidcClaims>> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { userinfo_endpoint?: string };
  if (!discovery.userinfo_endpoint) return {};
  const res = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!res.ok) throw new Error(`userinfo endpoint answered ${res.status}`);
  return (await res.json()) as Partial<OidcClaims>;
}

/**
 * The identity in an ID token's claims (already verified by openid-client: signature, `iss`,
 * `aud`, expiry) completed by the userinfo answer when given. Userinfo counts only when its `sub`
 * is the ID token's. The email is verified only when a source that carries this same email says
 * `email_verified: true` (the boolean) and none says false.
 */
export function identityFromClaims(idToken: OidcClaims, userinfo?: Partial<OidcClaims> | null): OidcIdentity {
  const info = userinfo && userinfo.sub === idToken.sub ? userinfo : undefined;
  const email = (typeof idToken.email === "string" && idToken.email) || (typeof info?.email === "string" && info.email) || null;
  const same = [idToken, info].filter((c): c is Partial<OidcClaims> => !!c && !!email && typeof c.email === "string" && c.email.toLowerCase() === email.toLowerCase());
  const emailVerified = same.some((c) => c.email_verified === true) && !same.some((c) => c.email_verified !== undefined && c.email_verified !== true);
  const name = idToken.name ?? info?.name ?? idToken.preferred_username ?? info?.preferred_username ?? email;
  return { issuer: idToken.iss ?? "", subject: idToken.sub, email, emailVerified, name: name ?? null };
}

/** The OpenID Connect provider for next-auth (exported for the integration test). */
export function oidcProvider(): OAuthConfig<OidcClaims> {
  const e = env();
  const issuer = e.HANGAR_OIDC_ISSUER!.replace(/\/$/, "");
  return {
    id: "oidc",
    name: e.HANGAR_OIDC_NAME,
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: e.HANGAR_OIDC_CLIENT_ID,
    clientSecret: e.HANGAR_OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    // Many IdPs keep email and email_verified out of the ID token (they are userinfo claims): fetch them then.
    profile: async (p, tokens) => {
      const needInfo = (!p.email || p.email_verified === undefined) && tokens.access_token;
      const identity = identityFromClaims(p, needInfo ? await fetchUserinfo(issuer, tokens.access_token!) : null);
      return { id: identity.subject, email: identity.email ?? null, name: identity.name ?? null, oidc: identity } as HangarUser;
    },
  };
}

/**
 * next-auth configuration: email + password (argon2id, rate-limited) and, when configured,
 * OpenID Connect. The JWT cookie only carries a random session id; lib/auth/sessions.ts
 * holds the truth (expiry, sign-out, disabled users).
 */
export function authOptions(): NextAuthOptions {
  const e = env();
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const headers = (req?.headers ?? {}) as Record<string, string | undefined>;
        try {
          // The API's rules (length, no control characters): a malformed sign-in is a wrong one, not a database error.
          const login = loginSchema.safeParse({ email: credentials?.email ?? "", password: credentials?.password ?? "" });
          if (!login.success) throw new AppError("unauthorized", INVALID_CREDENTIALS);
          const user = await verifyCredentials(login.data.email, login.data.password, headers[CLIENT_IP_HEADER]);
          return { id: user.id, email: user.email, name: user.name, stamp: user.stamp } as HangarUser;
        } catch (error) {
          // next-auth passes an Error's message to the sign-in page as `error`.
          if (isAppError(error)) throw new Error(error.message);
          log.error({ err: error }, "sign-in failed");
          throw new Error("Sign-in is unavailable right now. Try again shortly.");
        }
      },
    }),
  ];
  if (oidcConfigured(e)) providers.push(oidcProvider());

  return {
    secret: e.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: Math.round(e.HANGAR_SESSION_HOURS * 3600) },
    jwt: { maxAge: Math.round(e.HANGAR_SESSION_HOURS * 3600) },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    logger: {
      error: (code, metadata) => log.error({ code, metadata: metadata instanceof Error ? metadata.message : undefined }, "next-auth error"),
      warn: (code) => log.warn({ code }, "next-auth warning"),
      debug: () => undefined,
    },
    callbacks: {
      // After sign-in and sign-out: only this portal's own paths (lib/auth/safe-redirect.ts).
      redirect: ({ url, baseUrl }) => safeAuthRedirect(url, baseUrl),
      async signIn({ user, account }) {
        if (account?.provider !== "oidc") return true;
        try {
          const identity = (user as HangarUser).oidc;
          if (!identity) throw new Error("the OIDC profile carried no identity");
          const local = await signInWithOidc(identity, e.HANGAR_OIDC_ISSUER!);
          (user as HangarUser).hangarUserId = local.id;
          return true;
        } catch (error) {
          // Only known codes travel to /signin (lib/auth/sign-in-errors.ts), never free text.
          if (error instanceof SsoRefusal) {
            log.warn({ code: error.signInError }, "single sign-on refused");
            return `/signin?error=${error.signInError}`;
          }
          log.error({ err: error }, "oidc sign-in failed");
          return "/signin?error=OAuthCallback";
        }
      },
      async jwt({ token, user }) {
        if (user) {
          const userId = (user as HangarUser).hangarUserId ?? user.id;
          // The session exists only if the password and role checked by authorize() still hold.
          const { sid } = await createSession(userId, {}, (user as HangarUser).stamp);
          token.sid = sid;
          token.uid = userId;
        }
        return token;
      },
      async session({ session }) {
        // The browser sees only name and email; the guards read the session id from the cookie.
        return { expires: session.expires, user: { name: session.user?.name, email: session.user?.email } };
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.sid === "string") await revokeSession(token.sid);
      },
    },
  };
}
