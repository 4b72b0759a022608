import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { notFound, redirect } from "next/navigation";
import type { AuthenticatedUser } from "./credentials";
import { can, type Permission } from "./permissions";
import { SESSION_COOKIES, userFromSessionCookie } from "./session-cookie";

/** The signed-in user of this request (pages, layouts, server actions), or null. */
export const currentUser = cache(async (): Promise<AuthenticatedUser | null> => {
  const jar = await cookies();
  return userFromSessionCookie(SESSION_COOKIES.map((name) => jar.get(name)?.value).find(Boolean));
});

export async function requireUser(): Promise<AuthenticatedUser> {
  const user = await currentUser();
  if (!user) redirect("/signin");
  return user;
}

/** Someone without the permission gets the 404 page: admin pages do not announce themselves. */
export async function requirePermission(permission: Permission): Promise<AuthenticatedUser> {
  const user = await requireUser();
  if (!can(user.role, permission)) notFound();
  return user;
}
