import { decryptJson } from "../crypto/secrets";
import { db } from "../db/client";
import { isUniqueViolation, VM_LIVE_REF_INDEX } from "../db/raw-indexes";
import { lockQuotaScope, lockVm } from "../db/locks";
import { env } from "../env";
import { AppError } from "../errors";
import { quotaContext } from "../quota/context";
import { AGGREGATE_MESSAGE, checkAggregate, PER_VM_MESSAGE, PLAN_NOT_FOUND, quotaError } from "../quota/reserve";
import { providerFor } from "../providers/registry";
import type { CreateRequest, JsonObject, ProviderClient, ProviderRef, VmAction, VmActionParams } from "../providers/types";
import { sizeColumns, sizeOf, type Size } from "../schemas/size";
import { DeadlineError, taskDeadlines, withDeadline } from "../tasks/deadline";
import { describeFailure } from "../tasks/failure";
import type { TaskKind } from "../tasks/kinds";
import type { Db } from "../db/client";
import { KEPT_FOR_RETRY, REMOVING_KEPT } from "./kept-vms";
import { ACTION_LABELS, ANOTHER_TASK_RUNNING, resizeQuotaCheck, taskKindOf } from "./action-rules";
import { reservationEndsAt } from "../pricing/accrual";
import { recordVmState } from "./state-spans";

/**
 * The VM task kinds, defined once: create, and each action on an existing VM. Their steps
 * come from the VM's provider; what happens when they end is decided here, in provider-neutral
 * terms (the provider's facts stay private to it: the core reads its typed results).
 */

/** What a create task carries: the checked request (secrets sealed) and what the provider fixed when it was accepted. */
export type CreateVmTaskInput = {
  request: Omit<CreateRequest, "cloudInit"> & { cloudInit: { user?: string } };
  /** cloud-init password and SSH keys, encrypted (lib/crypto). */
  sealed?: string;
  accepted: ProviderRef | null;
};

/** What an action task carries: the VM's reference, the provider's parameters, and (resize) the size to restore on failure. */
export type VmActionTaskInput = {
  action: VmAction;
  ref: ProviderRef;
  params: VmActionParams;
  previous?: Size;
  wanted?: Size;
};

async function vmWithProvider(vmId: string | null) {
  if (!vmId) return null;
  return db().vm.findUnique({ where: { id: vmId }, include: { provider: true } });
}

const refColumns = (ref: ProviderRef) => ({ providerRef: ref.data, providerRefId: ref.id });

/** The provider's stop of one of its running jobs, for a cancel: false when the kind cannot stop jobs. */
function stopperOf(client: ProviderClient) {
  return async (providerTaskId: string) => {
    if (!client.cancelProviderTask) return false;
    await client.cancelProviderTask(providerTaskId);
    return true;
  };
}

/** Only while nothing else runs on the VM (one task at a time), `own` excepted. */
async function noOtherTask(tx: Db.Prisma.TransactionClient, vmId: string, own: string): Promise<void> {
  const active = await tx.task.findFirst({ where: { vmId, id: { not: own }, status: { in: ["pending", "in_progress"] } } });
  if (active) throw new AppError("conflict", ANOTHER_TASK_RUNNING, { data: { task_id: active.id, kind: active.kind } });
}

export const createVmKind: TaskKind<CreateVmTaskInput> = {
  name: "vm.create",
  queue: "createVm",
  async plan(task) {
    const vm = await vmWithProvider(task.vmId);
    if (!vm) return null;
    const input = task.input;
    // `cipassword`: sealed before the provider-neutral core (a task accepted before the upgrade).
    const secrets = input.sealed ? decryptJson<{ password?: string; cipassword?: string; sshKeys?: string[]; userData?: string }>(input.sealed) : {};
    const password = secrets.password ?? secrets.cipassword;
    const request: CreateRequest = {
      ...input.request,
      cloudInit: {
        ...input.request.cloudInit,
        ...(password ? { password } : {}),
        ...(secrets.sshKeys ? { sshKeys: secrets.sshKeys } : {}),
        ...(secrets.userData !== undefined ? { userData: secrets.userData } : {}),
      },
    };
    const client = providerFor(vm.provider);
    return {
      steps: client.createSteps(request, input.accepted),
      async completed({ tx, facts }) {
        const result = client.createResult(request, input.accepted, facts);
        // A provider that cannot report GPUs (none in its answer) built the ones accepted.
        const built = Object.keys(result.size.gpus).length ? result.size : { ...result.size, gpus: request.size.gpus };
        const now = new Date();
        await tx.vm.update({
          where: { id: vm.id },
          data: {
            status: "running",
            ...refColumns(result.ref),
            ipAddress: result.addresses[0] ?? null,
            ...sizeColumns(built),
            // A reservation's term starts when the machine is there.
            ...(vm.reservationMonths ? { reservationEndsAt: reservationEndsAt(now, vm.reservationMonths) } : {}),
            // A provider that bills says what it bills the VM at: that is what accrues.
            ...(result.rates && vm.gpuHourly !== null ? { gpuHourly: result.rates.gpuHour, storageHourly: result.rates.storageHour } : {}),
          },
        });
        await recordVmState(tx, vm.id, "running", now);
        const at = result.addresses.length ? ` at ${result.addresses.join(", ")}` : "";
        const notices = result.notices.length ? ` ${result.notices.join(" ")}` : "";
        return {
          result: { ref: result.ref.id, addresses: result.addresses, size: result.size as JsonObject, notices: result.notices },
          line: `VM ${request.name} (${client.describe(result.ref)}) is running${at}${notices}`,
        };
      },
      // The VM's row holds the id the provider really gave it as soon as it is known; the unique
      // index of live VMs (lib/db/raw-indexes.ts) refuses an id another VM of the portal holds.
      async claimRef(ref) {
        try {
          await db().vm.update({ where: { id: vm.id }, data: refColumns(ref) });
          return true;
        } catch (error) {
          if (isUniqueViolation(error, VM_LIVE_REF_INDEX)) return false;
          throw error;
        }
      },
      // The provider's free count of GPUs leaves this VM's out from now on: the pool stops
      // counting them as promised (lib/quota/gpu-pool.ts), or they would be counted twice.
      async gpusAttached() {
        if (vm.gpuCount > 0) await db().vm.update({ where: { id: vm.id }, data: { gpusAttached: true } });
      },
      // Release the reservation at once (the VM row no longer counts), then either keep what the
      // provider made for a retry (a failure, when HANGAR_RETRY_KEEP_MINUTES > 0: the worker's
      // housekeeping removes it later) or clean it up now (a cancel), and only then end the task,
      // so a failed task never leaves a VM behind unless it says so.
      async failed({ error, detail, facts, log, runLoose, ending }) {
        const made = client.madeRef(request, input.accepted, facts);
        const keepMinutes = env().HANGAR_RETRY_KEEP_MINUTES;
        const keep = made !== null && ending !== "cancelled" && keepMinutes > 0;
        await db().vm.update({ where: { id: vm.id }, data: { status: keep ? KEPT_FOR_RETRY : "failed", deletedAt: new Date(), ...(made ? refColumns(made) : {}) } });
        await recordVmState(db(), vm.id, "failed"); // a VM kept for a retry is not billed either
        await log(`${error}. Quota released.`, "error", detail);
        if (!made) return;
        if (keep) {
          await log(`The half-made VM ${made.id} is kept for ${keepMinutes} min so that a retry can reuse it; it is removed after that.`);
          return;
        }
        try {
          await runLoose(client.cleanupSteps(made));
          await log(`Removed the half-made VM ${made.id}.`);
          await db().vm.update({ where: { id: vm.id }, data: { status: "destroyed" } });
        } catch (cleanup) {
          const failure = describeFailure(cleanup);
          await log(`Could not remove the half-made VM ${made.id}: ${failure.message}. It is marked for clean-up.`, "error", failure.detail);
          await db().vm.update({ where: { id: vm.id }, data: { status: "cleanup_required" } });
        }
      },
      async cancelled({ tx }) {
        await tx.vm.update({ where: { id: vm.id }, data: { status: "failed", deletedAt: new Date() } });
      },
      // Reserve the quota again (it may be taken meanwhile: then the retry is refused), and reuse
      // what the provider made when it is still there (kept, or its removal failed).
      async retry({ tx, facts }) {
        await lockQuotaScope(tx, vm.ownerId);
        await lockVm(tx, vm.id);
        const fresh = await tx.vm.findUniqueOrThrow({ where: { id: vm.id } });
        if (fresh.status === REMOVING_KEPT) throw new AppError("conflict", "The half-made VM of this task is being removed right now; use Edit and retry instead");
        await noOtherTask(tx, vm.id, task.id);
        if (fresh.deletedAt) {
          checkAggregate(await quotaContext(tx, vm.ownerId), sizeOf(fresh));
          await tx.vm.update({ where: { id: vm.id }, data: { deletedAt: null, status: "creating" } });
        }
        const made = client.madeRef(request, input.accepted, facts);
        const exists = fresh.status === KEPT_FOR_RETRY || fresh.status === "cleanup_required";
        if (made && !exists) return { from: "first_step", line: `The half-made VM ${made.id} was removed when the task failed, so it is made again` };
        return { from: "failed_step", ...(made ? { line: `Reusing the half-made VM ${made.id}` } : {}) };
      },
      stopProviderTask: stopperOf(client),
    };
  },
};

/** The power state each action leaves the VM in. */
const resultingStatus = { start: "running", reboot: "running", stop: "stopped", shutdown: "stopped" } as const;

/** The VM's power state as the provider sees it, for the portal's record after a failure; null when it does not answer in time. */
async function observedStatus(client: ProviderClient, ref: ProviderRef): Promise<"running" | "stopped" | null> {
  try {
    const status = await withDeadline(taskDeadlines().cleanupMs, () => client.status(ref), () => new DeadlineError("status"));
    return status.state === "running" || status.state === "paused" ? "running" : status.state === "stopped" ? "stopped" : null;
  } catch {
    return null;
  }
}

function actionKind(action: VmAction): TaskKind<VmActionTaskInput> {
  return {
    name: taskKindOf(action),
    queue: "vmAction",
    async plan(task) {
      const vm = await vmWithProvider(task.vmId);
      if (!vm) return null;
      const input = task.input;
      const client = providerFor(vm.provider);
      const label = `${vm.name} (${client.describe(input.ref)})`;
      return {
        steps: client.actionSteps(input.action, input.ref, input.params),
        async completed({ tx, facts }) {
          const outcome = client.actionOutcome(input.action, facts);
          // A resize records the size the provider reports (read back after it), not the one asked for.
          const reported = input.action === "resize" && input.wanted ? { ...input.wanted, ...outcome.size } : undefined;
          const vmUpdate =
            input.action === "delete"
              ? { status: "deleted", deletedAt: new Date(), ipAddress: null }
              : reported
                ? sizeColumns(reported)
                : input.action === "resize"
                  ? {}
                  : { status: resultingStatus[input.action] };
          const done: Record<VmAction, string> = {
            start: `${label} is running`,
            stop: `${label} is stopped`,
            shutdown: `${label} is stopped`,
            reboot: `${label} was rebooted and is running`,
            delete: `${label} was deleted with its disks. Quota released.`,
            resize: `${label} now has ${(reported ?? input.wanted)?.cpuCores} vCPU, ${(reported ?? input.wanted)?.memoryMb} MB and ${(reported ?? input.wanted)?.diskGb} GB`,
          };
          await tx.vm.update({ where: { id: vm.id }, data: vmUpdate });
          if ("status" in vmUpdate && vmUpdate.status) await recordVmState(tx, vm.id, vmUpdate.status);
          return { result: { notices: outcome.notices, pendingRestart: outcome.pendingRestart }, line: done[input.action] };
        },
        // Failed for good: the VM stays; say why, undo a resize, and record the state the provider reports.
        async failed({ error, detail, log, runLoose }) {
          if (input.action === "resize" && input.previous) {
            const previous = input.previous;
            await db().vm.update({ where: { id: vm.id }, data: sizeColumns(previous) });
            await log(`${error}. The previous size (${previous.cpuCores} vCPU, ${previous.memoryMb} MB, ${previous.diskGb} GB) counts against the quota again.`, "error", detail);
            const changed = input.params.resize ?? {};
            if (changed.cpuCores !== undefined || changed.memoryMb !== undefined) {
              try {
                await log("Setting the previous CPU cores and memory back on the provider");
                const back = {
                  ...(changed.cpuCores !== undefined ? { cpuCores: previous.cpuCores } : {}),
                  ...(changed.memoryMb !== undefined ? { memoryMb: previous.memoryMb } : {}),
                };
                await runLoose(client.actionSteps("resize", input.ref, { resize: back }));
              } catch (undo) {
                const failure = describeFailure(undo);
                await log(`Could not set the previous CPU cores and memory back: ${failure.message}`, "error", failure.detail);
              }
            }
          } else {
            const kept = input.action === "delete" ? " The VM was not deleted." : "";
            await log(`${ACTION_LABELS[input.action]} failed: ${error}.${kept}`, "error", detail);
          }
          const observed = await observedStatus(client, input.ref);
          if (observed) {
            await log(`${label} is ${observed}`);
            await db().vm.update({ where: { id: vm.id }, data: { status: observed } });
            await recordVmState(db(), vm.id, observed);
          }
        },
        async cancelled({ tx }) {
          if (input.action === "resize" && input.previous) await tx.vm.update({ where: { id: vm.id }, data: sizeColumns(input.previous) });
        },
        // The VM must still be there with nothing else running on it; a resize counts its new
        // size against the quota again (the failure gave it back).
        async retry({ tx }) {
          const resize = input.action === "resize" && input.wanted ? input.wanted : null;
          if (resize) await lockQuotaScope(tx, vm.ownerId);
          await lockVm(tx, vm.id);
          const fresh = await tx.vm.findUniqueOrThrow({ where: { id: vm.id } });
          if (fresh.deletedAt) throw new AppError("conflict", "The VM of this task no longer exists");
          await noOtherTask(tx, vm.id, task.id);
          if (resize) {
            const quota = await quotaContext(tx, fresh.ownerId);
            const scopes = [
              ...(quota.user ? [{ total: quota.user.limits.total, used: quota.user.usage.total }] : []),
              ...(quota.team ? [{ total: quota.team.limits.total, used: quota.team.usage.total, team: quota.team.name }] : []),
            ];
            const verdict = resizeQuotaCheck(quota.perVm, scopes, sizeOf(fresh), resize, quota.prices);
            if (verdict.kind === "no_plan") throw new AppError("not_found", PLAN_NOT_FOUND);
            if (verdict.kind === "per_vm") throw quotaError(PER_VM_MESSAGE, verdict.denials);
            if (verdict.kind === "aggregate") throw quotaError(AGGREGATE_MESSAGE, verdict.denials);
            await tx.vm.update({ where: { id: vm.id }, data: sizeColumns(resize) });
          }
          return { from: "failed_step" };
        },
        stopProviderTask: stopperOf(client),
      };
    },
  };
}

/** Every VM task kind by name: the worker runs tasks of these kinds (lib/jobs/worker.ts). */
export const vmTaskKinds = {
  "vm.create": createVmKind,
  "vm.start": actionKind("start"),
  "vm.stop": actionKind("stop"),
  "vm.shutdown": actionKind("shutdown"),
  "vm.reboot": actionKind("reboot"),
  "vm.delete": actionKind("delete"),
  "vm.resize": actionKind("resize"),
} satisfies Record<string, TaskKind<CreateVmTaskInput> | TaskKind<VmActionTaskInput>>;
