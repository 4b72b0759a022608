import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { db } from "../db/client";
import { loadPrices } from "../quota/context";
import type { PerVmDimension } from "../quota/rules";
import { quotaSummary, type Limits } from "../quota/summary";
import { add, type Resources } from "../quota/usage";
import { vmMonthlyCost, type PriceTable } from "../pricing/cost";
import { sizeOf } from "../schemas/size";
import type { VmAction } from "../providers/types";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { actionOfKind, allowedActions, unsupportedAction, type ResizableSize } from "./action-rules";
import { ACTIVE_TASK_STATUSES } from "./vm-action";

/** One aggregate quota a resize must fit, as the browser gets it (null limit: none). */
export type ResizeFormScope = { label: string; team?: string; limits: Limits; used: Resources };

/** What the VM page's action buttons and resize form need: the same inputs the server's checks use. */
export type VmControls = {
  vm: { id: string; name: string; status: string; provider: string } & ResizableSize & { gpuCount: number; gpuType: string | null };
  actions: VmAction[];
  mayAct: boolean;
  activeTask: { id: string; kind: string; status: string } | null;
  /** The VM's latest task when it failed (shown until another task runs): its kind and the user's words. */
  lastFailed: { id: string; kind: string; error: string | null } | null;
  /** What the VM costs per month (lib/pricing/cost.ts vmMonthlyCost: a rental at the rates it was accepted at, others at current prices), in `currency`. */
  monthlyCost: number;
  currency: string;
  /** The login the VM was created with (cloud-init user), for the `ssh user@ip` line; null when unknown. */
  loginUser: string | null;
  /** Cores and memory changed by a resize are waiting for the VM's next restart. */
  pendingUntilRestart: boolean;
  resize: {
    /** Why the VM's provider kind cannot resize at all (the page says so instead of a form), or null. */
    unsupported: string | null;
    perVm: Record<PerVmDimension, number> | null;
    scopes: ResizeFormScope[];
    prices: PriceTable;
    min: ResizableSize | null;
    templateName: string | null;
  };
};

/** The controls of VM `vmId` for `user`, or null when the VM is gone or not theirs to see. */
export async function vmControls(user: AuthenticatedUser, vmId: string): Promise<VmControls | null> {
  const vm = await db().vm.findUnique({
    where: { id: vmId },
    include: { template: true, provider: { select: { name: true, kind: true } }, tasks: { orderBy: { createdAt: "desc" }, take: 20, select: { id: true, kind: true, status: true, result: true, error: true } } },
  });
  if (!vm || vm.deletedAt || (vm.ownerId !== user.id && !can(user.role, "tasks.monitor"))) return null;
  const active = vm.tasks.find((t) => (ACTIVE_TASK_STATUSES as readonly string[]).includes(t.status)) ?? null;
  const mayAct = vm.ownerId === user.id || can(user.role, "admin.manage");

  // A completed resize with pending cores/memory, not followed by a completed power action.
  const lastPower = vm.tasks.find((t) => t.status === "completed" && ["start", "stop", "shutdown", "reboot", "resize"].includes(actionOfKind(t.kind) ?? ""));
  // The provider said so in the resize's typed outcome (Task.result), never in its private step facts.
  const pendingUntilRestart = lastPower?.kind === "vm.resize" && (lastPower.result as { pendingRestart?: unknown } | null)?.pendingRestart === true;

  const [quota, prices, created] = await Promise.all([
    quotaSummary(vm.ownerId),
    loadPrices(db()),
    db().task.findFirst({ where: { vmId: vm.id, kind: "vm.create" }, orderBy: { createdAt: "asc" }, select: { input: true } }),
  ]);
  // The create task keeps the request's cloud-init user (never its password or keys: lib/vms/create-vm.ts).
  const requestedUser = (created?.input as { request?: { cloudInit?: { user?: unknown } } } | null)?.request?.cloudInit?.user;
  const latest = vm.tasks[0];
  const scopes: ResizeFormScope[] = [];
  if (quota.user) scopes.push({ label: `Plan ${quota.user.name}`, limits: quota.user.limits, used: add(quota.user.used, quota.user.reserved) });
  if (quota.team) scopes.push({ label: `Team ${quota.team.name} (shared)`, team: quota.team.name, limits: quota.team.limits, used: add(quota.team.used, quota.team.reserved) });
  return {
    vm: {
      id: vm.id,
      name: vm.name,
      status: vm.status,
      provider: vm.provider.name,
      cpuCores: vm.cpuCores,
      memoryMb: vm.memoryMb,
      diskGb: vm.diskGb,
      gpuCount: vm.gpuCount,
      gpuType: vm.gpuType,
    },
    actions: mayAct ? allowedActions(vm.status, active !== null, PROVIDER_CATALOG[vm.provider.kind].capabilities.actions) : [],
    mayAct,
    activeTask: active ? { id: active.id, kind: active.kind, status: active.status } : null,
    lastFailed: latest?.status === "failed" ? { id: latest.id, kind: latest.kind, error: latest.error } : null,
    monthlyCost: vmMonthlyCost(vm, sizeOf(vm), prices),
    currency: quota.currency,
    loginUser: typeof requestedUser === "string" && requestedUser ? requestedUser : (vm.template?.ciuser ?? null),
    pendingUntilRestart,
    resize: {
      unsupported: unsupportedAction("resize", PROVIDER_CATALOG[vm.provider.kind].capabilities.actions, PROVIDER_CATALOG[vm.provider.kind].label),
      perVm: quota.perVm,
      scopes,
      prices,
      min: vm.template ? { cpuCores: vm.template.minCpuCores, memoryMb: vm.template.minMemoryMb, diskGb: vm.template.minDiskGb } : null,
      templateName: vm.template?.name ?? null,
    },
  };
}
