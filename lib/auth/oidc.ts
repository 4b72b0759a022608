import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import { AppError } from "../errors";
import { defaultPlanId } from "../plans/default-plan";
import type { AuthenticatedUser } from "./credentials";
import { isAccountLocked } from "./rate-limit";

/**
 * Why a single sign-on was refused: each is a code that /signin knows (lib/auth/sign-in-errors.ts),
 * so the page shows fixed words and never text that came with the request.
 */
export const SSO_ERROR = {
  /** The IdP did not assert `email_verified: true` for the email that would link or create an account. */
  emailNotVerified: "SsoEmailNotVerified",
  /** The IdP shared no email address, and no account is linked to this identity yet. */
  noEmail: "SsoNoEmail",
  /** The ID token's issuer is not the configured one. */
  wrongIssuer: "SsoWrongIssuer",
  /** The account with this email is already linked to another identity; it is never re-linked. */
  linkedElsewhere: "SsoLinkedElsewhere",
  /** The account is disabled. */
  disabled: "SsoAccountDisabled",
  /** The account is locked after too many failed sign-ins. */
  locked: "SsoAccountLocked",
} as const;
export type SsoErrorCode = (typeof SSO_ERROR)[keyof typeof SSO_ERROR];

/** A refusal of single sign-on; `signInError` is the code for /signin?error=. */
export class SsoRefusal extends AppError {
  constructor(
    readonly signInError: SsoErrorCode,
    message: string,
  ) {
    super("forbidden", message);
    this.name = "SsoRefusal";
  }
}

/** What the IdP said about the person, from its verified ID token and (for missing claims) its userinfo. */
export type OidcIdentity = {
  /** `iss` of the ID token. */
  issuer: string;
  /** `sub` of the ID token. */
  subject: string;
  email?: string | null;
  /** True only when the IdP asserted `email_verified: true` (the boolean) for this same email. */
  emailVerified: boolean;
  name?: string | null;
};

const sameIssuer = (a: string, b: string) => a.trim().replace(/\/+$/, "") === b.trim().replace(/\/+$/, "");

/**
 * Signs a person in with an identity from the configured OpenID Connect provider.
 *
 * Rules, in order:
 * - the identity's issuer must be `configuredIssuer` (trailing slashes aside);
 * - an account already linked to issuer + subject is that person's account: found by that link
 *   only, never by email;
 * - otherwise the IdP must assert a verified email: then the account with that email is linked
 *   (only if it is linked to no identity yet: a link is never moved to another subject), or, when
 *   there is none, a new `user` on the default plan is created;
 * - a disabled account, or one locked after failed sign-ins, stays closed: nothing is linked;
 * - every new link is audited (`user.sso_link`, or `user.create` with the link).
 *
 * Throws SsoRefusal (403, with a /signin error code) when refused; writes nothing then.
 */
export async function signInWithOidc(identity: OidcIdentity, configuredIssuer: string): Promise<AuthenticatedUser> {
  if (!sameIssuer(identity.issuer, configuredIssuer)) {
    throw new SsoRefusal(SSO_ERROR.wrongIssuer, "The identity provider is not the one this portal trusts.");
  }
  if (!identity.subject) throw new SsoRefusal(SSO_ERROR.noEmail, "The identity provider did not identify the person.");
  // The stored link keeps the configured issuer's spelling, as links made before did.
  const link = `${configuredIssuer}#${identity.subject}`;
  const email = identity.email?.trim().toLowerCase() || null;

  let user = await db().user.findUnique({ where: { oidcSubject: link } });
  if (user) {
    await assertOpen(user);
  } else {
    if (!email) throw new SsoRefusal(SSO_ERROR.noEmail, "The identity provider did not share an email address.");
    if (identity.emailVerified !== true) {
      throw new SsoRefusal(SSO_ERROR.emailNotVerified, "The identity provider has not verified this email address.");
    }
    const byEmail = await db().user.findUnique({ where: { email } });
    if (byEmail) {
      if (byEmail.oidcSubject) throw new SsoRefusal(SSO_ERROR.linkedElsewhere, "This account is already linked to another single sign-on identity.");
      await assertOpen(byEmail);
      user = await linkExisting(byEmail.id, email, link, identity);
    } else {
      user = await createLinked(email, link, identity);
    }
  }
  await db().user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

async function assertOpen(user: { email: string; disabled: boolean }): Promise<void> {
  if (user.disabled) throw new SsoRefusal(SSO_ERROR.disabled, "This account is disabled. Ask an administrator to enable it.");
  if (await isAccountLocked(user.email)) {
    throw new SsoRefusal(SSO_ERROR.locked, "This account is locked after too many failed sign-ins. Try again later.");
  }
}

/** Links only an account that is still unlinked (checked in the same statement), with its audit record. */
async function linkExisting(userId: string, email: string, link: string, identity: OidcIdentity) {
  return db().$transaction(async (tx) => {
    const { count } = await tx.user.updateMany({ where: { id: userId, oidcSubject: null, disabled: false }, data: { oidcSubject: link } });
    if (count === 0) throw new SsoRefusal(SSO_ERROR.linkedElsewhere, "This account is already linked to another single sign-on identity.");
    await recordAudit(tx, {
      actor: { id: userId, email },
      action: "user.sso_link",
      targetType: "user",
      targetId: userId,
      before: { oidcSubject: null },
      after: { oidcSubject: link, issuer: identity.issuer, subject: identity.subject, emailVerified: true },
    });
    return tx.user.findUniqueOrThrow({ where: { id: userId } });
  });
}

async function createLinked(email: string, link: string, identity: OidcIdentity) {
  const planId = await defaultPlanId();
  try {
    return await db().$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name: identity.name ?? "", role: "user", oidcSubject: link, planId } });
      await recordAudit(tx, {
        actor: { id: user.id, email },
        action: "user.create",
        targetType: "user",
        targetId: user.id,
        after: { email, name: user.name, role: user.role, planId, oidcSubject: link, issuer: identity.issuer, subject: identity.subject, emailVerified: true },
      });
      return user;
    });
  } catch (error) {
    // A concurrent first sign-in of the same person (or a new account with this email) won the race.
    if ((error as { code?: unknown }).code === "P2002") {
      const again = await db().user.findUnique({ where: { oidcSubject: link } });
      if (again) {
        await assertOpen(again);
        return again;
      }
      throw new SsoRefusal(SSO_ERROR.linkedElsewhere, "This account is already linked to another single sign-on identity.");
    }
    throw error;
  }
}
