"use server";

import { revalidatePath } from "next/cache";
import { cookies, headers } from "next/headers";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import { isPlausibleId } from "@/lib/api/ids";
import { zodMessage } from "@/lib/api/respond";
import { createPersonalToken, revokePersonalToken } from "@/lib/auth/api-tokens";
import { changeOwnPassword, sessionIdFromCookie } from "@/lib/auth/change-password";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import type { EndedCredentials } from "@/lib/auth/end-credentials";
import { requirePermission } from "@/lib/auth/guards";
import { SESSION_COOKIES } from "@/lib/auth/session-cookie";
import { changePasswordSchema } from "@/lib/schemas/credentials";
import { AppError } from "@/lib/errors";
import { sshKeySchema } from "@/lib/schemas/ssh-key";
import { personalTokenSchema } from "@/lib/schemas/user";
import { addSshKey, deleteSshKey } from "@/lib/ssh-keys/manage";

export async function createTokenAction(input: unknown): Promise<ActionResult<{ token: string }>> {
  const user = await requirePermission("profile.manage");
  const parsed = personalTokenSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  return actionResult(async () => {
    const { token } = await createPersonalToken(user.id, parsed.data);
    revalidatePath("/profile");
    return { token };
  });
}

export async function revokeTokenAction(tokenId: unknown): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  return actionResult(async () => {
    if (!isPlausibleId(tokenId)) throw new AppError("not_found", "Token not found");
    await revokePersonalToken(user.id, tokenId);
    revalidatePath("/profile");
    return undefined;
  });
}

export async function addSshKeyAction(input: unknown): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  const parsed = sshKeySchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  return actionResult(async () => {
    await addSshKey(user.id, parsed.data);
    revalidatePath("/profile");
    return undefined;
  });
}

export async function deleteSshKeyAction(id: unknown): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  return actionResult(async () => {
    if (!isPlausibleId(id)) throw new AppError("not_found", "SSH key not found");
    await deleteSshKey(user.id, id);
    revalidatePath("/profile");
    return undefined;
  });
}

/** Changes the signed-in person's password; their other sessions and API logins end (this one stays). */
export async function changePasswordAction(input: unknown): Promise<ActionResult<EndedCredentials>> {
  const user = await requirePermission("profile.manage");
  const parsed = changePasswordSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  const jar = await cookies();
  const currentSessionId = await sessionIdFromCookie(SESSION_COOKIES.map((name) => jar.get(name)?.value).find(Boolean));
  const ip = (await headers()).get(CLIENT_IP_HEADER) ?? undefined;
  return actionResult(async () => {
    const ended = await changeOwnPassword(user.id, parsed.data, { ip, currentSessionId });
    revalidatePath("/profile");
    return ended;
  });
}
