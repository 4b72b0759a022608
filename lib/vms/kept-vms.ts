import { db } from "../db/client";
import { env } from "../env";
import { log } from "../log";
import { providerFor } from "../providers/registry";
import type { JsonObject } from "../providers/types";
import { runLoose } from "../tasks/engine";
import { describeFailure } from "../tasks/failure";
import { appendLog } from "../tasks/store";

/**
 * A failed create's VM row whose half-made VM is kept on the provider for a retry
 * (HANGAR_RETRY_KEEP_MINUTES): its quota is released (deletedAt is set); a retry of the task
 * takes it back, otherwise removeExpiredKeptVms removes it once the time is up.
 */
export const KEPT_FOR_RETRY = "kept_for_retry";
/** A kept VM being removed right now: no retry may take it back meanwhile. */
export const REMOVING_KEPT = "removing";

/**
 * The worker's housekeeping: removes the half-made VMs kept for a retry longer than
 * HANGAR_RETRY_KEEP_MINUTES (their provider's cleanup steps, logged under the failed create
 * task), at most `batch` per call. Each is claimed first (status `removing`, so a retry cannot
 * take it back meanwhile), then becomes `failed`, or `cleanup_required` when its removal failed
 * (the reconcile report lists those). Returns how many were removed.
 */
export async function removeExpiredKeptVms(now = new Date(), batch = 20): Promise<number> {
  const before = new Date(now.getTime() - env().HANGAR_RETRY_KEEP_MINUTES * 60_000);
  const due = await db().vm.findMany({ where: { status: KEPT_FOR_RETRY, deletedAt: { lt: before } }, include: { provider: true }, take: batch });
  let removed = 0;
  for (const vm of due) {
    const { count } = await db().vm.updateMany({ where: { id: vm.id, status: KEPT_FOR_RETRY }, data: { status: REMOVING_KEPT } });
    if (count !== 1) continue;
    const task = await db().task.findFirst({ where: { vmId: vm.id, kind: "vm.create" }, orderBy: { createdAt: "desc" } });
    try {
      if (vm.providerRef === null || vm.providerRefId === null || !task) throw new Error("the kept VM has no provider reference or task");
      const client = providerFor(vm.provider);
      await runLoose(task.id, client.cleanupSteps({ id: vm.providerRefId, data: vm.providerRef as JsonObject }));
      await db().vm.update({ where: { id: vm.id }, data: { status: "failed" } });
      await appendLog(task.id, null, `Removed the half-made VM ${vm.providerRefId}, kept for a retry that did not come.`);
      removed++;
    } catch (error) {
      const failure = describeFailure(error);
      await db().vm.update({ where: { id: vm.id }, data: { status: "cleanup_required" } });
      if (task) await appendLog(task.id, null, `Could not remove the half-made VM ${vm.providerRefId ?? ""}: ${failure.message}. It is left for an admin (reconcile).`, "error", failure.detail);
      log.warn({ vmId: vm.id, err: failure.detail ?? failure.message }, "could not remove a VM kept for a retry");
    }
  }
  return removed;
}
