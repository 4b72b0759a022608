import { describe, expect, it } from "vitest";
import { formatExact, formatRelative } from "./time";

describe("time format", () => {
  const at = new Date("2026-11-30T21:05:09Z");

  it("writes date, time and zone", () => {
    expect(formatExact(at, { timeZone: "UTC" })).toBe("30 Nov 2026, 21:05 UTC");
    expect(formatExact(at, { timeZone: "UTC", seconds: true })).toBe("30 Nov 2026, 21:05:09 UTC");
    expect(formatExact(at, { timeZone: "Europe/Berlin" })).toBe("30 Nov 2026, 22:05 CET");
  });

  it("says how long ago in the largest whole unit", () => {
    expect(formatRelative(new Date(at.getTime() - 20_000), at)).toBe("just now");
    expect(formatRelative(new Date(at.getTime() - 5 * 60_000), at)).toBe("5 minutes ago");
    expect(formatRelative(new Date(at.getTime() - 3 * 3_600_000), at)).toBe("3 hours ago");
    expect(formatRelative(new Date(at.getTime() - 26 * 3_600_000), at)).toBe("yesterday");
    expect(formatRelative(new Date(at.getTime() + 2 * 3_600_000), at)).toBe("in 2 hours");
  });
});
