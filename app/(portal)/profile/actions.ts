"use server";

import { revalidatePath } from "next/cache";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import { zodMessage } from "@/lib/api/respond";
import { createPersonalToken, revokePersonalToken } from "@/lib/auth/api-tokens";
import { requirePermission } from "@/lib/auth/guards";
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

export async function revokeTokenAction(tokenId: string): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  return actionResult(async () => {
    await revokePersonalToken(user.id, String(tokenId));
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

export async function deleteSshKeyAction(id: string): Promise<ActionResult> {
  const user = await requirePermission("profile.manage");
  return actionResult(async () => {
    await deleteSshKey(user.id, String(id));
    revalidatePath("/profile");
    return undefined;
  });
}
