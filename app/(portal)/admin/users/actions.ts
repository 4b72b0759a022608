"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { createUserAsAdmin } from "@/lib/admin/users/create-user";
import { setQuotaOverrides } from "@/lib/admin/users/set-quota-overrides";
import { updateUser } from "@/lib/admin/users/update-user";
import { quotaOverridesFormSchema, userCreateSchema, userUpdateSchema } from "@/lib/schemas/admin";
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

export async function updateUserAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  const actor = await adminActor();
  const parsed = userUpdateSchema.safeParse(input);
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
