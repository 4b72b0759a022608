import { describe, expect, it } from "vitest";
import { accrue, billedAs, reservationEndsAt } from "./accrual";

const H = 3_600_000;
const t0 = Date.parse("2026-11-30T00:00:00Z");

describe("cost accrual", () => {
  const rates = { gpuHourly: "1.1", storageHourly: "0.02" };

  it("bills GPU only while running, storage while the machine exists, nothing once destroyed", () => {
    const day = [
      { state: "creating", from: t0, to: t0 + 0.5 * H },
      { state: "running", from: t0 + 0.5 * H, to: t0 + 8.5 * H },
      { state: "interrupted", from: t0 + 8.5 * H, to: t0 + 10.5 * H },
      { state: "running", from: t0 + 10.5 * H, to: t0 + 18.5 * H },
      { state: "stopped", from: t0 + 18.5 * H, to: t0 + 22 * H },
      { state: "destroyed", from: t0 + 22 * H, to: t0 + 24 * H },
    ];
    const a = accrue(rates, day);
    expect(a.runningHours.toString()).toBe("16");
    expect(a.existingHours.toString()).toBe("22");
    expect(a.gpu.toString()).toBe("17.6");
    expect(a.storage.toString()).toBe("0.44");
    expect(a.total.toString()).toBe("18.04");
  });

  it("sums a month of minutes exactly (floats drift)", () => {
    const spans = Array.from({ length: 43_200 }, (_, i) => ({ state: "running", from: t0 + i * 60_000, to: t0 + (i + 1) * 60_000 }));
    let float = 0;
    for (let i = 0; i < spans.length; i++) float += 1.1 / 60 + 0.02 / 60;
    expect(float).not.toBe(806.4);
    expect(accrue(rates, spans).total.toString()).toBe("806.4");
  });

  it("clips to a window (month to date) and refuses overlapping or reversed spans", () => {
    const spans = [{ state: "running", from: t0 - 2 * H, to: t0 + 2 * H }];
    expect(accrue(rates, spans, { from: t0, to: t0 + 30 * 24 * H }).total.toString()).toBe("2.24");
    expect(() => accrue(rates, [{ state: "running", from: t0 + H, to: t0 }])).toThrow(RangeError);
    expect(() => accrue(rates, [{ state: "running", from: t0, to: t0 + 2 * H }, { state: "stopped", from: t0 + H, to: t0 + 3 * H }])).toThrow(/overlap/);
  });

  it("names how each state is billed", () => {
    expect(["running", "stopped", "interrupted", "offline", "starting", "destroyed", "weird"].map(billedAs)).toEqual(["running", "storage_only", "storage_only", "storage_only", "storage_only", "free", "storage_only"]);
  });
});

describe("reservation end dates", () => {
  it("adds calendar months, clamping to the month's last day", () => {
    expect(reservationEndsAt(new Date("2026-01-31T10:00:00Z"), 1).toISOString()).toBe("2026-02-28T10:00:00.000Z");
    expect(reservationEndsAt(new Date("2027-11-30T00:00:00Z"), 3).toISOString()).toBe("2028-02-29T00:00:00.000Z");
    expect(reservationEndsAt(new Date("2026-08-15T12:30:00Z"), 6).toISOString()).toBe("2027-02-15T12:30:00.000Z");
    expect(() => reservationEndsAt(new Date(), 0)).toThrow(RangeError);
  });
});
