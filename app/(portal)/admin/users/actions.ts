"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { createUserAsAdmin } from "@/lib/admin/users/create-user";
import { setQuotaOverrides } from "@/lib/admin/users/set-quota-overrides";
import { signOutEverywhere } from "@/lib/admin/users/sign-out-everywhere";
import { updateUser } from "@/lib/admin/users/update-user";
import type { EndedCredentials } from "@/lib/auth/end-credentials";
import { quotaOverridesFormSchema, userCreateSchema } from "@/lib/schemas/admin";
import { signOutEverywhereSchema, userEditSchema } from "@/lib/schemas/credentials";
import { adminActor, attempt, invalid } from "../action-result";

function refresh() {
  revalidatePath("/admin", "layout");
  revalidatePath("/vms/new");
  revalidatePath("/quota");
}

/** The generated password (if any) is in this answer only: it is stored as a hash. */
export async function createUserAction(input: unknown): Promise<ActionResult<{ id: string; generatedPassword: string | null }>> {
  const actor = await adminActor();
  const parsed = userCreateSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const created = await createUserAsAdmin(parsed.data, actor);
    refresh();
    return created;
  });
}

/** Saves the user edit; a new password, a disable or a lower role ends the user's sessions (lib/auth/end-credentials.ts). */
export async function updateUserAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  const actor = await adminActor();
  const parsed = userEditSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const saved = await updateUser(parsed.data, actor);
    refresh();
    return saved;
  });
}

export async function saveQuotaOverridesAction(input: unknown): Promise<ActionResult<{ overrides: Record<string, number> }>> {
  const actor = await adminActor();
  const parsed = quotaOverridesFormSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const saved = await setQuotaOverrides(parsed.data, actor);
    refresh();
    return saved;
  });
}

/** Ends all of the user's browser sessions and API login tokens (and personal API tokens when asked). */
export async function signOutEverywhereAction(input: unknown): Promise<ActionResult<EndedCredentials>> {
  const actor = await adminActor();
  const parsed = signOutEverywhereSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const ended = await signOutEverywhere(parsed.data, actor);
    refresh();
    return ended;
  });
}
