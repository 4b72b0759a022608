import { expect, it } from "vitest";
import { monthlyCost, priceTableFrom, vmMonthlyCost } from "./cost";

it("prices a VM per month: vCPU-hours, GB RAM-hours, GB disk-month and GPU-hours by type", () => {
  const prices = priceTableFrom([
    { resource: "vcpu_hour", gpuType: "", amount: "0.01" },
    { resource: "memory_gb_hour", gpuType: "", amount: 0.005 },
    { resource: "disk_gb_month", gpuType: "", amount: "0.1" },
    { resource: "gpu_hour", gpuType: "4090", amount: "0.5" },
  ]);
  // 2 × 0.01 × 730 + 4 × 0.005 × 730 + 40 × 0.1 = 14.6 + 14.6 + 4 = 33.2
  expect(monthlyCost({ cpuCores: 2, memoryMb: 4096, diskGb: 40, gpus: {} }, prices)).toBe(33.2);
  expect(monthlyCost({ cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: { "4090": 2 } }, prices)).toBe(730);
  expect(monthlyCost({ cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: { "5090": 2 } }, prices)).toBe(0);
});

it("a rental's monthly cost is at the rates it was accepted at, not at the portal's price table", () => {
  const prices = { vcpuHour: 0.01, memoryGbHour: 0.005, diskGbMonth: 0.05, gpuHour: { "4090": 0.45 } };
  const size = { cpuCores: 6, memoryMb: 32768, diskGb: 50, gpus: { "4090": 1 } };
  // Nova's interruptible 4090: 0.24 GPU + 0.0001 storage per hour × 730.
  expect(vmMonthlyCost({ gpuHourly: "0.24", storageHourly: "0.0001" }, size, prices)).toBe(175.27);
  // A VM without rates costs what its size costs today.
  expect(vmMonthlyCost({ gpuHourly: null, storageHourly: null }, size, prices)).toBe(monthlyCost(size, prices));
});
