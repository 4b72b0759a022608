import { ProviderError, type ProviderLogLine } from "../types";

export type PveTaskStatus = {
  upid: string;
  /** The node running the task (from the UPID): where it is polled. */
  node: string;
  status: "running" | "stopped";
  /** Set once stopped: `OK`, `WARNINGS: N`, or the error text. */
  exitstatus?: string;
  type: string;
  id: string;
  user: string;
  starttime: number;
};

export type WaitForTaskOptions = {
  /** The longest delay between polls (ms). Default 1 s. */
  pollMs?: number;
  /**
   * The first delay (ms); each next one is half as long again, up to `pollMs` (see pollDelay), so
   * a short task is seen done within a few tens of milliseconds while a long one costs one poll
   * per `pollMs`. Default min(25, pollMs).
   */
  firstPollMs?: number;
  /** Give up (ProviderError `server`) after this long. Default 1 h. */
  timeoutMs?: number;
  /** New log lines, in order, each line once. */
  onLog?: (lines: ProviderLogLine[]) => void | Promise<void>;
  signal?: AbortSignal;
};

type TaskApi = {
  taskStatus(upid: string): Promise<PveTaskStatus>;
  taskLog(upid: string, start: number, limit: number): Promise<ProviderLogLine[]>;
};

const PAGE = 500;

/** What PVE answers for an empty or not yet created log file (PVE::Tools::dump_logfile). */
function isPlaceholder(lines: ProviderLogLine[], start: number): boolean {
  const only = lines.length === 1 ? lines[0] : undefined;
  return start === 0 && only !== undefined && only.n === 1 && (only.t === "no content" || only.t.startsWith("unable to open file - "));
}

export function taskSucceeded(exitstatus: string | undefined): boolean {
  return exitstatus === "OK" || /^WARNINGS: \d+$/.test(exitstatus ?? "");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The delay before poll number `attempt` (0: the second poll): `first` grown by half per attempt
 * up to `max`, with up to 10 % random jitter so that many tasks started together do not poll in
 * step. Growing by half, not doubling, sees a short task end soon after it did (a 100 ms task
 * polled from 25 ms is seen by ~120 ms, not 150 ms; one of 250 ms by ~300 ms, not 350 ms) for a
 * few more polls in a long task's first seconds.
 */
export function pollDelay(attempt: number, first: number, max: number, random: () => number = Math.random): number {
  const base = Math.min(max, first * 1.5 ** Math.min(attempt, 60));
  return Math.max(1, Math.round(base * (0.9 + 0.1 * random())));
}

/**
 * Polls a task until it stops, streaming its log as it grows. The log is read after each
 * status poll, so once "stopped" is seen the final read returns the complete log.
 */
export async function waitForTask(api: TaskApi, upid: string, options: WaitForTaskOptions = {}): Promise<PveTaskStatus> {
  const pollMs = options.pollMs ?? 1_000;
  const firstPollMs = Math.min(options.firstPollMs ?? 25, pollMs);
  let attempt = 0;
  const timeoutMs = options.timeoutMs ?? 60 * 60_000;
  const deadline = Date.now() + timeoutMs;
  let seen = 0; // lines delivered so far = next start offset

  const drainLog = async () => {
    for (;;) {
      const lines = await api.taskLog(upid, seen, PAGE);
      if (isPlaceholder(lines, seen)) return;
      // Servers that ignore `start` would repeat lines: keep only new ones, in order.
      const fresh = lines.filter((l) => l.n > seen).sort((a, b) => a.n - b.n);
      if (fresh.length === 0) return;
      seen = fresh[fresh.length - 1]?.n ?? seen;
      await options.onLog?.(fresh);
      if (lines.length < PAGE) return;
    }
  };

  for (;;) {
    options.signal?.throwIfAborted();
    const status = await api.taskStatus(upid);
    if (options.onLog) await drainLog();
    if (status.status === "stopped") {
      if (taskSucceeded(status.exitstatus)) return status;
      throw new ProviderError("task_failed", status.exitstatus || "task stopped without an exit status", { providerTaskId: upid });
    }
    const delay = pollDelay(attempt++, firstPollMs, pollMs);
    if (Date.now() + delay > deadline) {
      throw new ProviderError("server", `PVE task ${upid} was still running after ${timeoutMs / 1000} s`, { providerTaskId: upid });
    }
    await sleep(delay, options.signal);
  }
}
