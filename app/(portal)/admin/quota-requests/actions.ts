"use server";

import { revalidatePath } from "next/cache";
import type { ActionResult } from "@/components/admin/action-result";
import { approveQuotaRequest, refuseQuotaRequest } from "@/lib/quota-requests";
import { requirePermission } from "@/lib/auth/guards";
import { adminActor, attempt } from "../action-result";

function refresh() {
  revalidatePath("/admin", "layout");
  revalidatePath("/quota");
  revalidatePath("/vms/new");
}

/** Approves a pending request: `{days?, note?}` (lib/quota-requests/decide.ts checks it, and that it is not the admin's own). */
export async function approveRequestAction(id: string, input: unknown): Promise<ActionResult<{ id: string }>> {
  const user = await requirePermission("admin.manage");
  const actor = await adminActor();
  return attempt(async () => {
    await approveQuotaRequest({ ...actor, role: user.role }, id, input);
    refresh();
    return { id };
  });
}

/** Refuses a pending request: `{reason}` (required). */
export async function refuseRequestAction(id: string, input: unknown): Promise<ActionResult<{ id: string }>> {
  const user = await requirePermission("admin.manage");
  const actor = await adminActor();
  return attempt(async () => {
    await refuseQuotaRequest({ ...actor, role: user.role }, id, input);
    refresh();
    return { id };
  });
}
