"use server";

import { requirePermission } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { currentRequestId, withReference } from "@/lib/api/request-id";
import { createVmFromTemplate } from "@/lib/vms/create-vm";

export type CreateVmActionResult = { ok: true; taskId: string } | { ok: false; error: string; details?: string[] };

/** The wizard's submit: the same domain call as the seed API, so the same checks and messages. */
export async function createVmAction(input: unknown): Promise<CreateVmActionResult> {
  const user = await requirePermission("vms.own");
  try {
    const result = await createVmFromTemplate(user, input);
    return { ok: true, taskId: result.task_id };
  } catch (error) {
    if (isAppError(error)) {
      const denials = (error.data as { denials?: { message: string }[] } | null)?.denials;
      return { ok: false, error: error.message, details: denials?.map((d) => d.message) };
    }
    const requestId = await currentRequestId();
    log.error({ err: error, requestId }, "create VM from the wizard failed");
    return { ok: false, error: withReference("Something went wrong while creating the VM. Try again.", requestId) };
  }
}
