/**
 * Worker tasks (PVE::RESTEnvironment::fork_worker): a UPID, a log that grows while the worker runs,
 * and a last line `TASK OK`, `TASK WARNINGS: N` or `TASK ERROR: <msg>` that becomes the exit status.
 */
import { PveApiError, taskErrorText } from "./errors";
import type { PveTaskType } from "./types";
import { hex8 } from "./util";

export type SimTask = {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  lines: string[];
  status: "running" | "stopped";
  exitstatus?: string;
  warnings: number;
  startedAt: number;
  endedAt?: number;
};

export type TaskContext = {
  readonly task: SimTask;
  /** this task's configured duration */
  readonly durationMs: number;
  /** print a line to the task log */
  log(line: string): void;
  /** log_warn: "WARN: ..." and counts towards "TASK WARNINGS: N" */
  logWarn(line: string): void;
  sleep(ms: number): Promise<void>;
  /** print `count` lines (line(i) for i = 0..count-1) spread evenly over `ms` */
  progress(count: number, ms: number, line: (i: number) => string): Promise<void>;
  /** throws the error injected with faults.failTask, if any (call it before committing results) */
  checkpoint(): void;
};

export type TaskNodeInfo = { name: string; bootTime: number; nextPid: () => number };

/** UPID:{node}:{pid}:{pstart}:{starttime}:{type}:{id}:{user}: */
export function encodeUpid(t: Pick<SimTask, "node" | "pid" | "pstart" | "starttime" | "type" | "id" | "user">): string {
  return `UPID:${t.node}:${hex8(t.pid)}:${hex8(t.pstart)}:${hex8(t.starttime)}:${t.type}:${t.id}:${t.user}:`;
}

/** PVE::UPID::decode */
export function decodeUpid(upid: string): Omit<SimTask, "upid" | "lines" | "status" | "warnings" | "startedAt"> | undefined {
  const m = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/.exec(upid);
  if (!m) return undefined;
  return {
    node: m[1] as string,
    pid: parseInt(m[3] as string, 16),
    pstart: parseInt(m[4] as string, 16),
    starttime: parseInt(m[5] as string, 16),
    type: m[6] as string,
    id: m[7] as string,
    user: m[8] as string,
  };
}

/** The error of faults.failTask: becomes the exit status verbatim. */
export class InjectedTaskError extends PveApiError {}

export type InjectedFailure = { type: PveTaskType; message: string; vmid?: number };

/** What a worker stopped by `DELETE /nodes/{node}/tasks/{upid}` dies with (PVE's signal handler). */
export const INTERRUPTED = "interrupted by signal";

export class TaskEngine {
  readonly tasks = new Map<string, SimTask>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Running workers' interrupt switches by UPID (stop_task). */
  private readonly interrupts = new Map<string, () => void>();
  private stopped = false;
  /** pending faults.failTask entries */
  injected: InjectedFailure[] = [];

  constructor(
    private readonly clock: () => number,
    private readonly durationFor: (type: PveTaskType) => number,
    private readonly startDelayMs: number,
  ) {}

  private timer(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return; // never resolves: the simulator is shutting down
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, Math.max(0, ms));
      this.timers.add(t);
    });
  }

  /** Starts a worker and returns its UPID at once (the worker runs on timers). */
  start(node: TaskNodeInfo, type: PveTaskType, id: string, user: string, worker: (ctx: TaskContext) => Promise<void>): SimTask {
    const now = this.clock();
    const task: SimTask = {
      upid: "",
      node: node.name,
      pid: node.nextPid(),
      // /proc/<pid>/stat starttime: clock ticks (100 Hz) since the node booted
      pstart: Math.floor((now - node.bootTime) / 10),
      starttime: Math.floor(now / 1000),
      type,
      id,
      user,
      lines: [],
      status: "running",
      warnings: 0,
      startedAt: now,
    };
    task.upid = encodeUpid(task);
    this.tasks.set(task.upid, task);

    const idx = this.injected.findIndex((f) => f.type === type && (f.vmid === undefined || String(f.vmid) === id));
    const injected = idx >= 0 ? this.injected.splice(idx, 1)[0] : undefined;

    // stop_task: the worker's next (or current) sleep throws, as PVE's SIGTERM handler dies.
    let interrupted = false;
    let wake: () => void = () => undefined;
    this.interrupts.set(task.upid, () => {
      interrupted = true;
      wake();
    });
    const pause = async (ms: number) => {
      if (interrupted) throw new PveApiError(INTERRUPTED);
      await Promise.race([this.timer(ms), new Promise<void>((resolve) => (wake = resolve))]);
      if (interrupted) throw new PveApiError(INTERRUPTED);
    };
    const ctx: TaskContext = {
      task,
      durationMs: this.durationFor(type),
      log: (line) => {
        for (const l of line.split("\n")) task.lines.push(l);
      },
      logWarn: (line) => {
        task.lines.push(`WARN: ${line.replace(/\n$/, "")}`);
        task.warnings++;
      },
      sleep: pause,
      progress: async (count, ms, line) => {
        if (count <= 0) return;
        const tick = Math.max(10, ms / count);
        const begin = Date.now();
        let emitted = 0;
        while (emitted < count) {
          await pause(Math.min(tick, Math.max(0, ms - (Date.now() - begin))));
          const due = ms <= 0 ? count : Math.min(count, Math.max(emitted + 1, Math.floor(((Date.now() - begin) / ms) * count)));
          while (emitted < due) ctx.log(line(emitted++));
        }
      },
      checkpoint: () => {
        if (injected) throw new InjectedTaskError(injected.message);
      },
    };

    const finish = (exit: string) => {
      task.status = "stopped";
      task.exitstatus = exit;
      task.endedAt = this.clock();
      task.lines.push(exit === "OK" ? "TASK OK" : /^WARNINGS: \d+$/.test(exit) ? `TASK ${exit}` : `TASK ERROR: ${exit}`);
    };

    void (async () => {
      if (this.startDelayMs > 0) await this.timer(this.startDelayMs);
      try {
        await worker(ctx);
        if (interrupted) throw new PveApiError(INTERRUPTED);
        ctx.checkpoint();
        finish(task.warnings > 0 ? `WARNINGS: ${task.warnings}` : "OK");
      } catch (err) {
        finish(taskErrorText(err));
      } finally {
        this.interrupts.delete(task.upid);
      }
    })();
    return task;
  }

  /** stop_task: interrupts a running worker (it ends `interrupted by signal`); an ended task is left alone. */
  stop(upid: string): void {
    this.interrupts.get(upid)?.();
  }

  stopAll(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
