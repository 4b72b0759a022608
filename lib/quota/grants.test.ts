import { describe, expect, it } from "vitest";
import { firstEnd, isActive, itemsForDenials, withGrants, type Grant } from "./grants";
import { limitsOf } from "./limits";
import { aggregateDenials, perVmDenials } from "./rules";
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
  maxVms: 3,
  maxMonthlySpend: null,
};
const base = limitsOf(plan);
const now = new Date("2026-12-01T12:00:00Z");
const later = (h: number) => new Date(now.getTime() + h * 3_600_000);
const res = (r: Partial<Resources>): Resources => ({ cpuCores: 0, memoryMb: 0, diskGb: 0, gpus: 0, vms: 0, monthlySpend: 0, ...r });

describe("withGrants: a grant raises exactly one limit, until its end", () => {
  it("raises only the granted limit, by its amount", () => {
    const raised = withGrants(base, [{ limit: "maxVms", amount: 2, endsAt: later(24) }], now);
    expect(raised.total).toEqual({ ...base.total, vms: 5 });
    expect(raised.perVm).toEqual(base.perVm);
    expect(base.total.vms).toBe(3); // the argument is not changed
  });

  it("per-VM grants raise the per-VM limit and nothing else", () => {
    const raised = withGrants(base, [{ limit: "maxMemoryMbPerVm", amount: 4096, endsAt: later(1) }], now);
    expect(raised.perVm).toEqual({ ...base.perVm, memoryMb: 12288 });
    expect(raised.total).toEqual(base.total);
  });

  it("counts from its start and stops at its end (the end itself no longer counts)", () => {
    const g: Grant = { limit: "maxCpuCoresSum", amount: 8, startsAt: later(1), endsAt: later(2) };
    expect(withGrants(base, [g], now).total.cpuCores).toBe(16);
    expect(withGrants(base, [g], later(1)).total.cpuCores).toBe(24);
    expect(withGrants(base, [g], new Date(later(2).getTime() - 1)).total.cpuCores).toBe(24);
    expect(withGrants(base, [g], later(2)).total.cpuCores).toBe(16);
    expect(isActive(g, later(3))).toBe(false);
  });

  it("grants of the same limit add up; money keeps cents; no limit stays no limit", () => {
    const spendPlan = limitsOf({ ...plan, maxMonthlySpend: 100 });
    const grants: Grant[] = [
      { limit: "maxMonthlySpend", amount: 10.1, endsAt: later(5) },
      { limit: "maxMonthlySpend", amount: 0.2, endsAt: later(5) },
    ];
    expect(withGrants(spendPlan, grants, now).total.monthlySpend).toBe(110.3);
    expect(withGrants(base, grants, now).total.monthlySpend).toBe(Infinity);
  });

  it("applies only the asked part", () => {
    const grants: Grant[] = [
      { limit: "maxVms", amount: 1, endsAt: later(1) },
      { limit: "maxCpuCoresPerVm", amount: 2, endsAt: later(1) },
    ];
    expect(withGrants(base, grants, now, "total")).toEqual({ perVm: base.perVm, total: { ...base.total, vms: 4 } });
    expect(withGrants(base, grants, now, "perVm")).toEqual({ perVm: { ...base.perVm, cpuCores: 6 }, total: base.total });
  });

  it("a denied request fits once its missing amount is granted, and not with one less", () => {
    const used = res({ cpuCores: 14, vms: 2 });
    const request = res({ cpuCores: 4, vms: 1 });
    const denials = aggregateDenials(base, used, request);
    expect(denials.map((d) => d.dimension)).toEqual(["cpuCores"]);
    const [item] = itemsForDenials(denials);
    expect(item).toEqual({ scope: "user", limit: "maxCpuCoresSum", amount: 2 });
    expect(aggregateDenials(withGrants(base, [{ limit: item!.limit, amount: item!.amount, endsAt: later(1) }], now), used, request)).toEqual([]);
    expect(aggregateDenials(withGrants(base, [{ limit: item!.limit, amount: item!.amount - 1, endsAt: later(1) }], now), used, request)).toHaveLength(1);
  });

  it("firstEnd: the earliest end of the active grants", () => {
    expect(firstEnd([], now)).toBeNull();
    expect(
      firstEnd(
        [
          { limit: "maxVms", amount: 1, endsAt: later(5) },
          { limit: "maxVms", amount: 1, endsAt: later(2) },
          { limit: "maxVms", amount: 1, endsAt: later(-1) },
        ],
        now,
      ),
    ).toEqual(later(2));
  });
});

describe("itemsForDenials: exactly the limits exceeded, by the amount missing", () => {
  it("per-VM denials ask for the per-VM limit; team denials for the team; the same limit once", () => {
    const perVm = perVmDenials(base, { cpuCores: 6, memoryMb: 8192, diskGb: 10, gpus: 0 });
    const team = aggregateDenials(base, res({ vms: 3, monthlySpend: 0 }), res({ vms: 1 }), "lab");
    const mine = aggregateDenials(base, res({ vms: 3 }), res({ vms: 1 }));
    expect(itemsForDenials([...perVm, ...team, ...mine, ...mine])).toEqual([
      { scope: "user", limit: "maxCpuCoresPerVm", amount: 2 },
      { scope: "team", limit: "maxVms", amount: 1 },
      { scope: "user", limit: "maxVms", amount: 1 },
    ]);
  });

  it("money is rounded up to cents", () => {
    const spend = limitsOf({ ...plan, maxMonthlySpend: 50 });
    expect(itemsForDenials(aggregateDenials(spend, res({ monthlySpend: 40 }), res({ monthlySpend: 12.341, vms: 1 })))).toEqual([{ scope: "user", limit: "maxMonthlySpend", amount: 2.35 }]);
  });
});
