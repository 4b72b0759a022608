import { db } from "../db/client";
import type { Db } from "../db/client";
import { Decimal, fromPlanRentalType, type PlanRentalType } from "../pricing/rental";
import { RENTAL_TYPES } from "../schemas/catalog";

type VmWithSummary = Db.Vm & { template: { name: string } | null; tasks: { id: string; status: Db.TaskStatus }[] };

/** A VM's GPU and rental fields as the API shows them (rates as decimal strings). */
export function rentalFields(vm: Db.Vm) {
  const plan = (RENTAL_TYPES as readonly string[]).includes(vm.rentalType) ? fromPlanRentalType(vm.rentalType as PlanRentalType) : { rentalType: "on_demand" as const };
  return {
    gpuType: vm.gpuCount > 0 ? vm.gpuType : null,
    gpuCount: vm.gpuCount,
    rentalType: plan.rentalType,
    reservationMonths: vm.reservationMonths ?? null,
    reservationEndsAt: vm.reservationEndsAt?.toISOString() ?? null,
    autoRestart: vm.autoRestart,
    rates:
      vm.gpuHourly !== null
        ? {
            gpuHourly: vm.gpuHourly.toString(),
            storageHourly: (vm.storageHourly ?? 0).toString(),
            totalHourly: new Decimal(vm.gpuHourly.toString()).plus((vm.storageHourly ?? 0).toString()).toString(),
            committed: vm.committedCost?.toString() ?? null,
          }
        : null,
  };
}

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
    ...rentalFields(vm),
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
