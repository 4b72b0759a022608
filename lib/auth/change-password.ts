import { decode } from "next-auth/jwt";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import { env } from "../env";
import { AppError, isAppError } from "../errors";
import type { ChangePassword } from "../schemas/credentials";
import { verifyCredentials } from "./credentials";
import { endUserCredentials, type EndedCredentials } from "./end-credentials";
import { hashPassword } from "./password";

export const WRONG_CURRENT_PASSWORD = "This is not your current password";

/** The session id (`sid`) inside a next-auth session cookie value, or undefined. */
export async function sessionIdFromCookie(raw: string | undefined): Promise<string | undefined> {
  if (!raw) return undefined;
  const token = await decode({ token: raw, secret: env().NEXTAUTH_SECRET ?? "" }).catch(() => null);
  return typeof token?.sid === "string" ? token.sid : undefined;
}

/**
 * A person changes their own password on the profile page. The current password is checked like
 * a sign-in (same rate limits: a stolen session cannot guess it freely); then the new hash is
 * stored and every other browser session, every API login token and (unless `keepApiTokens`)
 * every personal API token of theirs ends, in one audited transaction. The session making the
 * change (`currentSessionId`) stays signed in.
 *
 * Errors: bad_request with fieldErrors.currentPassword for a wrong current password; bad_request
 * for an account without a password (single sign-on only); rate_limited as for sign-in.
 */
export async function changeOwnPassword(userId: string, input: ChangePassword, meta: { ip?: string; currentSessionId?: string } = {}): Promise<EndedCredentials> {
  const user = await db().user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError("not_found", "User not found");
  if (!user.passwordHash) throw new AppError("bad_request", "Your account signs in with single sign-on only; it has no password to change.");
  try {
    await verifyCredentials(user.email, input.currentPassword, meta.ip);
  } catch (error) {
    if (isAppError(error) && error.code === "unauthorized") {
      throw new AppError("bad_request", WRONG_CURRENT_PASSWORD, { data: { fieldErrors: { currentPassword: WRONG_CURRENT_PASSWORD } } });
    }
    throw error;
  }
  const passwordHash = await hashPassword(input.newPassword);
  return db().$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    const actor = { id: user.id, email: user.email };
    await recordAudit(tx, { actor, action: "user.password_change", targetType: "user", targetId: userId, after: { by: "self" }, ip: meta.ip ?? null });
    return endUserCredentials(userId, {
      reason: "password_change",
      actor,
      ip: meta.ip,
      keepApiTokens: input.keepApiTokens,
      exceptSessionId: meta.currentSessionId,
      tx,
    });
  });
}
