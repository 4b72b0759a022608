import { db } from "../db/client";

export async function listVms(userId: string) {
  const vms = await db().vm.findMany({
    where: { ownerId: userId, deletedAt: null },
    orderBy: { createdAt: "desc" },
    include: { template: { select: { name: true } }, tasks: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true } } },
  });
  return vms.map((vm) => ({
    id: vm.id,
    name: vm.name,
    vmid: vm.vmid,
    node: vm.node,
    status: vm.status,
    ip_address: vm.ipAddress,
    template: vm.template?.name ?? null,
    cpuCores: vm.cpuCores,
    memorySize: vm.memoryMb,
    diskSize: vm.diskGb,
    created_at: vm.createdAt.toISOString(),
    last_task: vm.tasks[0] ? { task_id: vm.tasks[0].id, status: vm.tasks[0].status } : null,
  }));
}
