import { db } from "../db/client";
import { env } from "../env";
import { AppError } from "../errors";
import { whileCredentialsHold, type CredentialStamp } from "./credential-stamp";
import type { AuthenticatedUser } from "./credentials";
import { hashToken, newToken } from "./tokens";

/**
 * Bearer tokens for /api/v1. `session` tokens come from POST /api/v1/auth/login and expire;
 * `personal` tokens are named by their owner, optionally expire, and can be revoked.
 *
 * `issueSessionToken` issues only while the user is enabled and, given the sign-in's `stamp`,
 * still has the password and role that were checked (lib/auth/credential-stamp.ts); otherwise
 * it throws `unauthorized` and issues nothing.
 */
export async function issueSessionToken(userId: string, stamp?: CredentialStamp): Promise<{ token: string; expiresAt: Date }> {
  const { token, hash, prefix } = newToken("hgr_s");
  const expiresAt = new Date(Date.now() + env().HANGAR_API_TOKEN_HOURS * 3600_000);
  await whileCredentialsHold(userId, stamp, (tx) =>
    tx.apiToken.create({ data: { userId, kind: "session", name: "API login", tokenHash: hash, prefix, expiresAt } }),
  );
  return { token, expiresAt };
}

export type PersonalTokenView = {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
};

export async function createPersonalToken(
  userId: string,
  input: { name: string; expiresInDays?: number | null },
): Promise<{ token: string; view: PersonalTokenView }> {
  const name = input.name.trim();
  if (!name) throw new AppError("bad_request", "Token name is required");
  const clash = await db().apiToken.findFirst({ where: { userId, kind: "personal", name, revokedAt: null } });
  if (clash) throw new AppError("conflict", `You already have a token named "${name}"`);
  const { token, hash, prefix } = newToken("hgr_p");
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86400_000) : null;
  const row = await db().apiToken.create({ data: { userId, kind: "personal", name, tokenHash: hash, prefix, expiresAt } });
  return { token, view: toView(row) };
}

export async function listPersonalTokens(userId: string): Promise<PersonalTokenView[]> {
  const rows = await db().apiToken.findMany({
    where: { userId, kind: "personal", revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(toView);
}

export async function revokePersonalToken(userId: string, tokenId: string): Promise<void> {
  const { count } = await db().apiToken.updateMany({
    where: { id: tokenId, userId, kind: "personal", revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new AppError("not_found", "Token not found");
}

/** The user a bearer token belongs to, or null for anything unknown, expired, revoked or disabled. */
export async function authenticateBearer(authorization: string | null | undefined): Promise<AuthenticatedUser | null> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1]) return null;
  const row = await db().apiToken.findUnique({ where: { tokenHash: hashToken(match[1]) }, include: { user: true } });
  const now = new Date();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.user.disabled) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  const { id, email, name, role } = row.user;
  return { id, email, name, role };
}

function toView(row: { id: string; name: string; prefix: string; createdAt: Date; expiresAt: Date | null; lastUsedAt: Date | null }): PersonalTokenView {
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt };
}
