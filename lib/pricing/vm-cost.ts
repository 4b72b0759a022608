import { accrue, type Accrued } from "./accrual";

/** Cost so far of rated VMs from their state spans (lib/vms/state-spans.ts writes them). */

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
