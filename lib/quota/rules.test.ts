import { describe, expect, it } from "vitest";
import { limitsOf, tighter } from "./limits";
import { aggregateDenials, changeDenials, perVmDenials, remaining } from "./rules";
import type { Resources } from "./usage";

const plan = {
  maxCpuCoresPerVm: 4,
  maxMemoryMbPerVm: 8192,
  maxDiskGbPerVm: 100,
  maxGpusPerVm: 0,
  maxCpuCoresSum: 16,
  maxMemoryMbSum: 32768,
  maxDiskGbSum: 500,
  maxGpusSum: 0,
  maxVms: 5,
  maxMonthlySpend: null,
};
const limits = limitsOf(plan);
const res = (r: Partial<Resources>): Resources => ({ cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: 0, vms: 0, monthlySpend: 0, ...r });
const size = (r: Partial<Record<"cpuCores" | "memoryMb" | "diskGb" | "gpus", number>>) => ({ cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: 0, ...r });

describe("quota rules", () => {
  it("per-VM: exactly at the limit is allowed, one over is denied with the numbers", () => {
    expect(perVmDenials(limits, size({ cpuCores: 4, memoryMb: 8192, diskGb: 100 }))).toEqual([]);
    expect(perVmDenials(limits, size({ cpuCores: 5, memoryMb: 8192, diskGb: 101, gpus: 1 }))).toEqual([
      expect.objectContaining({ scope: "per_vm", dimension: "cpuCores", limit: 4, requested: 5 }),
      expect.objectContaining({ scope: "per_vm", dimension: "diskGb", limit: 100, requested: 101 }),
      expect.objectContaining({ scope: "per_vm", dimension: "gpus", limit: 0, requested: 1 }),
    ]);
  });

  it("aggregate: used + requested may reach the limit but not pass it", () => {
    const used = res({ cpuCores: 12, memoryMb: 30000, diskGb: 400, vms: 4 });
    expect(aggregateDenials(limits, used, res({ cpuCores: 4, memoryMb: 2768, diskGb: 100, vms: 1 }))).toEqual([]);
    const denied = aggregateDenials(limits, used, res({ cpuCores: 4, memoryMb: 2769, diskGb: 100, vms: 1 }));
    expect(denied).toEqual([expect.objectContaining({ dimension: "memoryMb", limit: 32768, used: 30000, requested: 2769 })]);
    expect(denied[0]!.message).toBe("memory: 30000 of 32768 MB in use, 2769 more requested, 2768 left");
  });

  it("the VM count and the monthly spend are dimensions of their own; no spend limit means none", () => {
    expect(aggregateDenials(limits, res({ vms: 5 }), res({ cpuCores: 1, vms: 1 })).map((d) => d.dimension)).toEqual(["vms"]);
    expect(aggregateDenials(limits, res({ monthlySpend: 1e9 }), res({ monthlySpend: 1e9, vms: 1 }))).toEqual([]);
    const capped = limitsOf({ ...plan, maxMonthlySpend: "100.00" });
    const spend = aggregateDenials(capped, res({ monthlySpend: 80 }), res({ monthlySpend: 25.5, vms: 1 }));
    expect(spend).toEqual([expect.objectContaining({ dimension: "monthlySpend", limit: 100, used: 80, requested: 25.5 })]);
    expect(spend[0]!.message).toBe("monthly spend: 80.00 of 100.00 in use, 25.50 more requested, 20.00 left");
  });

  it("a team's denial says it is the team's", () => {
    const [d] = aggregateDenials(limits, res({ vms: 5 }), res({ vms: 1 }), "ml-lab");
    expect(d).toMatchObject({ scope: "team", dimension: "vms" });
    expect(d!.message).toMatch(/^team ml-lab: VMs: 5 of 5/);
  });

  it("per-user overrides replace single limits; the team's and the user's limits combine to the tighter", () => {
    const overridden = limitsOf(plan, { maxCpuCoresSum: 32, maxVms: 1 });
    expect(overridden.total.cpuCores).toBe(32);
    expect(overridden.total.vms).toBe(1);
    expect(overridden.perVm.cpuCores).toBe(4);
    expect(limitsOf(plan, { maxVms: -1 }).total.vms).toBe(5); // invalid overrides are ignored
    const team = limitsOf({ ...plan, maxCpuCoresPerVm: 2, maxVms: 50 });
    expect(tighter(overridden, team)).toMatchObject({ perVm: { cpuCores: 2 }, total: { cpuCores: 16, vms: 1 } });
  });

  it("a plan lowered below current use leaves nothing, never a negative", () => {
    expect(remaining(limits, res({ cpuCores: 20, diskGb: 500, vms: 1 }))).toMatchObject({ cpuCores: 0, memoryMb: 32768, diskGb: 0, vms: 4 });
  });

  it("changes after creation are checked on the increase only", () => {
    const overUse = res({ cpuCores: 20, memoryMb: 40000, diskGb: 500, vms: 3 }); // plan lowered below use
    const current = size({ cpuCores: 4, memoryMb: 8192, diskGb: 50 });
    // Shrinking, or keeping the size, is always allowed.
    expect(changeDenials(limits, overUse, current, size({ cpuCores: 2, memoryMb: 8192, diskGb: 50 }))).toEqual([]);
    // Growing is blocked while over the limit, naming what grew.
    expect(changeDenials(limits, overUse, current, size({ cpuCores: 4, memoryMb: 8192, diskGb: 60 }))).toEqual([
      expect.objectContaining({ scope: "aggregate", dimension: "diskGb", used: 500, requested: 10 }),
    ]);
    // Growth within room is fine; growth past the per-VM limit is not.
    expect(changeDenials(limits, res({ cpuCores: 4 }), current, size({ cpuCores: 4, memoryMb: 8192, diskGb: 60 }))).toEqual([]);
    expect(changeDenials(limits, res({}), current, size({ cpuCores: 6, memoryMb: 8192, diskGb: 50 }))).toEqual([
      expect.objectContaining({ scope: "per_vm", dimension: "cpuCores", limit: 4, requested: 6 }),
    ]);
  });

  it("a change breaking both the per-VM and the aggregate (or team) limits is denied by the per-VM limit alone", () => {
    const full = res({ cpuCores: 16, memoryMb: 32768, diskGb: 500, vms: 5 });
    const current = size({ cpuCores: 2, memoryMb: 1024, diskGb: 50 });
    for (const team of [undefined, "ml-lab"]) {
      const denials = changeDenials(limits, full, current, size({ cpuCores: 6, memoryMb: 1024, diskGb: 50 }), 0, team);
      expect(denials.map((d) => [d.scope, d.dimension])).toEqual([["per_vm", "cpuCores"]]);
    }
  });
});
