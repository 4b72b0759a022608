import { recordAudit, type Actor } from "../audit/record";
import { db } from "../db/client";
import type { Db } from "../db/client";
import { hashToken } from "./tokens";

/** Why a user's credentials end: recorded in the audit log. */
export type EndCredentialsReason = "password_change" | "disabled" | "role_lowered" | "sign_out_everywhere";

export type EndCredentialsOptions = {
  reason: EndCredentialsReason;
  /** Who did it (the audit record's actor); null: the system. */
  actor: Actor;
  /** The actor's address, for the audit record. */
  ip?: string | null;
  /** Keep the user's personal API tokens (default false: they are revoked). Sessions and login tokens always end. */
  keepApiTokens?: boolean;
  /** A browser session id (the cookie's `sid`) to keep: the one a user changing their own password is using. */
  exceptSessionId?: string;
  /** Run inside this transaction (the change that causes it), so both happen or neither. */
  tx?: Db.Prisma.TransactionClient;
};

export type EndedCredentials = { sessions: number; sessionTokens: number; personalTokens: number };

/**
 * Ends what lets a user in without their password: every browser session (deleted), every
 * session token from POST /api/v1/auth/login (`hgr_s_`, deleted) and, unless `keepApiTokens`,
 * every personal API token (`hgr_p_`, marked revoked). Nothing is merely suspended: enabling the
 * user again, or raising their role, brings none of it back. Used by every path that must end
 * them: a password change (config file, admin console, profile), disabling a user, lowering a
 * role, and the admin's "Sign out everywhere". Audited as `user.credentials_end` with the counts.
 */
export async function endUserCredentials(userId: string, options: EndCredentialsOptions): Promise<EndedCredentials> {
  const run = async (tx: Db.Prisma.TransactionClient): Promise<EndedCredentials> => {
    const keep = options.exceptSessionId ? hashToken(options.exceptSessionId) : undefined;
    const sessions = await tx.session.deleteMany({ where: { userId, ...(keep && { tokenHash: { not: keep } }) } });
    const sessionTokens = await tx.apiToken.deleteMany({ where: { userId, kind: "session" } });
    const personalTokens = options.keepApiTokens
      ? { count: 0 }
      : await tx.apiToken.updateMany({ where: { userId, kind: "personal", revokedAt: null }, data: { revokedAt: new Date() } });
    const ended = { sessions: sessions.count, sessionTokens: sessionTokens.count, personalTokens: personalTokens.count };
    await recordAudit(tx, {
      actor: options.actor,
      action: "user.credentials_end",
      targetType: "user",
      targetId: userId,
      // Keys avoid "token" and the like: the audit scrubber would redact them (lib/audit/record.ts).
      after: {
        reason: options.reason,
        browserSessionsEnded: ended.sessions,
        apiLoginsEnded: ended.sessionTokens,
        personalApiAccessRevoked: ended.personalTokens,
        personalApiAccessKept: Boolean(options.keepApiTokens),
      },
      ip: options.ip ?? null,
    });
    return ended;
  };
  return options.tx ? run(options.tx) : db().$transaction(run);
}

const RANK = { user: 0, support: 1, admin: 2 } as const;

/** True when `after` is a lower role than `before` (admin → support → user). */
export function isRoleLowered(before: keyof typeof RANK, after: keyof typeof RANK): boolean {
  return RANK[after] < RANK[before];
}
