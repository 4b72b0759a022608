import { describe, expect, it } from "vitest";
import { aggregateDenials, perVmDenials } from "../quota/rules";
import { describeDenial } from "./denials";

describe("describeDenial", () => {
  const limits = { perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100, gpus: 0 }, total: { cpuCores: 8, memoryMb: 16384, diskGb: 200, gpus: 0, vms: 3, monthlySpend: 100 } };

  it("names the dimension as the page does and shows memory in GiB", () => {
    const [d] = perVmDenials(limits, { cpuCores: 2, memoryMb: 10240, diskGb: 20, gpus: 0 });
    expect(d!.message).toBe("memory: 10240 MB requested, at most 8192 per VM");
    expect(describeDenial(d!)).toBe("Memory: 10 GiB requested, at most 8 GiB per VM");
  });

  it("says whose quota an aggregate denial is about", () => {
    const used = { cpuCores: 7, memoryMb: 0, diskGb: 0, gpus: 0, vms: 1, monthlySpend: 0 };
    const [d] = aggregateDenials(limits, used, { cpuCores: 2, memoryMb: 0, diskGb: 0, gpus: 0, vms: 0, monthlySpend: 0 }, "lab");
    expect(describeDenial(d!)).toBe("CPU cores (your team's quota): 7 of 8 vCPU in use, 2 more requested, 1 left");
  });
});
