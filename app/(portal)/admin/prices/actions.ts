"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { savePrices } from "@/lib/admin/prices/save-prices";
import { pricesFormSchema } from "@/lib/schemas/admin";
import { adminActor, attempt, invalid } from "../action-result";

export async function savePricesAction(input: unknown): Promise<ActionResult> {
  const actor = await adminActor();
  const parsed = pricesFormSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    await savePrices(parsed.data, actor);
    revalidatePath("/admin", "layout");
    revalidatePath("/quota");
    revalidatePath("/vms/new");
    return undefined;
  });
}
