import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { db } from "../db/client";
import { AppError } from "../errors";
import type { VmDetail } from "../schemas/vm-action";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { allowedActions } from "./action-rules";
import { refreshAddress } from "./refresh-address";
import { vmSummary } from "./list-vms";
import { money } from "../pricing/rental";
import { monthWindow, vmCost } from "./state-spans";
import { ACTIVE_TASK_STATUSES, VM_NOT_FOUND } from "./vm-action";

/**
 * One VM as the API shows it: its owner's, or anyone's for support and admins (as the VM page).
 * `actions` lists what the caller may ask of it now: nothing while a task runs on it, nothing
 * for support staff, who may look but not act. A running VM without an address yet gets it
 * from its provider when it has one now (refresh-address.ts). `cost_this_month`: a rated rental's
 * cost so far this calendar month (UTC), rounded to cents (lib/vms/state-spans.ts).
 */
export async function getVm(user: AuthenticatedUser, vmId: string): Promise<VmDetail> {
  const vm = await db().vm.findUnique({
    where: { id: vmId },
    include: {
      template: { select: { name: true } },
      provider: { select: { name: true, kind: true } },
      owner: { select: { email: true } },
      tasks: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, kind: true, status: true } },
      spans: { select: { state: true, startedAt: true, endedAt: true } },
    },
  });
  if (!vm || vm.deletedAt || (vm.ownerId !== user.id && !can(user.role, "tasks.monitor"))) throw new AppError("not_found", VM_NOT_FOUND);
  // A create that completed before the guest agent answered: look for the address now.
  if (!vm.ipAddress && vm.status === "running") vm.ipAddress = await refreshAddress(vm.id);
  const last = vm.tasks[0] ?? null;
  const active = last && (ACTIVE_TASK_STATUSES as readonly string[]).includes(last.status) ? last : null;
  const month = monthWindow();
  const cost = vmCost(vm, month);
  const mayAct = vm.ownerId === user.id || can(user.role, "admin.manage");
  return {
    ...vmSummary(vm),
    provider: vm.provider.name,
    owner: vm.owner.email,
    cost_this_month: cost ? { month: month.month, gpu: money(cost.gpu), storage: money(cost.storage), total: money(cost.total), running_hours: cost.runningHours.toFixed(2) } : null,
    active_task: active ? { task_id: active.id, kind: active.kind, status: active.status } : null,
    actions: mayAct ? allowedActions(vm.status, active !== null, PROVIDER_CATALOG[vm.provider.kind].capabilities.actions) : [],
  };
}
