import { afterEach, describe, expect, it, vi } from "vitest";
import { pollDelay, waitForTask, type PveTaskStatus } from "./wait";

describe("pollDelay", () => {
  it("grows by half from the first delay up to the longest, with at most 10 % jitter below", () => {
    const top = () => 1;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 40].map((a) => pollDelay(a, 50, 1000, top))).toEqual([50, 75, 113, 169, 253, 380, 570, 854, 1000]);
    expect(pollDelay(0, 50, 1000, () => 0)).toBe(45);
    expect(pollDelay(40, 50, 1000, () => 0)).toBe(900);
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

  it("sees a task of a tenth of a second done within 125 ms (the create's overhead is mostly these waits)", async () => {
    vi.useFakeTimers();
    const start = Date.now();
    const status = (): PveTaskStatus => {
      const over = Date.now() - start >= 100;
      return { upid: "U", node: "pve1", status: over ? "stopped" : "running", exitstatus: over ? "OK" : undefined, type: "qmclone", id: "100", user: "root@pam", starttime: 0 };
    };
    let doneAt: number | null = null;
    const waiting = waitForTask({ taskStatus: async () => status(), taskLog: async () => [] }, "U", { pollMs: 1000 }).then(() => (doneAt = Date.now() - start));
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
    expect(doneAt).not.toBeNull();
    expect(doneAt!).toBeLessThanOrEqual(125);
  });
});
