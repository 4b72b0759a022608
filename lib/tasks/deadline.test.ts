import { describe, expect, it } from "vitest";
import { DeadlineError, withDeadline } from "./deadline";

describe("withDeadline", () => {
  it("passes a result through in time", async () => {
    await expect(withDeadline(1000, async () => 42, () => new DeadlineError("late"))).resolves.toBe(42);
  });

  it("rejects with the deadline's error when the work takes longer, and aborts its signal", async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    await expect(
      withDeadline(
        50,
        (s) => {
          signal = s;
          return new Promise((resolve) => setTimeout(resolve, 2_000));
        },
        () => new DeadlineError("late"),
      ),
    ).rejects.toThrow("late");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(signal?.aborted).toBe(true);
  });

  it("passes the work's own error through, and swallows a late rejection", async () => {
    await expect(withDeadline(1000, async () => Promise.reject(new Error("own")), () => new DeadlineError("late"))).rejects.toThrow("own");
    await expect(withDeadline(10, () => new Promise((_, reject) => setTimeout(() => reject(new Error("later")), 50)), () => new DeadlineError("late"))).rejects.toThrow("late");
    await new Promise((r) => setTimeout(r, 80)); // the late rejection must not surface as unhandled
  });
});
