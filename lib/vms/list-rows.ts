import { RENTAL_TYPE_LABELS } from "../schemas/catalog";
import type { VmAction } from "../providers/types";

/**
 * My VMs' rules for rows as GET /api/v1/vms answers them (lib/vms/list-vms.ts), pure and
 * browser-safe: which rows are changing (the list polls while any is), the search, and the
 * GPU and rental summary.
 */

/** The fields of an API row (GET /api/v1/vms) that My VMs reads. Memory in MB, disk in GB. */
export type VmListRow = {
  id: string;
  name: string;
  status: string;
  ip_address: string | null;
  template: string | null;
  cpuCores: number;
  memorySize: number;
  diskSize: number;
  gpuType: string | null;
  gpuCount: number;
  rentalType: "on_demand" | "reserved" | "interruptible";
  reservationMonths: number | null;
  reservationEndsAt: string | null;
  autoRestart: boolean;
  rates: { gpuHourly: string; storageHourly: string } | null;
  last_task: { task_id: string; status: string; kind?: string } | null;
  /** What the VM accepts now (none while a task runs on it); absent from older servers' answers. */
  actions?: VmAction[];
};

const ACTIVE = new Set(["pending", "in_progress"]);
/** VM states that change on their own (a create in progress). */
const TRANSITIONAL = new Set(["creating"]);

/** The kind of the task running on the VM now (e.g. `vm.stop`), or null. */
export function runningTaskKind(vm: Pick<VmListRow, "last_task">): string | null {
  return vm.last_task && ACTIVE.has(vm.last_task.status) ? (vm.last_task.kind ?? "task") : null;
}

/** True while the VM is changing: being created, or a task runs on it. The list then polls quickly. */
export function isTransitional(vm: Pick<VmListRow, "status" | "last_task">): boolean {
  return TRANSITIONAL.has(vm.status) || runningTaskKind(vm) !== null;
}

/** The address worth showing: a running VM's; a stopped one's last address is stale. */
export function shownAddress(vm: Pick<VmListRow, "status" | "ip_address">): string | null {
  return vm.status === "running" && vm.ip_address ? vm.ip_address : null;
}

/**
 * The rows whose name or shown address contains `query` (trimmed, case-insensitive); all rows
 * for an empty query.
 */
export function searchVms<T extends Pick<VmListRow, "name" | "status" | "ip_address">>(rows: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...rows];
  return rows.filter((vm) => vm.name.toLowerCase().includes(q) || (shownAddress(vm) ?? "").toLowerCase().includes(q));
}

/** A decimal string with `places` decimals, for rates as the API gives them ("0.3400" → "0.3400"). */
function fixed(value: string, places: number): string {
  const n = Number(value);
  return Number.isFinite(n) ? n.toFixed(places) : value;
}

/**
 * A GPU VM's rental, as short lines ("2 × 4090", "Rental type: Interruptible (restarted
 * automatically)", rates per hour, a reservation's end): the VM page's facts without the month's
 * cost. [] for a VM without GPUs or a rental.
 */
export function rentalLines(vm: VmListRow, currency: string): string[] {
  const lines: string[] = [];
  if (vm.gpuCount > 0) lines.push(`${vm.gpuCount} × ${vm.gpuType ?? "GPU"}`);
  if (vm.gpuCount > 0 || vm.rentalType !== "on_demand") {
    const label =
      vm.rentalType === "reserved"
        ? (RENTAL_TYPE_LABELS[`reserved_${vm.reservationMonths}m` as keyof typeof RENTAL_TYPE_LABELS] ?? "Reserved")
        : RENTAL_TYPE_LABELS[vm.rentalType];
    lines.push(`Rental type: ${label}${vm.rentalType === "interruptible" && vm.autoRestart ? " (restarted automatically)" : ""}`);
  }
  if (vm.rates) lines.push(`Rates: ${fixed(vm.rates.gpuHourly, 4)} ${currency}/h while running (GPU) · ${fixed(vm.rates.storageHourly, 4)} ${currency}/h storage`);
  if (vm.reservationMonths) lines.push(`Reservation ends: ${vm.reservationEndsAt ? vm.reservationEndsAt.slice(0, 10) : `${vm.reservationMonths} months after it is built`}`);
  return lines;
}

/** "updated 3 s ago", "updated 2 min ago" (from epoch milliseconds). */
export function updatedAgo(updatedAt: number, now: number): string {
  const s = Math.max(0, Math.round((now - updatedAt) / 1000));
  if (s < 60) return `updated ${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `updated ${m} min ago`;
  return `updated ${Math.floor(m / 60)} h ago`;
}
