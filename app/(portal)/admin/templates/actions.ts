"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { updateTemplate } from "@/lib/admin/templates/update-template";
import { templateFormSchema } from "@/lib/schemas/admin";
import { adminActor, attempt, invalid } from "../action-result";

export async function saveTemplateAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  const actor = await adminActor();
  const parsed = templateFormSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const saved = await updateTemplate(parsed.data, actor);
    revalidatePath("/admin", "layout");
    revalidatePath("/vms/new");
    return saved;
  });
}
