import { db } from "../db/client";
import { log } from "../log";
import { notify } from "./notify";

/**
 * Tells a VM's owner that the provider interrupted it (an interruptible rental reclaimed, a host
 * failure): "Your VM gpu-1 was interrupted" with `reason` (in words for users; never the
 * provider's internals) and a link to the VM. Never throws: a problem is logged and answers null.
 */
export async function notifyVmInterrupted(vmId: string, reason: string): Promise<string | null> {
  try {
    const vm = await db().vm.findUnique({ where: { id: vmId }, select: { id: true, name: true, ownerId: true } });
    if (!vm) return null;
    const body = reason.trim() || "The provider stopped it.";
    return (await notify(vm.ownerId, { kind: "vm_interrupted", title: `Your VM ${vm.name} was interrupted`, body, link: `/vms/${vm.id}` })).id;
  } catch (error) {
    log.warn({ vmId, reason: error instanceof Error ? error.message.slice(0, 300) : "unknown" }, "could not notify about an interrupted VM");
    return null;
  }
}
