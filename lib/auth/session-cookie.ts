import { decode } from "next-auth/jwt";
import { env } from "../env";
import type { AuthenticatedUser } from "./credentials";
import { validateSession } from "./sessions";

export const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

/** The user behind a next-auth session cookie value, checked against the sessions table. */
export async function userFromSessionCookie(raw: string | undefined): Promise<AuthenticatedUser | null> {
  if (!raw) return null;
  const token = await decode({ token: raw, secret: env().NEXTAUTH_SECRET ?? "" }).catch(() => null);
  if (typeof token?.sid !== "string") return null;
  return validateSession(token.sid);
}

/**
 * The next-auth session cookie's value from a Cookie header, or undefined. Tolerant: cookies it
 * cannot parse or decode (`theme=100%`, parts without `=`) are skipped, never thrown.
 */
export function sessionCookieFromHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  const cookies = new Map<string, string>();
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!SESSION_COOKIES.includes(name) || cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(part.slice(i + 1).trim()));
    } catch {
      // a malformed session cookie is no session
    }
  }
  return SESSION_COOKIES.map((name) => cookies.get(name)).find(Boolean);
}
