import { monthlyCost, type PriceTable } from "../pricing/cost";
import { changeDenials, type Denial, type PerVmDimension } from "../quota/rules";
import type { Resources } from "../quota/usage";
import { VM_ACTIONS, type VmAction } from "../providers/types";
import { gpuTotal, type Size } from "../schemas/size";

/**
 * The rules of actions on an existing VM as pure functions, shared by the server (lib/vms/vm-action.ts)
 * and the VM page in the browser, so that a button is offered exactly when the server accepts it
 * and a refusal reads the same in both.
 */
export const VM_ALREADY_RUNNING = "VM is already running";
export const VM_ALREADY_STOPPED = "VM is already stopped";
export const VM_NOT_RUNNING = "VM is not running";
export const VM_STILL_CREATING = "The VM is still being created: wait for its create task to finish";
export const ANOTHER_TASK_RUNNING = "Another task is running on this VM";

export const ACTION_LABELS: Record<VmAction, string> = {
  start: "Start",
  stop: "Stop",
  shutdown: "Shut down",
  reboot: "Reboot",
  delete: "Delete",
  resize: "Resize",
};

/** What a task of each kind is doing, for state badges while it runs. */
export const ACTION_PROGRESSIVE: Record<VmAction | "create", string> = {
  create: "creating",
  start: "starting",
  stop: "stopping",
  shutdown: "shutting down",
  reboot: "rebooting",
  delete: "deleting",
  resize: "resizing",
};

export const taskKindOf = (action: VmAction) => `vm.${action}` as const;

/** The action of a task kind (`vm.stop` → `stop`), or null for other kinds. */
export function actionOfKind(kind: string): VmAction | "create" | null {
  const m = /^vm\.(create|start|stop|shutdown|reboot|delete|resize)$/.exec(kind);
  return m ? (m[1] as VmAction | "create") : null;
}

/** A task kind as people read it: "Create VM", "Shut down VM"; an unknown kind as it is. */
export function taskKindLabel(kind: string): string {
  const action = actionOfKind(kind);
  if (!action) return kind;
  return `${action === "create" ? "Create" : ACTION_LABELS[action]} VM`;
}

/** Why `action` is refused for a VM in `status` (the portal's record), or null when it may run. */
export function actionRefusal(status: string, action: VmAction): string | null {
  if (status === "creating") return VM_STILL_CREATING;
  if (action === "start" && status === "running") return VM_ALREADY_RUNNING;
  if ((action === "stop" || action === "shutdown") && status === "stopped") return VM_ALREADY_STOPPED;
  if (action === "reboot" && status === "stopped") return VM_NOT_RUNNING;
  return null;
}

/** The actions a VM accepts now: those its provider supports (`supported`), none while a task runs on it. */
export function allowedActions(status: string, activeTask: boolean, supported: readonly VmAction[] = VM_ACTIONS): VmAction[] {
  if (activeTask) return [];
  return (["start", "stop", "shutdown", "reboot", "resize", "delete"] as const).filter((a) => supported.includes(a) && actionRefusal(status, a) === null);
}

/** Why the provider kind `label` refuses `action` (it does not declare it), or null. */
export function unsupportedAction(action: VmAction, supported: readonly VmAction[], label: string): string | null {
  return supported.includes(action) ? null : `${label} does not support this action: ${ACTION_LABELS[action].toLowerCase()}`;
}

/** The dimensions a resize changes (GPUs stay as they are). */
export type ResizableSize = Pick<Size, "cpuCores" | "memoryMb" | "diskGb">;

const sizeText = (s: ResizableSize) => `${s.cpuCores} vCPU, ${s.memoryMb} MB memory and a ${s.diskGb} GB disk`;

/**
 * A resize that can never be accepted, whatever the quota: a shrinking disk, no change at all,
 * or values below the template's minimums (checked only for what is lowered).
 */
export function resizeProblem(current: ResizableSize, wanted: ResizableSize, min?: ResizableSize | null, templateName?: string): string | null {
  if (wanted.diskGb < current.diskGb) return `Disks cannot shrink: ${wanted.diskGb} GB is smaller than the current ${current.diskGb} GB`;
  if (wanted.cpuCores === current.cpuCores && wanted.memoryMb === current.memoryMb && wanted.diskGb === current.diskGb) {
    return `Nothing to change: the VM already has ${sizeText(current)}`;
  }
  if (min) {
    const below = [
      wanted.cpuCores < current.cpuCores && wanted.cpuCores < min.cpuCores && `cpuCores must be at least ${min.cpuCores}`,
      wanted.memoryMb < current.memoryMb && wanted.memoryMb < min.memoryMb && `memorySize must be at least ${min.memoryMb} MB`,
    ].filter(Boolean);
    if (below.length) return `Requested resources are below the minimums of template "${templateName ?? "?"}": ${below.join("; ")}`;
  }
  return null;
}

/** One aggregate quota a change must fit (the owner's plan, or their team's); Infinity = no limit. */
export type ResizeScope = { total: Resources; used: Resources; team?: string };

export type ResizeQuotaResult = { kind: "ok" } | { kind: "no_plan" } | { kind: "per_vm" | "aggregate"; denials: Denial[] };

/**
 * The quota check of a resize: on its increases only (changeDenials), per-VM limits first, then
 * every aggregate scope. Shrinking, or keeping a size, is allowed even when a lowered plan is
 * already exceeded; growing a dimension needs room in it.
 */
export function resizeQuotaCheck(
  perVm: Record<PerVmDimension, number> | null,
  scopes: ResizeScope[],
  current: Size,
  wanted: ResizableSize,
  prices: PriceTable,
): ResizeQuotaResult {
  const gpus = gpuTotal(current);
  const from = { cpuCores: current.cpuCores, memoryMb: current.memoryMb, diskGb: current.diskGb, gpus };
  const to = { cpuCores: wanted.cpuCores, memoryMb: wanted.memoryMb, diskGb: wanted.diskGb, gpus };
  const grows = to.cpuCores > from.cpuCores || to.memoryMb > from.memoryMb || to.diskGb > from.diskGb;
  if (!grows) return { kind: "ok" };
  if (!perVm || scopes.length === 0) return { kind: "no_plan" };
  const extraSpend = Math.max(0, Math.round((monthlyCost({ ...wanted, gpus: current.gpus }, prices) - monthlyCost(current, prices)) * 100) / 100);
  const first = scopes[0]!;
  const perVmDenied = changeDenials({ perVm, total: first.total }, first.used, from, to, extraSpend).filter((d) => d.scope === "per_vm");
  if (perVmDenied.length) return { kind: "per_vm", denials: perVmDenied };
  const denials = scopes.flatMap((s) => changeDenials({ perVm, total: s.total }, s.used, from, to, extraSpend, s.team));
  return denials.length ? { kind: "aggregate", denials } : { kind: "ok" };
}
