import type { Tx } from "../quota/context";
import { accrue, billedAs, type Accrued } from "../pricing/accrual";

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

/** A calendar month in UTC, `[from, to)`: `month` as "YYYY-MM", or the month of `now`. */
export function monthWindow(month?: string, now: Date = new Date()): { from: Date; to: Date; month: string } {
  const m = month ? /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month) : null;
  if (month && !m) throw new RangeError(`month must be YYYY-MM (${month})`);
  const y = m ? Number(m[1]) : now.getUTCFullYear();
  const mo = m ? Number(m[2]) - 1 : now.getUTCMonth();
  const from = new Date(Date.UTC(y, mo, 1));
  return { from, to: new Date(Date.UTC(y, mo + 1, 1)), month: `${y}-${String(mo + 1).padStart(2, "0")}` };
}

type RatedVm = { gpuHourly: { toString(): string } | null; storageHourly: { toString(): string } | null; spans: { state: string; startedAt: Date; endedAt: Date | null }[] };

/** A rated VM's cost within `window` (an open span runs until `now`); null for a VM without rates. */
export function vmCost(vm: RatedVm, window: { from: Date; to: Date }, now: Date = new Date()): Accrued | null {
  if (vm.gpuHourly === null) return null;
  const spans = vm.spans.map((s) => ({ state: s.state, from: s.startedAt, to: s.endedAt ?? (s.startedAt > now ? s.startedAt : now) }));
  return accrue({ gpuHourly: vm.gpuHourly.toString(), storageHourly: (vm.storageHourly ?? "0").toString() }, spans, window);
}
