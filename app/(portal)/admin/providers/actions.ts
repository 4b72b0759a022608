"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { deleteProvider } from "@/lib/admin/providers/delete-provider";
import { importTemplates } from "@/lib/admin/providers/import-templates";
import { saveProvider } from "@/lib/admin/providers/save-provider";
import { testProviderConnection } from "@/lib/admin/providers/test-connection";
import { idSchema, importTemplatesSchema, providerFormSchema } from "@/lib/schemas/admin";
import { adminActor, attempt, invalid } from "../action-result";

export async function saveProviderAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  const actor = await adminActor();
  const parsed = providerFormSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const saved = await saveProvider(parsed.data, actor);
    revalidatePath("/admin", "layout");
    return saved;
  });
}

export async function testProviderAction(input: unknown): Promise<ActionResult<{ version: string }>> {
  await adminActor();
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(() => testProviderConnection(parsed.data.id));
}

export async function importTemplatesAction(input: unknown): Promise<ActionResult<{ count: number }>> {
  const actor = await adminActor();
  const parsed = importTemplatesSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const { ids } = await importTemplates(parsed.data, actor);
    revalidatePath("/admin", "layout");
    return { count: ids.length };
  });
}

/** Deletes a provider nothing uses (lib/admin/providers/delete-provider.ts); else says what uses it. */
export async function deleteProviderAction(input: unknown): Promise<ActionResult<{ name: string }>> {
  const actor = await adminActor();
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const deleted = await deleteProvider(parsed.data.id, actor);
    revalidatePath("/admin", "layout");
    return deleted;
  });
}
