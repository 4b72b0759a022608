import { fromPrisma } from "pg-boss";
import type { AuthenticatedUser } from "../auth/credentials";
import { can } from "../auth/permissions";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import { lockQuotaScope, lockVm } from "../db/locks";
import { transaction } from "../db/transaction";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import { getBoss } from "../jobs/boss";
import { queues } from "../jobs/queues";
import { log } from "../log";
import { providerFor } from "../providers/registry";
import { VM_ACTIONS, type VmAction, type VmActionParams, type VmRef } from "../providers/types";
import { quotaContext, type QuotaContext } from "../quota/context";
import { AGGREGATE_MESSAGE, PER_VM_MESSAGE, PLAN_NOT_FOUND, quotaError } from "../quota/reserve";
import { parseWith } from "../api/respond";
import { resizeVmSchema } from "../schemas/vm-action";
import { newTaskId } from "../tasks/ids";
import {
  ACTION_LABELS,
  ANOTHER_TASK_RUNNING,
  VM_STILL_CREATING,
  actionRefusal,
  resizeProblem,
  resizeQuotaCheck,
  taskKindOf,
  type ResizeScope,
  type VmSize,
} from "./action-rules";

export const VM_NOT_FOUND = "VM not found";
export const VM_FORBIDDEN = "Only the VM's owner or an admin may manage it";
export const RESERVE_STEP = "Reserve quota";

/** What an action task carries: where the VM is, the provider's parameters, and (resize) the size to restore on failure. */
export type VmActionTaskInput = {
  action: VmAction;
  ref: VmRef;
  params: VmActionParams;
  previous?: VmSize;
  wanted?: VmSize;
};

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
  options: { ip?: string | null; shutdownTimeoutSeconds?: number } = {},
): Promise<VmActionResult> {
  if (!VM_ACTIONS.includes(action)) throw new AppError("bad_request", `Unknown action: ${String(action)}`);
  const vm = await vmForAction(user, vmId);
  const resize = action === "resize" ? parseWith(resizeVmSchema, body ?? {}) : undefined;
  const wantedOf = (current: VmSize): VmSize => ({
    cpuCores: resize?.cpuCores ?? current.cpuCores,
    memoryMb: resize?.memorySize ?? current.memoryMb,
    diskGb: resize?.diskSize ?? current.diskGb,
  });
  const minimums = vm.template ? { cpuCores: vm.template.minCpuCores, memoryMb: vm.template.minMemoryMb, diskGb: vm.template.minDiskGb } : null;
  if (resize) {
    // Checked again under the lock; early here so that a hopeless request costs no lock.
    const problem = resizeProblem(vm, wantedOf(vm), minimums, vm.template?.name);
    if (problem) throw new AppError("bad_request", problem);
  }

  const provider = providerFor(vm.provider);
  const boss = await getBoss();
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
      if (fresh.vmid === null) throw new AppError("conflict", VM_STILL_CREATING);
      const ref: VmRef = { node: fresh.node, vmid: fresh.vmid };
      const current: VmSize = { cpuCores: fresh.cpuCores, memoryMb: fresh.memoryMb, diskGb: fresh.diskGb };

      const params: VmActionParams = {};
      let wanted: VmSize | undefined;
      let planDetail: Record<string, unknown> = {};
      if (resize) {
        wanted = wantedOf(current);
        const problem = resizeProblem(current, wanted, minimums, vm.template?.name);
        if (problem) throw new AppError("bad_request", problem);
        // Usage read after the locks: it includes every change accepted before this one.
        const quota = await quotaContext(tx, fresh.ownerId);
        const verdict = resizeQuotaCheck(quota.perVm, scopesOf(quota), { ...current, gpuCount: fresh.gpuCount, gpuType: fresh.gpuType }, wanted, quota.prices);
        if (verdict.kind === "no_plan") throw new AppError("not_found", PLAN_NOT_FOUND);
        if (verdict.kind === "per_vm") throw quotaError(PER_VM_MESSAGE, verdict.denials);
        if (verdict.kind === "aggregate") throw quotaError(AGGREGATE_MESSAGE, verdict.denials);
        params.resize = {
          ...(wanted.cpuCores !== current.cpuCores ? { cpuCores: wanted.cpuCores } : {}),
          ...(wanted.memoryMb !== current.memoryMb ? { memoryMb: wanted.memoryMb } : {}),
          ...(wanted.diskGb > current.diskGb ? { diskGb: wanted.diskGb } : {}),
        };
        // The new size counts against the quota from now on; restored if the task fails.
        await tx.vm.update({ where: { id: vm.id }, data: wanted });
        planDetail = { from: current, to: wanted, plan: quota.planName, team: quota.team?.name ?? null };
      }
      if (action === "shutdown" && options.shutdownTimeoutSeconds !== undefined) params.shutdownTimeoutSeconds = options.shutdownTimeoutSeconds;

      const names = provider.actionSteps(action, ref, params).map((s) => s.name);
      const input: VmActionTaskInput = { action, ref, params, ...(resize ? { previous: current, wanted } : {}) };
      const now = new Date();
      const accepted = resize ? [{ position: 0, name: RESERVE_STEP, status: "completed" as const, startedAt: now, finishedAt: now, detail: planDetail as Db.Prisma.InputJsonValue }] : [];
      await tx.task.create({
        data: {
          id: taskId,
          kind,
          userId: user.id,
          vmId: vm.id,
          input: input as unknown as Db.Prisma.InputJsonValue,
          progress: Math.round((accepted.length / (accepted.length + names.length)) * 100),
          steps: { create: [...accepted, ...names.map((name, i) => ({ position: accepted.length + i, name }))] },
        },
      });
      const what = wanted ? ` to ${wanted.cpuCores} vCPU, ${wanted.memoryMb} MB, ${wanted.diskGb} GB (from ${current.cpuCores} vCPU, ${current.memoryMb} MB, ${current.diskGb} GB)` : "";
      const by = user.id === fresh.ownerId ? "" : ` by ${user.email}`;
      await tx.taskLog.create({ data: { taskId, line: `Accepted: ${ACTION_LABELS[action].toLowerCase()} ${fresh.name} (VMID ${ref.vmid} on ${ref.node})${what}${by}` } });
      await recordAudit(tx, {
        actor: { id: user.id, email: user.email },
        action: kind,
        targetType: "vm",
        targetId: vm.id,
        before: { name: fresh.name, status: fresh.status, ...current },
        after: { taskId, ...(wanted ?? {}) },
        ip: options.ip ?? null,
      });
      // The job commits with the task: no task without its job, no job without its task.
      await boss.send(queues.vmAction.name, { taskId }, { ...queues.vmAction.sendOptions, db: fromPrisma(tx) });
    },
    { name: "vm action" },
  );
  log.info({ taskId, vm: vm.id, action, user: user.email }, "VM action accepted");
  return { task_id: taskId, message: `${ACTION_LABELS[action]} of ${vm.name} accepted` };
}
