import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { verifyPassword } from "./password";
import { assertLoginAllowed, recordLoginFailure, recordLoginSuccess } from "./rate-limit";

export const INVALID_CREDENTIALS = "Invalid email or password";
export const ACCOUNT_DISABLED = "This account is disabled. Ask an administrator to enable it.";

export type AuthenticatedUser = Pick<Db.User, "id" | "email" | "name" | "role">;

/**
 * The one password check, shared by the sign-in page and POST /api/v1/auth/login.
 * Rate limits first, then the password, then the disabled flag (so that a disabled
 * account's password is not confirmed to strangers, only to whoever knows it).
 */
export async function verifyCredentials(emailInput: string, password: string, ip?: string): Promise<AuthenticatedUser> {
  const email = emailInput.trim().toLowerCase();
  await assertLoginAllowed(email, ip);
  const user = await db().user.findUnique({ where: { email } });
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok) {
    await recordLoginFailure(email, ip);
    throw new AppError("unauthorized", INVALID_CREDENTIALS);
  }
  if (user.disabled) throw new AppError("forbidden", ACCOUNT_DISABLED);
  await recordLoginSuccess(email);
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
