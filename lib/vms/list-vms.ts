import { db } from "../db/client";
import type { Db } from "../db/client";

type VmWithSummary = Db.Vm & { template: { name: string } | null; tasks: { id: string; status: Db.TaskStatus }[] };

/** A VM as the API lists it (GET /api/v1/vms); GET /api/v1/vms/{id} adds to this. */
export function vmSummary(vm: VmWithSummary) {
  const last = vm.tasks[0];
  return {
    id: vm.id,
    name: vm.name,
    provider_ref: vm.providerRefId,
    status: vm.status,
    ip_address: vm.ipAddress,
    template: vm.template?.name ?? null,
    cpuCores: vm.cpuCores,
    memorySize: vm.memoryMb,
    diskSize: vm.diskGb,
    created_at: vm.createdAt.toISOString(),
    last_task: last ? { task_id: last.id, status: last.status } : null,
  };
}

export async function listVms(userId: string) {
  const vms = await db().vm.findMany({
    where: { ownerId: userId, deletedAt: null },
    orderBy: { createdAt: "desc" },
    include: { template: { select: { name: true } }, tasks: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true } } },
  });
  return vms.map(vmSummary);
}
