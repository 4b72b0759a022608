import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { credentialStamp, type CredentialStamp } from "./credential-stamp";
import { verifyPassword } from "./password";
import { beginLoginAttempt } from "./rate-limit";

export const INVALID_CREDENTIALS = "Invalid email or password";
export const ACCOUNT_DISABLED = "This account is disabled. Ask an administrator to enable it.";

export type AuthenticatedUser = Pick<Db.User, "id" | "email" | "name" | "role">;
/** A user whose password was just checked, with the stamp to issue their session or token under (lib/auth/credential-stamp.ts). */
export type VerifiedUser = AuthenticatedUser & { stamp: CredentialStamp };

/**
 * The one password check, shared by the sign-in page and POST /api/v1/auth/login.
 * The attempt is counted first (atomically: concurrent guesses cannot pass the limits of
 * lib/auth/rate-limit.ts, which throws `rate_limited`), then the password is checked (a right one
 * gives the attempt back), then the disabled flag (so that a disabled account's password is not
 * confirmed to strangers, only to whoever knows it). Wrong email or password: `unauthorized`.
 */
export async function verifyCredentials(emailInput: string, password: string, ip?: string): Promise<VerifiedUser> {
  const email = emailInput.trim().toLowerCase();
  const attempt = await beginLoginAttempt(email, ip);
  const user = await db().user.findUnique({ where: { email } });
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok) {
    await attempt.failed();
    throw new AppError("unauthorized", INVALID_CREDENTIALS);
  }
  await attempt.succeeded();
  if (user.disabled) throw new AppError("forbidden", ACCOUNT_DISABLED);
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: user.id, email: user.email, name: user.name, role: user.role, stamp: credentialStamp(user) };
}
