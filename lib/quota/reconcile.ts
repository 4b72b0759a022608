import { db } from "../db/client";
import { providerFor } from "../providers/registry";
import type { JsonObject, ProviderClient, ProviderVm } from "../providers/types";
import { KEPT_FOR_RETRY, REMOVING_KEPT } from "../vms/kept-vms";
import { loadPrices, usageWhere } from "./context";
import type { Resources } from "./usage";

/**
 * `npm run hangar -- quota reconcile [--fix]`. Usage is never stored as a counter: it is
 * recomputed from the VM records. What can drift is those records against the providers,
 * so reconcile compares them and reports every difference:
 * - missing_on_provider: a VM the portal counts no longer exists on its provider;
 * - size_mismatch: the provider reports another size than the portal counts;
 * - stuck_request: a reservation whose create task is no longer running;
 * - cleanup_required: a half-made VM whose removal failed still exists on the provider;
 * - unmanaged: a VM on the provider that the portal does not know (reported only).
 * With `fix`, the portal's records are corrected to the providers' reality (never the other way).
 */
export type DifferenceKind = "missing_on_provider" | "size_mismatch" | "stuck_request" | "cleanup_required" | "unmanaged";
/** `ref`: the provider's short id of the VM; `where`: the provider's words for it (e.g. its placement). */
export type Difference = { kind: DifferenceKind; provider: string; vmId?: string; ref?: string | null; where?: string; name?: string; owner?: string; detail: string; fixed: boolean };
export type ReconcileReport = {
  differences: Difference[];
  unreachable: { provider: string; error: string }[];
  usage: { email: string; used: Resources; reserved: Resources }[];
};

export async function reconcileQuota(options: { fix?: boolean; now?: Date } = {}): Promise<ReconcileReport> {
  const now = options.now ?? new Date();
  const stuckAfterMs = Number(process.env.HANGAR_TASK_EXPIRE_SECONDS ?? 1800) * 1000;
  const differences: Difference[] = [];
  const unreachable: ReconcileReport["unreachable"] = [];
  const providers = await db().providerConnection.findMany({ where: { enabled: true } });

  for (const provider of providers) {
    const rows = await db().vm.findMany({
      where: { providerId: provider.id, OR: [{ deletedAt: null }, { status: { in: ["cleanup_required", KEPT_FOR_RETRY, REMOVING_KEPT] } }] },
      include: { owner: { select: { email: true } }, tasks: { orderBy: { createdAt: "desc" }, take: 1 } },
    });
    let remote: ProviderVm[];
    let client: ProviderClient;
    try {
      client = providerFor(provider);
      remote = await client.listVms();
    } catch (error) {
      unreachable.push({ provider: provider.name, error: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const byRef = new Map(remote.map((v) => [v.ref.id, v]));
    const known = new Set<string>();

    for (const vm of rows) {
      const found = vm.providerRefId !== null ? byRef.get(vm.providerRefId) : undefined;
      if (vm.providerRefId !== null) known.add(vm.providerRefId);
      const ref = vm.providerRef !== null && vm.providerRefId !== null ? { id: vm.providerRefId, data: vm.providerRef as JsonObject } : null;
      const base = { provider: provider.name, vmId: vm.id, ref: vm.providerRefId, where: ref ? client.describe(ref) : undefined, name: vm.name, owner: vm.owner.email };
      // A failed create's VM kept for a retry (lib/vms/kept-vms.ts removes it when its time is up).
      if (vm.status === KEPT_FOR_RETRY || vm.status === REMOVING_KEPT) continue;
      if (vm.status === "cleanup_required") {
        if (found) differences.push({ ...base, kind: "cleanup_required", detail: `half-made VM ${client.describe(found.ref)} still exists: remove it on the provider`, fixed: false });
        continue;
      }
      if (vm.status === "creating") {
        const task = vm.tasks[0];
        const running = task && (task.status === "pending" || task.status === "in_progress") && now.getTime() - task.createdAt.getTime() < stuckAfterMs;
        if (!running) {
          const fixed = Boolean(options.fix);
          if (fixed) await db().vm.update({ where: { id: vm.id }, data: { deletedAt: now, status: "failed" } });
          differences.push({ ...base, kind: "stuck_request", detail: `reservation held by task ${task?.id ?? "(none)"} (${task?.status ?? "missing"}) that is not running`, fixed });
        }
        continue;
      }
      if (!found) {
        const fixed = Boolean(options.fix);
        if (fixed) await db().vm.update({ where: { id: vm.id }, data: { deletedAt: now, status: "gone" } });
        differences.push({ ...base, kind: "missing_on_provider", detail: `VM ${vm.providerRefId ?? "?"} is not on ${provider.name}; it still counts ${vm.cpuCores} cores, ${vm.memoryMb} MB, ${vm.diskGb} GB`, fixed });
        continue;
      }
      const mismatches = (
        [
          ["cores", vm.cpuCores, found.size.cpuCores],
          ["memory MB", vm.memoryMb, found.size.memoryMb],
          ["disk GB", vm.diskGb, found.size.diskGb],
        ] as const
      ).filter(([, ours, theirs]) => theirs !== undefined && theirs !== ours);
      if (mismatches.length) {
        const fixed = Boolean(options.fix);
        if (fixed) {
          await db().vm.update({
            where: { id: vm.id },
            data: { cpuCores: found.size.cpuCores ?? vm.cpuCores, memoryMb: found.size.memoryMb ?? vm.memoryMb, diskGb: found.size.diskGb ?? vm.diskGb },
          });
        }
        differences.push({ ...base, kind: "size_mismatch", detail: mismatches.map(([what, ours, theirs]) => `${what}: portal ${ours}, provider ${theirs}`).join("; "), fixed });
      }
    }
    for (const v of remote) {
      if (!known.has(v.ref.id)) differences.push({ kind: "unmanaged", provider: provider.name, ref: v.ref.id, where: client.describe(v.ref), name: v.name, detail: `not created through Hangar (${v.status})`, fixed: false });
    }
  }

  const prices = await loadPrices(db());
  const users = await db().user.findMany({ where: { vms: { some: { deletedAt: null } } }, select: { id: true, email: true }, orderBy: { email: "asc" } });
  const usage = [];
  for (const u of users) {
    const x = await usageWhere(db(), { ownerId: u.id }, prices);
    usage.push({ email: u.email, used: x.used, reserved: x.reserved });
  }
  return { differences, unreachable, usage };
}

export function formatReconcileReport(report: ReconcileReport, fix: boolean): string {
  const lines: string[] = [];
  for (const u of report.unreachable) lines.push(`! ${u.provider}: unreachable (${u.error})`);
  const actionable = report.differences.filter((d) => d.kind !== "unmanaged");
  if (actionable.length === 0) lines.push("No differences between the portal's records and the providers.");
  for (const d of report.differences) {
    lines.push(`${d.fixed ? "fixed" : d.kind === "unmanaged" ? "note " : "DIFF "} ${d.kind.padEnd(19)} ${d.provider}/${d.ref ?? "-"}${d.where ? ` (${d.where})` : ""} ${d.name ?? ""}${d.owner ? ` (${d.owner})` : ""}: ${d.detail}`);
  }
  if (actionable.some((d) => !d.fixed) && !fix) lines.push("Run with --fix to correct the portal's records.");
  lines.push("", "Usage (recomputed from the VM records): used / reserved");
  for (const u of report.usage) {
    lines.push(`  ${u.email.padEnd(32)} ${u.used.vms} VMs, ${u.used.cpuCores} cores, ${u.used.memoryMb} MB, ${u.used.diskGb} GB / ${u.reserved.vms} VMs, ${u.reserved.cpuCores} cores reserved`);
  }
  return lines.join("\n");
}
