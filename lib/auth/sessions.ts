import { randomBytes } from "node:crypto";
import { db } from "../db/client";
import { env } from "../env";
import { sha256Hex } from "../crypto/secrets";
import { whileCredentialsHold, type CredentialStamp } from "./credential-stamp";
import type { AuthenticatedUser } from "./credentials";

/**
 * Browser sessions. next-auth's encrypted JWT cookie carries a random session id; the
 * database keeps its SHA-256 with an expiry, so that sign-out, expiry and disabling a user
 * take effect at once on every web process.
 *
 * `createSession` creates one only while the user is enabled and, given the sign-in's `stamp`,
 * still has the password and role that were checked (lib/auth/credential-stamp.ts); otherwise
 * it throws `unauthorized` and creates nothing.
 */
export async function createSession(userId: string, meta: { ip?: string; userAgent?: string } = {}, stamp?: CredentialStamp): Promise<{ sid: string; expiresAt: Date }> {
  const sid = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + env().HANGAR_SESSION_HOURS * 3600_000);
  await whileCredentialsHold(userId, stamp, (tx) =>
    tx.session.create({
      data: { tokenHash: sha256Hex(sid), userId, expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) },
    }),
  );
  return { sid, expiresAt };
}

/** The session's user, or null when the session is unknown, expired or its user disabled. */
export async function validateSession(sid: string): Promise<AuthenticatedUser | null> {
  const session = await db().session.findUnique({ where: { tokenHash: sha256Hex(sid) }, include: { user: true } });
  if (!session || session.expiresAt <= new Date() || session.user.disabled) return null;
  if (Date.now() - session.lastSeenAt.getTime() > 60_000) {
    await db().session.update({ where: { id: session.id }, data: { lastSeenAt: new Date() } });
  }
  const { id, email, name, role } = session.user;
  return { id, email, name, role };
}

export async function revokeSession(sid: string): Promise<void> {
  await db().session.deleteMany({ where: { tokenHash: sha256Hex(sid) } });
}

/** Removes expired sessions and expired or revoked API tokens (a periodic job). */
export async function purgeExpiredCredentials(now = new Date()): Promise<{ sessions: number; tokens: number }> {
  const sessions = await db().session.deleteMany({ where: { expiresAt: { lte: now } } });
  const weekAgo = new Date(now.getTime() - 7 * 86400_000);
  const tokens = await db().apiToken.deleteMany({
    where: { OR: [{ expiresAt: { lte: weekAgo } }, { revokedAt: { lte: weekAgo } }] },
  });
  return { sessions: sessions.count, tokens: tokens.count };
}
