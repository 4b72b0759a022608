import type { Db } from "../db/client";
import { money } from "../pricing/rental";
import { monthWindow, vmCost } from "../pricing/vm-cost";
import { RENTAL_TYPE_LABELS, type RentalType } from "../schemas/catalog";

/**
 * A GPU VM's rental as the VM page and My VMs show it, label → text: GPU, rental type, rates per
 * hour, a reservation's end, and its cost so far this month (rated rentals). [] for a VM without
 * GPUs or rates.
 */
export function rentalFacts(vm: Db.Vm & { spans?: { state: string; startedAt: Date; endedAt: Date | null }[] }, currency: string, now: Date = new Date()): [string, string][] {
  const facts: [string, string][] = [];
  if (vm.gpuCount > 0) facts.push(["GPU", `${vm.gpuCount} × ${vm.gpuType ?? "GPU"}`]);
  if (vm.gpuCount > 0 || vm.rentalType !== "on_demand") {
    facts.push(["Rental type", (RENTAL_TYPE_LABELS[vm.rentalType as RentalType] ?? vm.rentalType) + (vm.rentalType === "interruptible" && vm.autoRestart ? " (restarted automatically)" : "")]);
  }
  if (vm.gpuHourly !== null) {
    const gpu = vm.gpuHourly.toString();
    const storage = (vm.storageHourly ?? 0).toString();
    facts.push(["Rates", `${money(gpu, 4)} ${currency}/h while running (GPU) · ${money(storage, 4)} ${currency}/h storage`]);
  }
  if (vm.reservationMonths) facts.push(["Reservation ends", vm.reservationEndsAt ? vm.reservationEndsAt.toISOString().slice(0, 10) : `${vm.reservationMonths} months after it is built`]);
  if (vm.gpuHourly !== null && vm.spans) {
    const month = monthWindow(undefined, now);
    const cost = vmCost({ ...vm, spans: vm.spans }, month, now);
    if (cost) facts.push(["Cost this month", `${money(cost.total)} ${currency} (GPU ${money(cost.gpu)}, storage ${money(cost.storage)})`]);
  }
  return facts;
}
