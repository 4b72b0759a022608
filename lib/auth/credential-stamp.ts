import { sha256Hex } from "../crypto/secrets";
import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";

/**
 * What a sign-in verified about a user (a digest of their password hash and role), so that the
 * session or token it then issues is issued only while that still holds. Without it, a password
 * change, disable or lower role committing between the password check and the issue ended every
 * credential before the new one existed, and the new one survived (lib/auth/end-credentials.ts).
 */
export type CredentialStamp = string;

/** The stamp of a user row: changes with the password hash or the role. */
export function credentialStamp(user: { passwordHash: string | null; role: string }): CredentialStamp {
  return sha256Hex(`${user.passwordHash ?? ""}|${user.role}`);
}

/** Sign-in refused because the account changed while it was being checked: the caller sees the usual 401. */
const CHANGED = "Invalid email or password";

/**
 * Runs `issue` in a transaction that first locks the user's row (FOR SHARE) and checks that the
 * user exists, is not disabled and, when `stamp` is given, still has the stamped password and
 * role; otherwise throws `unauthorized` and issues nothing. A change to the user (which updates
 * that row and ends credentials in its own transaction) either commits first, and is seen here,
 * or waits for this transaction, and then ends what it issued.
 */
export async function whileCredentialsHold<T>(userId: string, stamp: CredentialStamp | undefined, issue: (tx: Db.Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ passwordHash: string | null; role: string; disabled: boolean }[]>`
      SELECT "passwordHash", "role"::text AS "role", "disabled" FROM "User" WHERE "id" = ${userId} FOR SHARE`;
    const row = rows[0];
    if (!row || row.disabled || (stamp !== undefined && credentialStamp(row) !== stamp)) throw new AppError("unauthorized", CHANGED);
    return issue(tx);
  });
}
