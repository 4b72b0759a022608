import { describe, expect, it } from "vitest";
import { NO_PRICES } from "../pricing/cost";
import type { Resources } from "../quota/usage";
import { actionOfKind, actionRefusal, allowedActions, resizeProblem, resizeQuotaCheck, unsupportedAction } from "./action-rules";

const res = (r: Partial<Resources>): Resources => ({ cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: 0, vms: 0, monthlySpend: 0, ...r });
const perVm = { cpuCores: 4, memoryMb: 8192, diskGb: 100, gpus: 0 };
const total = res({ cpuCores: 8, memoryMb: 16384, diskGb: 300, vms: 3, monthlySpend: Infinity });
const vm = { cpuCores: 2, memoryMb: 2048, diskGb: 40 };
const sized = { ...vm, gpus: {} };

describe("which actions a VM accepts", () => {
  it("follows the power state, and offers nothing while a task runs", () => {
    expect(allowedActions("running", false)).toEqual(["stop", "shutdown", "reboot", "resize", "delete"]);
    expect(allowedActions("stopped", false)).toEqual(["start", "resize", "delete"]);
    expect(allowedActions("running", true)).toEqual([]);
    expect(allowedActions("creating", false)).toEqual([]);
  });

  it("says why an action is refused", () => {
    expect(actionRefusal("running", "start")).toBe("VM is already running");
    expect(actionRefusal("stopped", "stop")).toBe("VM is already stopped");
    expect(actionRefusal("stopped", "shutdown")).toBe("VM is already stopped");
    expect(actionRefusal("stopped", "reboot")).toBe("VM is not running");
    expect(actionRefusal("creating", "delete")).toBe("The VM is still being created: wait for its create task to finish");
    expect(actionRefusal("running", "delete")).toBeNull();
  });

  it("maps task kinds to actions", () => {
    expect(actionOfKind("vm.shutdown")).toBe("shutdown");
    expect(actionOfKind("vm.create")).toBe("create");
    expect(actionOfKind("maintenance")).toBeNull();
  });
});

describe("resize rules", () => {
  it("never shrinks a disk, needs a change, and keeps lowered values above the template's minimums", () => {
    expect(resizeProblem(vm, { ...vm, diskGb: 30 })).toBe("Disks cannot shrink: 30 GB is smaller than the current 40 GB");
    expect(resizeProblem(vm, vm)).toBe("Nothing to change: the VM already has 2 vCPU, 2048 MB memory and a 40 GB disk");
    const min = { cpuCores: 2, memoryMb: 1024, diskGb: 32 };
    expect(resizeProblem(vm, { ...vm, cpuCores: 1 }, min, "ubuntu")).toBe('Requested resources are below the minimums of template "ubuntu": cpuCores must be at least 2');
    expect(resizeProblem({ ...vm, cpuCores: 1 }, { ...vm, cpuCores: 1, memoryMb: 4096 }, min, "ubuntu")).toBeNull(); // already below: not lowered
    expect(resizeProblem(vm, { cpuCores: 4, memoryMb: 1024, diskGb: 80 }, min)).toBeNull();
  });

  it("checks increases only: per-VM limits first, then each aggregate scope", () => {
    const used = res({ cpuCores: 6, memoryMb: 4096, diskGb: 100, vms: 2 });
    expect(resizeQuotaCheck(perVm, [{ total, used }], sized, { ...vm, cpuCores: 4 }, NO_PRICES)).toEqual({ kind: "ok" });
    expect(resizeQuotaCheck(perVm, [{ total, used }], sized, { ...vm, cpuCores: 5 }, NO_PRICES)).toMatchObject({ kind: "per_vm", denials: [{ dimension: "cpuCores", limit: 4, requested: 5 }] });
    const team = { total: res({ cpuCores: 6, memoryMb: 65536, diskGb: 1000, vms: 10, monthlySpend: Infinity }), used: res({ cpuCores: 6 }), team: "ops" };
    expect(resizeQuotaCheck(perVm, [{ total, used }, team], sized, { ...vm, cpuCores: 3 }, NO_PRICES)).toEqual({
      kind: "aggregate",
      denials: [expect.objectContaining({ scope: "team", dimension: "cpuCores", requested: 1, message: "team ops: vCPU cores: 6 of 6 cores in use, 1 more requested, 0 left" })],
    });
  });

  it("allows shrinking even over a lowered plan, and growing only where there is room", () => {
    const lowered = res({ cpuCores: 1, memoryMb: 1024, diskGb: 300, vms: 3, monthlySpend: Infinity });
    const used = res({ cpuCores: 2, memoryMb: 2048, diskGb: 40, vms: 1 });
    expect(resizeQuotaCheck(perVm, [{ total: lowered, used }], sized, { cpuCores: 1, memoryMb: 1024, diskGb: 40 }, NO_PRICES)).toEqual({ kind: "ok" });
    expect(resizeQuotaCheck(perVm, [{ total: lowered, used }], sized, { cpuCores: 1, memoryMb: 2048, diskGb: 60 }, NO_PRICES)).toEqual({ kind: "ok" });
    expect(resizeQuotaCheck(perVm, [{ total: lowered, used }], sized, { ...vm, memoryMb: 3072 }, NO_PRICES)).toMatchObject({ kind: "aggregate", denials: [{ dimension: "memoryMb" }] });
    expect(resizeQuotaCheck(null, [], sized, { ...vm, cpuCores: 1 }, NO_PRICES)).toEqual({ kind: "ok" });
    expect(resizeQuotaCheck(null, [], sized, { ...vm, cpuCores: 3 }, NO_PRICES)).toEqual({ kind: "no_plan" });
  });

  it("counts the extra monthly spend of growth against a spend limit", () => {
    const prices = { vcpuHour: 0.01, memoryGbHour: 0, diskGbMonth: 0, gpuHour: {} };
    const capped = { ...total, monthlySpend: 22 };
    const used = res({ cpuCores: 2, monthlySpend: 14.6 });
    expect(resizeQuotaCheck(perVm, [{ total: capped, used }], sized, { ...vm, cpuCores: 3 }, prices)).toEqual({ kind: "ok" });
    expect(resizeQuotaCheck(perVm, [{ total: capped, used }], sized, { ...vm, cpuCores: 4 }, prices)).toMatchObject({ kind: "aggregate", denials: [{ dimension: "monthlySpend", requested: 14.6 }] });
  });
});

describe("what the provider declares", () => {
  it("offers and accepts only the actions the VM's provider kind supports", () => {
    expect(allowedActions("running", false, ["start", "stop", "reboot", "delete"])).toEqual(["stop", "reboot", "delete"]);
    expect(allowedActions("running", false)).toEqual(["stop", "shutdown", "reboot", "resize", "delete"]);
    expect(unsupportedAction("resize", ["start", "stop", "reboot", "delete"], "Nova Cloud")).toBe("Nova Cloud does not support this action: resize");
    expect(unsupportedAction("stop", ["start", "stop"], "Nova Cloud")).toBeNull();
  });
});
