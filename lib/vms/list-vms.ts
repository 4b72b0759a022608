import { db } from "../db/client";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { Decimal, fromPlanRentalType, type PlanRentalType } from "../pricing/rental";
import { RENTAL_TYPES } from "../schemas/catalog";
import { PROVIDER_CATALOG } from "../providers/catalog";
import type { ProviderKind, VmAction } from "../providers/types";
import { allowedActions } from "./action-rules";
export { MAX_VM_PAGE } from "../schemas/api";

type VmWithSummary = Db.Vm & { template: { name: string } | null; tasks: { id: string; status: Db.TaskStatus; kind?: string }[] };

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
    last_task: last ? { task_id: last.id, status: last.status, ...(last.kind !== undefined ? { kind: last.kind } : {}) } : null,
  };
}

export type VmPageQuery = { limit?: number; cursor?: string };

function encodeCursor(vm: { createdAt: Date; id: string }): string {
  return Buffer.from(`${vm.createdAt.toISOString()}|${vm.id}`, "utf8").toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const invalid = new AppError("bad_request", "cursor: not a cursor from a previous page");
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid;
  const [at, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (rest.length || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) throw invalid;
  return { createdAt, id };
}

/**
 * The user's VMs, newest first (ties by id). Without `limit`: all of them (as the seed API always
 * answered). With `limit` (1–MAX_VM_PAGE): one page, and `nextCursor` to pass as `cursor` for the
 * next one (null on the last page): keyset pagination, so a deep page costs what the first does.
 * A malformed cursor is a 400 AppError. Each VM carries the `actions` its owner may ask of it now.
 */
export async function listVms(userId: string, query: VmPageQuery = {}): Promise<{ vms: (ReturnType<typeof vmSummary> & { actions: VmAction[] })[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const limit = query.limit;
  const vms = await db().vm.findMany({
    where: {
      ownerId: userId,
      deletedAt: null,
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...(limit ? { take: limit + 1 } : {}),
    include: { template: { select: { name: true } }, provider: { select: { kind: true } }, tasks: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, kind: true } } },
  });
  const page = limit ? vms.slice(0, limit) : vms;
  // The owner may act on each: the actions its state and provider allow now (as GET /api/v1/vms/{id}).
  const withActions = page.map((vm) => {
    const running = vm.tasks[0] && (vm.tasks[0].status === "pending" || vm.tasks[0].status === "in_progress");
    return { ...vmSummary(vm), actions: allowedActions(vm.status, Boolean(running), PROVIDER_CATALOG[vm.provider.kind as ProviderKind].capabilities.actions) };
  });
  return { vms: withActions, nextCursor: limit && vms.length > limit ? encodeCursor(page.at(-1)!) : null };
}
