"use server";

import { requirePermission } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import type { VmAction } from "@/lib/providers/types";
import { requestVmAction } from "@/lib/vms/vm-action";

export type VmActionResult = { ok: true; taskId: string } | { ok: false; error: string; details?: string[] };

async function run(vmId: string, action: VmAction, body?: unknown): Promise<VmActionResult> {
  const user = await requirePermission("vms.own");
  try {
    const result = await requestVmAction(user, vmId, action, body);
    return { ok: true, taskId: result.task_id };
  } catch (error) {
    if (isAppError(error)) {
      const denials = (error.data as { denials?: { message: string }[] } | null)?.denials;
      return { ok: false, error: error.message, details: denials?.map((d) => d.message) };
    }
    log.error({ err: error, vmId, action }, "VM action from the VM page failed");
    return { ok: false, error: "Something went wrong. Try again." };
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
