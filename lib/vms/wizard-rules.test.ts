import { describe, expect, it } from "vitest";
import { sshKeyChoiceProblem, unorderableSize } from "./wizard-rules";

const min = { cpuCores: 1, memoryMb: 1024, diskGb: 32 };
const perVm = { cpuCores: 4, memoryMb: 8192, diskGb: 100 };

describe("the wizard's price for sizes that cannot be ordered", () => {
  it("prices a size within the floor and the per-VM limits", () => {
    expect(unorderableSize({ cpuCores: 4, memoryMb: 8192, diskGb: 32 }, min, perVm, "ubuntu")).toBeNull();
  });
  it("names an invalid value first, then one below the floor, then one over the per-VM limit", () => {
    expect(unorderableSize({ cpuCores: 0, memoryMb: 99999, diskGb: 1 }, min, perVm, "ubuntu")).toBe("CPU cores is not a valid size");
    expect(unorderableSize({ cpuCores: 2, memoryMb: Number.NaN, diskGb: 40 }, min, perVm, "ubuntu")).toBe("Memory is not a valid size");
    expect(unorderableSize({ cpuCores: 2.5, memoryMb: 2048, diskGb: 40 }, min, perVm, "ubuntu")).toBe("CPU cores is not a valid size");
    expect(unorderableSize({ cpuCores: 2, memoryMb: 2048, diskGb: 20 }, min, perVm, "ubuntu")).toBe("Disk is below ubuntu's minimum of 32 GB");
    expect(unorderableSize({ cpuCores: 2, memoryMb: 512, diskGb: 500 }, min, perVm, "ubuntu")).toBe("Memory is below ubuntu's minimum of 1 GiB");
    expect(unorderableSize({ cpuCores: 2, memoryMb: 16384, diskGb: 40 }, min, perVm, "ubuntu")).toBe("Memory is over your plan's 8 GiB per VM");
    expect(unorderableSize({ cpuCores: 6, memoryMb: 2048, diskGb: 40 }, min, perVm, "ubuntu")).toBe("CPU cores is over your plan's 4 vCPU per VM");
  });
});

describe("choosing SSH keys", () => {
  it("asks for one at least and no more than the provider kind installs", () => {
    expect(sshKeyChoiceProblem(0, 20, "Proxmox VE")).toBe("Choose at least one key");
    expect(sshKeyChoiceProblem(3, 20, "Proxmox VE")).toBeNull();
    expect(sshKeyChoiceProblem(2, 1, "Nova Cloud")).toBe("Nova Cloud installs at most 1 SSH key per VM: choose one");
  });
});
