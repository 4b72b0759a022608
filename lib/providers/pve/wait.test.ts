import { afterEach, describe, expect, it, vi } from "vitest";
import { pollDelay, waitForTask, type PveTaskStatus } from "./wait";

describe("pollDelay", () => {
  it("doubles from the first delay up to the longest, with at most 10 % jitter below", () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((a) => pollDelay(a, 50, 1000, top))).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
    expect(pollDelay(0, 50, 1000, () => 0)).toBe(45);
    expect(pollDelay(9, 50, 1000, () => 0)).toBe(900);
  });
});

describe("waitForTask pacing", () => {
  afterEach(() => void vi.useRealTimers());

  it("sees a short task done within tens of milliseconds, not after a whole poll interval", async () => {
    vi.useFakeTimers();
    let polls = 0;
    const status = (): PveTaskStatus => ({ upid: "U", node: "pve1", status: ++polls >= 2 ? "stopped" : "running", exitstatus: polls >= 2 ? "OK" : undefined, type: "qmclone", id: "100", user: "root@pam", starttime: 0 });
    let done = false;
    const waiting = waitForTask({ taskStatus: async () => status(), taskLog: async () => [] }, "U", { pollMs: 1000 }).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(60);
    expect(done).toBe(true);
    expect(polls).toBe(2);
    await waiting;
  });
});
