import { describe, expect, it } from "vitest";
import { isTransitional, rentalLines, runningTaskKind, searchVms, shownAddress, updatedAgo, type VmListRow } from "./list-rows";

const row = (over: Partial<VmListRow> = {}): VmListRow => ({
  id: "1",
  name: "web-1",
  status: "running",
  ip_address: "10.0.0.5",
  template: "ubuntu-24.04",
  cpuCores: 2,
  memorySize: 2048,
  diskSize: 40,
  gpuType: null,
  gpuCount: 0,
  rentalType: "on_demand",
  reservationMonths: null,
  reservationEndsAt: null,
  autoRestart: false,
  rates: null,
  last_task: { task_id: "t", status: "completed", kind: "vm.create" },
  ...over,
});

describe("My VMs rows", () => {
  it("is transitional while created or while a task runs, not after", () => {
    expect(isTransitional(row())).toBe(false);
    expect(isTransitional(row({ status: "creating" }))).toBe(true);
    expect(isTransitional(row({ last_task: { task_id: "t", status: "in_progress", kind: "vm.stop" } }))).toBe(true);
    expect(isTransitional(row({ last_task: { task_id: "t", status: "pending", kind: "vm.start" } }))).toBe(true);
    expect(isTransitional(row({ last_task: { task_id: "t", status: "failed", kind: "vm.start" } }))).toBe(false);
    expect(runningTaskKind(row({ last_task: { task_id: "t", status: "in_progress", kind: "vm.stop" } }))).toBe("vm.stop");
    expect(runningTaskKind(row())).toBeNull();
  });

  it("shows a running VM's address only", () => {
    expect(shownAddress(row())).toBe("10.0.0.5");
    expect(shownAddress(row({ status: "stopped" }))).toBeNull();
  });

  it("searches by name and by shown address, case-insensitively; an empty query keeps all", () => {
    const rows = [row({ id: "1", name: "Web-1", ip_address: "10.0.0.5" }), row({ id: "2", name: "db", ip_address: "10.0.0.7" }), row({ id: "3", name: "old", status: "stopped", ip_address: "10.0.0.9" })];
    expect(searchVms(rows, "  web ").map((r) => r.id)).toEqual(["1"]);
    expect(searchVms(rows, "10.0.0.7").map((r) => r.id)).toEqual(["2"]);
    expect(searchVms(rows, "10.0.0.9")).toEqual([]);
    expect(searchVms(rows, "10.0.0.").map((r) => r.id)).toEqual(["1", "2"]);
    expect(searchVms(rows, "").length).toBe(3);
  });

  it("summarises a GPU rental as the VM page does, and nothing for a plain VM", () => {
    expect(rentalLines(row(), "EUR")).toEqual([]);
    expect(
      rentalLines(row({ gpuCount: 2, gpuType: "4090", rentalType: "interruptible", autoRestart: true, rates: { gpuHourly: "0.68", storageHourly: "0.004" } }), "USD"),
    ).toEqual(["2 × 4090", "Rental type: Interruptible (restarted automatically)", "Rates: 0.6800 USD/h while running (GPU) · 0.0040 USD/h storage"]);
    expect(rentalLines(row({ gpuCount: 1, gpuType: "A100", rentalType: "reserved", reservationMonths: 3, reservationEndsAt: "2027-03-01T00:00:00.000Z" }), "EUR")).toEqual([
      "1 × A100",
      "Rental type: Reserved 3 months",
      "Reservation ends: 2027-03-01",
    ]);
  });

  it("says how long ago the list was updated", () => {
    expect(updatedAgo(10_000, 10_400)).toBe("updated 0 s ago");
    expect(updatedAgo(10_000, 22_000)).toBe("updated 12 s ago");
    expect(updatedAgo(0, 125_000)).toBe("updated 2 min ago");
    expect(updatedAgo(0, 2 * 3600_000)).toBe("updated 2 h ago");
  });
});
