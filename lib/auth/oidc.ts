import { db } from "../db/client";
import { AppError } from "../errors";
import { defaultPlanId } from "../plans/default-plan";
import type { AuthenticatedUser } from "./credentials";
import { ACCOUNT_DISABLED } from "./credentials";

/**
 * First single sign-on creates a `user` on the default plan; later ones find it by subject,
 * or link an existing account with the same (verified by the IdP) email.
 */
export async function signInWithOidc(input: { issuer: string; subject: string; email?: string | null; name?: string | null }): Promise<AuthenticatedUser> {
  const subject = `${input.issuer}#${input.subject}`;
  const email = input.email?.trim().toLowerCase();
  let user = await db().user.findUnique({ where: { oidcSubject: subject } });
  if (!user && email) {
    const byEmail = await db().user.findUnique({ where: { email } });
    if (byEmail) user = await db().user.update({ where: { id: byEmail.id }, data: { oidcSubject: subject } });
  }
  if (!user) {
    if (!email) throw new AppError("bad_request", "The identity provider did not share an email address");
    user = await db().user.create({
      data: { email, name: input.name ?? "", role: "user", oidcSubject: subject, planId: await defaultPlanId() },
    });
  }
  if (user.disabled) throw new AppError("forbidden", ACCOUNT_DISABLED);
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
