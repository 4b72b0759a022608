import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import { lockQuotaScope, lockVm } from "../db/locks";
import { transaction } from "../db/transaction";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { providerFor } from "../providers/registry";
import { VM_ACTIONS, type JsonObject, type ProviderClient, type ProviderRef, type VmAction, type VmActionParams } from "../providers/types";
import { DeadlineError, withDeadline } from "../tasks/deadline";
import { sizeColumns, sizeOf, type Size } from "../schemas/size";
import { PROVIDER_CATALOG } from "../providers/catalog";
import { acceptTask } from "../tasks/store";
import { quotaContext, type QuotaContext } from "../quota/context";
import { AGGREGATE_MESSAGE, PER_VM_MESSAGE, PLAN_NOT_FOUND, quotaError } from "../quota/reserve";
import { parseWith } from "../api/respond";
import { resizeVmSizeSchema } from "../schemas/vm-action";
import { newTaskId } from "../tasks/ids";
import {
  ACTION_LABELS,
  ANOTHER_TASK_RUNNING,
  VM_STILL_CREATING,
  actionRefusal,
  resizeProblem,
  resizeQuotaCheck,
  taskKindOf,
  unsupportedAction,
  type ResizeScope,
} from "./action-rules";
import { vmTaskKinds, type VmActionTaskInput } from "./task-kinds";
import { queueQuotaCheck } from "../notifications";

export const VM_NOT_FOUND = "VM not found";
export const VM_FORBIDDEN = "Only the VM's owner or an admin may manage it";
export const RESERVE_STEP = "Reserve quota";

export type VmActionResult = { task_id: string; message: string };

export const ACTIVE_TASK_STATUSES = ["pending", "in_progress"] as const satisfies Db.TaskStatus[];

/**
 * The VM `vmId` for an action by `user`: its owner, or an admin. Support staff may look but not
 * act (403); anyone else is told there is no such VM, as is everyone about a deleted one.
 */
async function vmForAction(user: AuthenticatedUser, vmId: string) {
  const vm = await db().vm.findUnique({ where: { id: vmId }, include: { provider: true, template: true } });
  if (!vm || vm.deletedAt) throw new AppError("not_found", VM_NOT_FOUND);
  if (vm.ownerId !== user.id && !can(user.role, "admin.manage")) {
    if (can(user.role, "tasks.monitor")) throw new AppError("forbidden", VM_FORBIDDEN);
    throw new AppError("not_found", VM_NOT_FOUND);
  }
  return vm;
}

function scopesOf(ctx: QuotaContext): ResizeScope[] {
  return [
    ...(ctx.user ? [{ total: ctx.user.limits.total, used: ctx.user.usage.total }] : []),
    ...(ctx.team ? [{ total: ctx.team.limits.total, used: ctx.team.usage.total, team: ctx.team.name }] : []),
  ];
}

const formatGb = (gb: number) => (Number.isInteger(gb) ? String(gb) : gb.toFixed(1));

/** The VM's disk size as its provider reports it now (GB), or undefined when it cannot tell within the accept deadline. */
async function diskNow(provider: ProviderClient, ref: ProviderRef): Promise<number | undefined> {
  try {
    const status = await withDeadline(ACCEPT_STATUS_MS, () => provider.status(ref), () => new DeadlineError("status"));
    return status.diskGb;
  } catch {
    return undefined;
  }
}

/** How long a resize's accept waits for the provider's view of the VM's disk, ms (then the record alone decides). */
const ACCEPT_STATUS_MS = 5_000;

/**
 * Accepts an action on an existing VM, from the API or the VM page: authorize, validate, then in
 * one transaction (under a lock of the VM row, and for a resize first of the owner's team and
 * user rows: the order of lib/db/locks.ts; run again when PostgreSQL aborts it for a deadlock)
 * check that no other task runs on the VM and that its state allows the action, (resize) check the increase against the quota and record the new size at
 * once, and write the task with its steps, its pg-boss job and the audit event. `body` is the
 * resize request (`{cpuCores?, memorySize?, diskSize?}`).
 */
export async function requestVmAction(
  user: AuthenticatedUser,
  vmId: string,
  action: VmAction,
  body?: unknown,
  /** `reason`: why the portal itself asks (e.g. an automatic restart), written into the task's first line. */
  options: { ip?: string | null; shutdownTimeoutSeconds?: number; reason?: string } = {},
): Promise<VmActionResult> {
  if (!VM_ACTIONS.includes(action)) throw new AppError("bad_request", `Unknown action: ${String(action)}`);
  const vm = await vmForAction(user, vmId);
  // The provider declares what it can do; the core refuses the rest before any lock or call.
  const declared = PROVIDER_CATALOG[vm.provider.kind];
  const unsupported = unsupportedAction(action, declared.capabilities.actions, declared.label);
  if (unsupported) throw new AppError("conflict", unsupported);
  // The API's field names become the core's size here, through the edge's own schema.
  const resize = action === "resize" ? parseWith(resizeVmSizeSchema, body ?? {}) : undefined;
  const wantedOf = (current: Size): Size => ({
    ...current,
    cpuCores: resize?.cpuCores ?? current.cpuCores,
    memoryMb: resize?.memoryMb ?? current.memoryMb,
    diskGb: resize?.diskGb ?? current.diskGb,
  });
  const minimums = vm.template ? { cpuCores: vm.template.minCpuCores, memoryMb: vm.template.minMemoryMb, diskGb: vm.template.minDiskGb } : null;
  if (resize) {
    // Checked again under the lock; early here so that a hopeless request costs no lock.
    const problem = resizeProblem(vm, wantedOf(sizeOf(vm)), minimums, vm.template?.name);
    if (problem) throw new AppError("bad_request", problem);
  }

  const provider = providerFor(vm.provider);
  if (resize?.diskGb !== undefined && vm.providerRef !== null && vm.providerRefId !== null) {
    // What exists, not only what is recorded: a disk the provider already has at this size or
    // larger cannot be grown to it (a record behind reality is corrected by the read-back).
    const real = await diskNow(provider, { id: vm.providerRefId, data: vm.providerRef as JsonObject });
    if (real !== undefined && resize.diskGb <= real && resize.diskGb !== vm.diskGb) {
      throw new AppError("bad_request", `diskSize must be larger than the current ${formatGb(real)} GB: the VM's disk already has ${formatGb(real)} GB, and disks only grow`);
    }
  }
  const taskId = newTaskId(action);
  const kind = taskKindOf(action);

  // Locks in the order of lib/db/locks.ts; a deadlock or serialization abort is retried.
  await transaction(
    async (tx) => {
      if (resize) await lockQuotaScope(tx, vm.ownerId);
      await lockVm(tx, vm.id);
      const fresh = await tx.vm.findUniqueOrThrow({ where: { id: vm.id } });
      if (fresh.deletedAt) throw new AppError("not_found", VM_NOT_FOUND);
      const active = await tx.task.findFirst({ where: { vmId: vm.id, status: { in: [...ACTIVE_TASK_STATUSES] } }, orderBy: { createdAt: "desc" } });
      if (active) throw new AppError("conflict", active.kind === "vm.create" ? VM_STILL_CREATING : ANOTHER_TASK_RUNNING, { data: { task_id: active.id, kind: active.kind } });
      const refusal = actionRefusal(fresh.status, action);
      if (refusal) throw new AppError("conflict", refusal);
      if (fresh.providerRef === null || fresh.providerRefId === null) throw new AppError("conflict", VM_STILL_CREATING);
      const ref: ProviderRef = { id: fresh.providerRefId, data: fresh.providerRef as JsonObject };
      const current: Size = sizeOf(fresh);
      const params: VmActionParams = {};
      let wanted: Size | undefined;
      let planDetail: Record<string, unknown> = {};
      if (resize) {
        wanted = wantedOf(current);
        const problem = resizeProblem(current, wanted, minimums, vm.template?.name);
        if (problem) throw new AppError("bad_request", problem);
        // Usage read after the locks: it includes every change accepted before this one.
        const quota = await quotaContext(tx, fresh.ownerId);
        const verdict = resizeQuotaCheck(quota.perVm, scopesOf(quota), current, wanted, quota.prices);
        if (verdict.kind === "no_plan") throw new AppError("not_found", PLAN_NOT_FOUND);
        if (verdict.kind === "per_vm") throw quotaError(PER_VM_MESSAGE, verdict.denials);
        if (verdict.kind === "aggregate") throw quotaError(AGGREGATE_MESSAGE, verdict.denials);
        params.resize = {
          ...(wanted.cpuCores !== current.cpuCores ? { cpuCores: wanted.cpuCores } : {}),
          ...(wanted.memoryMb !== current.memoryMb ? { memoryMb: wanted.memoryMb } : {}),
          ...(wanted.diskGb > current.diskGb ? { diskGb: wanted.diskGb } : {}),
        };
        // The new size counts against the quota from now on; restored if the task fails.
        await tx.vm.update({ where: { id: vm.id }, data: sizeColumns(wanted) });
        planDetail = { from: sizeColumns(current), to: sizeColumns(wanted), plan: quota.planName, team: quota.team?.name ?? null };
      }
      if (action === "shutdown" && options.shutdownTimeoutSeconds !== undefined) params.shutdownTimeoutSeconds = options.shutdownTimeoutSeconds;

      const steps = provider.actionSteps(action, ref, params);
      const input: VmActionTaskInput = { action, ref, params, ...(resize ? { previous: current, wanted } : {}) };
      const what = wanted ? ` to ${wanted.cpuCores} vCPU, ${wanted.memoryMb} MB, ${wanted.diskGb} GB (from ${current.cpuCores} vCPU, ${current.memoryMb} MB, ${current.diskGb} GB)` : "";
      const by = user.id === fresh.ownerId ? "" : ` by ${user.email}`;
      await acceptTask(tx, vmTaskKinds[kind], {
        id: taskId,
        userId: user.id,
        vmId: vm.id,
        input,
        steps: [...(resize ? [{ key: "reserve_quota", name: RESERVE_STEP, done: true, detail: planDetail as JsonObject }] : []), ...steps.map((s) => ({ key: s.key, name: s.name }))],
        line: `Accepted: ${ACTION_LABELS[action].toLowerCase()} ${fresh.name} (${provider.describe(ref)})${what}${by}${options.reason ? `: ${options.reason}` : ""}`,
      });
      await recordAudit(tx, {
        actor: { id: user.id, email: user.email },
        action: kind,
        targetType: "vm",
        targetId: vm.id,
        before: { name: fresh.name, status: fresh.status, ...sizeColumns(current) },
        after: { taskId, ...(wanted ? sizeColumns(wanted) : {}) },
        ip: options.ip ?? null,
      });
    },
    { name: "vm action" },
  );
  log.info({ taskId, vm: vm.id, action, user: user.email }, "VM action accepted");
  if (action === "resize") await queueQuotaCheck(vm.ownerId); // an increase counts at once (told by a worker)
  return { task_id: taskId, message: `${ACTION_LABELS[action]} of ${vm.name} accepted` };
}
