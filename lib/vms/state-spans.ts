import type { Tx } from "../quota/context";
import { billedAs } from "../pricing/accrual";

/**
 * The state history of rated VMs (those accepted with rates: GPU rentals), for cost as it happens
 * (lib/pricing/accrual.ts): one open span (no end) for the state the VM is in now, closed when
 * it changes. VMs without rates keep no history. Provider-neutral.
 */

/**
 * Records that VM `vmId` is in `state` from `at` on (inside the caller's transaction): closes the
 * open span and opens one for `state` (none for states that are not billed at all: deleted,
 * destroyed, failed). The same state again changes nothing.
 */
export async function recordVmState(tx: Tx, vmId: string, state: string, at: Date = new Date()): Promise<void> {
  const vm = await tx.vm.findUnique({ where: { id: vmId }, select: { gpuHourly: true } });
  if (!vm || vm.gpuHourly === null) return;
  const open = await tx.vmStateSpan.findFirst({ where: { vmId, endedAt: null }, orderBy: { startedAt: "desc" } });
  if (open?.state === state) return;
  const when = open && open.startedAt > at ? open.startedAt : at;
  if (open) await tx.vmStateSpan.update({ where: { id: open.id }, data: { endedAt: when } });
  if (billedAs(state) !== "free") await tx.vmStateSpan.create({ data: { vmId, state, startedAt: when } });
}

export { monthWindow, vmCost } from "../pricing/vm-cost";
