import { describe, expect, it } from "vitest";
import { formatMemory, formatSize, gib, mbFromGib } from "./units";

describe("units", () => {
  it("shows memory in GiB", () => {
    expect(formatMemory(2048)).toBe("2 GiB");
    expect(formatMemory(1536)).toBe("1.5 GiB");
    expect(formatMemory(1000)).toBe("0.98 GiB");
    expect(formatSize({ cpuCores: 2, memoryMb: 4096, diskGb: 40 })).toBe("2 vCPU · 4 GiB · 40 GB");
  });

  it("converts typed GiB back to whole MB", () => {
    expect(mbFromGib(1.5)).toBe(1536);
    expect(mbFromGib(gib(3072))).toBe(3072);
    expect(Number.isNaN(mbFromGib(Number("x")))).toBe(true);
  });
});
