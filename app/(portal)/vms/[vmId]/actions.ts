"use server";

import { isPlausibleId } from "@/lib/api/ids";
import { requirePermission } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { currentRequestId, withReference } from "@/lib/api/request-id";
import type { VmAction } from "@/lib/providers/types";
import { requestVmAction, VM_NOT_FOUND } from "@/lib/vms/vm-action";

export type VmActionResult = { ok: true; taskId: string } | { ok: false; error: string; details?: string[] };

const PAGE_ACTIONS: readonly unknown[] = ["start", "stop", "shutdown", "reboot", "delete", "resize"];

async function run(vmId: unknown, action: VmAction, body?: unknown): Promise<VmActionResult> {
  const user = await requirePermission("vms.own");
  // Server actions are public endpoints: their arguments are checked like any request's.
  if (!isPlausibleId(vmId)) return { ok: false, error: VM_NOT_FOUND };
  if (!PAGE_ACTIONS.includes(action)) return { ok: false, error: "Unknown action" };
  try {
    const result = await requestVmAction(user, vmId, action, body);
    return { ok: true, taskId: result.task_id };
  } catch (error) {
    if (isAppError(error)) {
      const denials = (error.data as { denials?: { message: string }[] } | null)?.denials;
      return { ok: false, error: error.message, details: denials?.map((d) => d.message) };
    }
    const requestId = await currentRequestId();
    log.error({ err: error, vmId, action, requestId }, "VM action from the VM page failed");
    return { ok: false, error: withReference("Something went wrong. Try again.", requestId) };
  }
}

/** The VM page's power and delete buttons: the same domain call as the API, so the same checks and messages. */
export async function vmAction(vmId: string, action: "start" | "stop" | "shutdown" | "reboot" | "delete"): Promise<VmActionResult> {
  return run(vmId, action);
}

/** The VM page's resize form: `{cpuCores, memorySize, diskSize}` as the API takes it. */
export async function resizeVm(vmId: string, input: { cpuCores?: number; memorySize?: number; diskSize?: number }): Promise<VmActionResult> {
  return run(vmId, "resize", input);
}
