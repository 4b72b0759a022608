import { describe, expect, it } from "vitest";
import { aggregateDenials, perVmDenials, planLimits, remaining } from "./rules";

const limits = planLimits({ maxCpuCoresPerVm: 4, maxMemoryMbPerVm: 8192, maxDiskGbPerVm: 100, maxCpuCoresSum: 16, maxMemoryMbSum: 32768, maxDiskGbSum: 500, maxVms: 5 });

describe("quota rules", () => {
  it("per-VM: exactly at the limit is allowed, one over is denied with the numbers", () => {
    expect(perVmDenials(limits, { cpuCores: 4, memoryMb: 8192, diskGb: 100 })).toEqual([]);
    expect(perVmDenials(limits, { cpuCores: 5, memoryMb: 8192, diskGb: 101 })).toEqual([
      expect.objectContaining({ scope: "per_vm", dimension: "cpuCores", limit: 4, requested: 5 }),
      expect.objectContaining({ scope: "per_vm", dimension: "diskGb", limit: 100, requested: 101 }),
    ]);
  });

  it("aggregate: used + requested may reach the limit but not pass it", () => {
    const used = { cpuCores: 12, memoryMb: 30000, diskGb: 400, vms: 4 };
    expect(aggregateDenials(limits, used, { cpuCores: 4, memoryMb: 2768, diskGb: 100, vms: 1 })).toEqual([]);
    const denied = aggregateDenials(limits, used, { cpuCores: 4, memoryMb: 2769, diskGb: 100, vms: 1 });
    expect(denied).toEqual([expect.objectContaining({ dimension: "memoryMb", limit: 32768, used: 30000, requested: 2769 })]);
    expect(denied[0]!.message).toBe("memory: 30000 of 32768 MB in use, 2769 more requested, 2768 left");
  });

  it("the VM count is a dimension of its own", () => {
    const used = { cpuCores: 0, memoryMb: 0, diskGb: 0, vms: 5 };
    expect(aggregateDenials(limits, used, { cpuCores: 1, memoryMb: 1, diskGb: 1, vms: 1 }).map((d) => d.dimension)).toEqual(["vms"]);
  });

  it("a plan lowered below current use leaves nothing, never a negative", () => {
    expect(remaining(limits, { cpuCores: 20, memoryMb: 0, diskGb: 500, vms: 1 })).toEqual({ cpuCores: 0, memoryMb: 32768, diskGb: 0, vms: 4 });
  });
});
