"use server";

import { isPlausibleId } from "@/lib/api/ids";
import { requirePermission } from "@/lib/auth/guards";
import { actionResult, type ActionResult } from "@/lib/api/action-result";
import type { VmAction } from "@/lib/providers/types";
import { requestVmAction, VM_NOT_FOUND } from "@/lib/vms/vm-action";

export type VmActionResult = ActionResult<{ taskId: string }>;

const PAGE_ACTIONS: readonly unknown[] = ["start", "stop", "shutdown", "reboot", "delete", "resize"];

async function run(vmId: unknown, action: VmAction, body?: unknown): Promise<VmActionResult> {
  const user = await requirePermission("vms.own");
  // Server actions are public endpoints: their arguments are checked like any request's.
  if (!isPlausibleId(vmId)) return { ok: false, error: VM_NOT_FOUND };
  if (!PAGE_ACTIONS.includes(action)) return { ok: false, error: "Unknown action" };
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
