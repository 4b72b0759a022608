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

export function sessionCookieFromHeader(header: string | null): string | undefined {
  if (!header) return undefined;
  const cookies = new Map(
    header.split(";").map((part) => {
      const i = part.indexOf("=");
      return [part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim())] as const;
    }),
  );
  return SESSION_COOKIES.map((name) => cookies.get(name)).find(Boolean);
}
