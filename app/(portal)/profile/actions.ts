"use server";

import { revalidatePath } from "next/cache";
import { createPersonalToken, revokePersonalToken } from "@/lib/auth/api-tokens";
import { requirePermission } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { personalTokenSchema } from "@/lib/schemas/user";
import { zodMessage } from "@/lib/api/respond";
import { sshKeySchema } from "@/lib/schemas/ssh-key";
import { addSshKey, deleteSshKey } from "@/lib/ssh-keys/manage";

export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; error: string };

export async function createTokenAction(input: unknown): Promise<ActionResult<{ token: string }>> {
  const user = await requirePermission("profile.manage");
  const parsed = personalTokenSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  try {
    const { token } = await createPersonalToken(user.id, parsed.data);
    revalidatePath("/profile");
    return { ok: true, data: { token } };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message };
    throw error;
  }
}

export async function revokeTokenAction(tokenId: string): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  try {
    await revokePersonalToken(user.id, String(tokenId));
    revalidatePath("/profile");
    return { ok: true, data: undefined };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message };
    throw error;
  }
}

export async function addSshKeyAction(input: unknown): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  const parsed = sshKeySchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: zodMessage(parsed.error) };
  try {
    await addSshKey(user.id, parsed.data);
    revalidatePath("/profile");
    return { ok: true, data: undefined };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message };
    throw error;
  }
}

export async function deleteSshKeyAction(id: string): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  try {
    await deleteSshKey(user.id, String(id));
    revalidatePath("/profile");
    return { ok: true, data: undefined };
  } catch (error) {
    if (isAppError(error)) return { ok: false, error: error.message };
    throw error;
  }
}
