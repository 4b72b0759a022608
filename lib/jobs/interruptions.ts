import { db } from "../db/client";
import { lockVm } from "../db/locks";
import { getBoss } from "./boss";
import { queues } from "./queues";
import { log } from "../log";
import { notifyVmInterrupted } from "../notifications";
import { providerFor } from "../providers/registry";
import type { JsonObject, ProviderRef, ProviderTemplate, VmStatus } from "../providers/types";
import { freeGpus, gpusHeld } from "../quota/gpu-pool";
import { DeadlineError, taskDeadlines, withDeadline } from "../tasks/deadline";
import { recordVmState } from "../vms/state-spans";
import { ACTIVE_TASK_STATUSES, requestVmAction } from "../vms/vm-action";

/**
 * Interruptions of interruptible rentals (issue 11, item 5), provider-neutral: asks the provider
 * for the power state (`status`) of every running interruptible VM; one the provider reports
 * `interrupted` is marked so (its GPU cost stops accruing: lib/vms/state-spans.ts), and its owner
 * is told in the app and by email (lib/notifications). An interrupted VM with `autoRestart` is
 * started again (a start task in its history, saying why) once its offer has a GPU free for it.
 * Run by the worker on a schedule (lib/jobs/worker.ts); each VM's failure is logged and skipped.
 */
export const INTERRUPTED_REASON = "The provider took its GPU back for an on-demand customer. While it is interrupted its GPU is not charged; its storage still is.";
export const AUTO_RESTART_REASON = "started again automatically after an interruption (a GPU is free)";

/**
 * Asks a worker for a sweep now instead of at the next minute (e.g. right after a simulated
 * provider interrupted a rental on demand): a job on the interruptions queue, which workers take
 * within their polling interval. Never throws: false (logged) when it could not be queued.
 */
export async function queueInterruptionSweep(): Promise<boolean> {
  try {
    const boss = await getBoss();
    await boss.send(queues.interruptions.name, {}, queues.interruptions.sendOptions);
    return true;
  } catch (error) {
    log.warn({ reason: error instanceof Error ? error.message.slice(0, 300) : "unknown" }, "could not queue an interruptions sweep");
    return false;
  }
}

export type InterruptionSweep = { checked: number; interrupted: string[]; restarted: string[] };

async function statusOf(vm: { provider: Parameters<typeof providerFor>[0] }, ref: ProviderRef): Promise<VmStatus> {
  const client = providerFor(vm.provider);
  return withDeadline(taskDeadlines().cleanupMs, () => client.status(ref), () => new DeadlineError("status"));
}

/** Marks `vmId` interrupted when it still is running with no task on it; true when it did. */
async function markInterrupted(vmId: string): Promise<boolean> {
  return db().$transaction(async (tx) => {
    await lockVm(tx, vmId);
    const vm = await tx.vm.findUnique({ where: { id: vmId }, select: { status: true, deletedAt: true } });
    if (!vm || vm.deletedAt || vm.status !== "running") return false;
    if (await tx.task.count({ where: { vmId, status: { in: [...ACTIVE_TASK_STATUSES] } } })) return false;
    await tx.vm.update({ where: { id: vmId }, data: { status: "interrupted" } });
    await recordVmState(tx, vmId, "interrupted");
    return true;
  });
}

/** Whether the VM's offer has its GPUs free now (what the portal's other VMs hold subtracted). */
async function offerFree(vm: { id: string; providerId: string; gpuType: string | null; gpuCount: number; provider: Parameters<typeof providerFor>[0]; template: { name: string; providerRef: unknown; providerRefId: string; settings: unknown; ciuser: string | null } | null }): Promise<boolean> {
  const client = providerFor(vm.provider);
  if (!client.gpuOffers || !vm.template || !vm.gpuType) return false;
  const t = vm.template;
  const template: ProviderTemplate = { ref: { id: t.providerRefId, data: t.providerRef as JsonObject }, settings: t.settings as Record<string, unknown>, ciuser: t.ciuser, name: t.name };
  const offers = await withDeadline(taskDeadlines().cleanupMs, () => client.gpuOffers!(template), () => new DeadlineError("offers"));
  const offer = offers.find((o) => o.gpuType === vm.gpuType);
  if (!offer) return false;
  return freeGpus(offer, await gpusHeld(db(), vm.providerId, vm.gpuType, vm.id)) >= vm.gpuCount;
}

/** One sweep over the portal's interruptible VMs (running ones, and interrupted ones to restart). */
export async function checkInterruptions(): Promise<InterruptionSweep> {
  const vms = await db().vm.findMany({
    where: { deletedAt: null, rentalType: "interruptible", status: { in: ["running", "interrupted"] }, providerRef: { not: { equals: null } } },
    include: { provider: true, template: true, owner: { select: { id: true, email: true, name: true, role: true } } },
  });
  const sweep: InterruptionSweep = { checked: vms.length, interrupted: [], restarted: [] };
  for (const vm of vms) {
    try {
      const ref: ProviderRef = { id: vm.providerRefId ?? "", data: vm.providerRef as JsonObject };
      if (vm.status === "running") {
        const status = await statusOf(vm, ref);
        if (status.state !== "interrupted") continue;
        if (!(await markInterrupted(vm.id))) continue;
        sweep.interrupted.push(vm.id);
        log.info({ vm: vm.id, provider: vm.provider.name }, "VM interrupted by its provider");
        await notifyVmInterrupted(vm.id, vm.autoRestart ? `${INTERRUPTED_REASON} It will be started again when a GPU is free.` : INTERRUPTED_REASON);
        continue;
      }
      // Interrupted: started again by someone else, or (auto-restart) when its GPU is free again.
      const status = await statusOf(vm, ref);
      if (status.state === "running") {
        await db().$transaction(async (tx) => {
          await tx.vm.update({ where: { id: vm.id }, data: { status: "running" } });
          await recordVmState(tx, vm.id, "running");
        });
        continue;
      }
      if (!vm.autoRestart || !(await offerFree(vm))) continue;
      if (await db().task.count({ where: { vmId: vm.id, status: { in: [...ACTIVE_TASK_STATUSES] } } })) continue;
      await requestVmAction(vm.owner, vm.id, "start", undefined, { reason: AUTO_RESTART_REASON });
      sweep.restarted.push(vm.id);
    } catch (error) {
      log.warn({ vm: vm.id, provider: vm.provider.name, err: error instanceof Error ? error.message.slice(0, 300) : String(error) }, "interruption check failed for a VM");
    }
  }
  return sweep;
}
