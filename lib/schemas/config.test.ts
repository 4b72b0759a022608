import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hangarConfigSchema } from "./config";

describe("configuration file schema", () => {
  it("accepts the documented example", () => {
    expect(hangarConfigSchema.safeParse(JSON.parse(readFileSync("hangar.example.json", "utf8"))).success).toBe(true);
  });

  it("requires a complete set of PVE credentials", () => {
    const base = { name: "p", kind: "pve", url: "https://pve:8006" };
    const issues = (p: object) => {
      const r = hangarConfigSchema.safeParse({ providers: [p] });
      return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
    };
    expect(issues({ ...base, tokenId: "root@pam!t", secret: "s" })).toEqual([]);
    expect(issues({ ...base, username: "u", password: "p" })).toEqual([]);
    expect(issues({ ...base, tokenId: "root@pam!t" })).toEqual(["providers.0.secret"]);
    expect(issues(base)).toEqual(["providers.0.tokenId"]);
    expect(issues({ ...base, tokenId: "not-a-token-id", secret: "s" })).toEqual(["providers.0.tokenId"]);
  });

  it("rejects unknown fields rather than ignoring typos", () => {
    const r = hangarConfigSchema.safeParse({ plans: [{ name: "p", perVm: { cpuCores: 1, memoryMb: 1, diskGb: 1 }, total: { cpuCores: 1, memoryMb: 1, diskGb: 1, vms: 1 }, maxVm: 3 }] });
    expect(r.success).toBe(false);
  });
});

describe("teams, plan limits and prices", () => {
  const plan = { name: "p", perVm: { cpuCores: 1, memoryMb: 1, diskGb: 1 }, total: { cpuCores: 1, memoryMb: 1, diskGb: 1, vms: 1 } };
  const issues = (config: object) => {
    const r = hangarConfigSchema.safeParse(config);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("fills in what an older file leaves out: no GPUs, no spend limit, everything allowed, no teams, no prices", () => {
    const r = hangarConfigSchema.parse({ plans: [plan] });
    expect(r.plans[0]).toMatchObject({ perVm: { gpus: 0 }, total: { gpus: 0, monthlySpend: null }, allowedProviders: [], allowedRentalTypes: [], allowedGpuTypes: [] });
    expect(r.teams).toEqual([]);
    expect(r.prices).toBeUndefined();
  });

  it("checks rental and GPU types, money, defaults against minimums and the currency", () => {
    expect(
      issues({
        plans: [{ ...plan, total: { ...plan.total, monthlySpend: 10.001 }, allowedRentalTypes: ["weekly"], allowedGpuTypes: ["rtx 3090"] }],
        templates: [{ name: "t", provider: "p", node: "n", vmid: 100, minCpuCores: 2, defaultCpuCores: 1 }],
        prices: { currency: "euro", vcpuHour: -0.1, gpuHour: { "4090": 0.12345 } },
      }),
    ).toEqual(
      expect.arrayContaining([
        "plans.0.total.monthlySpend: must have at most 2 decimals",
        expect.stringMatching(/^plans\.0\.allowedRentalTypes\.0: /),
        expect.stringMatching(/^plans\.0\.allowedGpuTypes\.0: /),
        "templates.0.defaultCpuCores: must be at least minCpuCores (2)",
        "prices.currency: must be a three-letter currency code like EUR",
        expect.stringMatching(/^prices\.vcpuHour: /),
        "prices.gpuHour.4090: must have at most 4 decimals",
      ]),
    );
    expect(issues({ teams: [{ name: "t", plan: "p", members: [] }] })).toEqual([expect.stringContaining("members")]);
  });
});
