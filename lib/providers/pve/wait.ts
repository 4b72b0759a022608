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
  /** Delay between polls. Default 1 s. */
  pollMs?: number;
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
 * Polls a task until it stops, streaming its log as it grows. The log is read after each
 * status poll, so once "stopped" is seen the final read returns the complete log.
 */
export async function waitForTask(api: TaskApi, upid: string, options: WaitForTaskOptions = {}): Promise<PveTaskStatus> {
  const pollMs = options.pollMs ?? 1_000;
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
    if (Date.now() + pollMs > deadline) {
      throw new ProviderError("server", `PVE task ${upid} was still running after ${timeoutMs / 1000} s`, { providerTaskId: upid });
    }
    await sleep(pollMs, options.signal);
  }
}
