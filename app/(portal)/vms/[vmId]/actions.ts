"use server";

import { requirePermission } from "@/lib/auth/guards";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import type { VmAction } from "@/lib/providers/types";
import { requestVmAction } from "@/lib/vms/vm-action";

export type VmActionResult = ActionResult<{ taskId: string }>;

async function run(vmId: string, action: VmAction, body?: unknown): Promise<VmActionResult> {
  const user = await requirePermission("vms.own");
  return actionResult(async () => ({ taskId: (await requestVmAction(user, vmId, action, body)).task_id }));
}

/** The VM page's power and delete buttons: the same domain call as the API, so the same checks and messages. */
export async function vmAction(vmId: string, action: "start" | "stop" | "shutdown" | "reboot" | "delete"): Promise<VmActionResult> {
  return run(vmId, action);
}

/** The VM page's resize form: `{cpuCores, memorySize, diskSize}` as the API takes it. */
export async function resizeVm(vmId: string, input: { cpuCores?: number; memorySize?: number; diskSize?: number }): Promise<VmActionResult> {
  return run(vmId, "resize", input);
}
