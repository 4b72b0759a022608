"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { assignPlan } from "@/lib/admin/plans/assign-plan";
import { deletePlan } from "@/lib/admin/plans/delete-plan";
import { savePlan } from "@/lib/admin/plans/save-plan";
import { idSchema, planAssignSchema, planFormSchema } from "@/lib/schemas/admin";
import { adminActor, attempt, invalid } from "../action-result";

function refresh() {
  revalidatePath("/admin", "layout");
  revalidatePath("/vms/new");
  revalidatePath("/quota");
}

export async function savePlanAction(input: unknown): Promise<ActionResult<{ id: string }>> {
  const actor = await adminActor();
  const parsed = planFormSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const saved = await savePlan(parsed.data, actor);
    refresh();
    return saved;
  });
}

export async function assignPlanAction(input: unknown): Promise<ActionResult<{ users: number; teams: number }>> {
  const actor = await adminActor();
  const parsed = planAssignSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    const moved = await assignPlan(parsed.data, actor);
    refresh();
    return moved;
  });
}

export async function deletePlanAction(input: unknown): Promise<ActionResult> {
  const actor = await adminActor();
  const parsed = idSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error);
  return attempt(async () => {
    await deletePlan(parsed.data.id, actor);
    refresh();
    return undefined;
  });
}
