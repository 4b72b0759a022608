import { endUserCredentials, type EndedCredentials } from "../../auth/end-credentials";
import { db } from "../../db/client";
import type { SignOutEverywhere } from "../../schemas/credentials";
import { notFound, TX_OPTIONS, type AdminActor } from "../common";

/**
 * The admin's "Sign out everywhere" for one user: ends all their browser sessions and API login
 * tokens at once, and their personal API tokens too when `revokeApiTokens`. Audited
 * (`user.credentials_end`, reason `sign_out_everywhere`). Unknown user: not_found.
 */
export async function signOutEverywhere(input: SignOutEverywhere, actor: AdminActor): Promise<EndedCredentials> {
  return db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.id }, select: { id: true } });
    if (!user) throw notFound("User");
    return endUserCredentials(user.id, {
      reason: "sign_out_everywhere",
      actor: { id: actor.id, email: actor.email },
      ip: actor.ip,
      keepApiTokens: !input.revokeApiTokens,
      tx,
    });
  }, TX_OPTIONS);
}
