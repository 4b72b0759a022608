import { describe, expect, it } from "vitest";
import { prefillFrom } from "./wizard-data";

describe("the wizard's starting values from its address (Edit and retry)", () => {
  it("a failed GPU order comes back with its GPU type, count, rental type and auto-restart", () => {
    expect(prefillFrom({ template: "t1", cpu: "6", memory: "32768", disk: "50", name: "r3", gpu: "4090", gpus: "2", rental: "reserved_3m" })).toEqual({
      templateId: "t1",
      target: undefined,
      cpuCores: 6,
      memorySize: 32768,
      diskSize: 50,
      name: "r3",
      ciuser: undefined,
      gpuType: "4090",
      gpuCount: 2,
      rental: "reserved_3m",
      autoRestart: false,
    });
    expect(prefillFrom({ gpu: "4090", rental: "interruptible", restart: "1" })).toMatchObject({ gpuType: "4090", gpuCount: 1, rental: "interruptible", autoRestart: true });
  });

  it("ignores what is malformed: an unknown rental type is on demand, no GPU fields without a GPU type", () => {
    expect(prefillFrom({ gpu: "4090", rental: "forever", gpus: "-3" })).toMatchObject({ gpuType: "4090", gpuCount: 1, rental: "on_demand" });
    expect(prefillFrom({ rental: "reserved_1m", gpus: "2" })).not.toHaveProperty("gpuType");
  });
});
