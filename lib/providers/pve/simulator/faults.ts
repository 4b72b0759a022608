import type { ClusterState } from "./state";
import type { TaskEngine } from "./tasks";
import type { FailNthCallSpec, FailTaskSpec, PveTaskType, SimFaults } from "./types";
import { PVE_TASK_TYPES } from "./types";

type CallRule = { method?: string; pattern?: RegExp; n: number; seen: number; status: number; message: string; errors?: Record<string, string> };

export type FiredFault = { status: number; message: string; errors?: Record<string, string> };

/** Fault injection for tests (sim.faults and POST /__simulator/faults). */
export class FaultInjector implements SimFaults {
  private rules: CallRule[] = [];
  delayMs = 0;
  dropCount = 0;

  constructor(
    private readonly getState: () => ClusterState,
    private readonly getTasks: () => TaskEngine,
  ) {}

  failNthCall(spec: FailNthCallSpec): void {
    if (!Number.isInteger(spec.n) || spec.n < 1) throw new Error("failNthCall: n must be a positive integer");
    const pattern = spec.pathPattern === undefined ? undefined : typeof spec.pathPattern === "string" ? new RegExp(spec.pathPattern) : spec.pathPattern;
    this.rules.push({ method: spec.method?.toUpperCase(), pattern, n: spec.n, seen: 0, status: spec.status, message: spec.message, errors: spec.errors });
  }

  failTask(spec: FailTaskSpec): void {
    if (!PVE_TASK_TYPES.includes(spec.type)) throw new Error(`failTask: unknown task type '${spec.type}'`);
    this.getTasks().injected.push({ type: spec.type, message: spec.message, vmid: spec.vmid });
  }

  slowDown(ms: number): void {
    this.delayMs = Math.max(0, ms);
  }

  dropConnections(count: number): void {
    this.dropCount = Math.max(0, Math.floor(count));
  }

  lockVm(vmid: number, lock: string | null): void {
    const vm = this.getState().vms.get(vmid);
    if (!vm) throw new Error(`lockVm: VM ${vmid} does not exist`);
    if (lock) vm.config.lock = lock;
    else delete vm.config.lock;
  }

  reset(): void {
    this.rules = [];
    this.delayMs = 0;
    this.dropCount = 0;
    this.getTasks().injected = [];
  }

  /** Called for every request: counts matching calls and returns the fault to answer with, if one fires. */
  match(method: string, path: string): FiredFault | undefined {
    let fired: FiredFault | undefined;
    for (const rule of [...this.rules]) {
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      if (rule.pattern && !rule.pattern.test(path)) continue;
      rule.seen++;
      if (rule.seen === rule.n) {
        this.rules.splice(this.rules.indexOf(rule), 1);
        fired ??= { status: rule.status, message: rule.message, errors: rule.errors };
      }
    }
    return fired;
  }

  /** Takes one pending connection drop. */
  takeDrop(): boolean {
    if (this.dropCount <= 0) return false;
    this.dropCount--;
    return true;
  }

  summary(): Record<string, unknown> {
    return {
      failNthCall: this.rules.map((r) => ({ method: r.method, pathPattern: r.pattern?.source, n: r.n, seen: r.seen, status: r.status, message: r.message })),
      failTask: this.getTasks().injected,
      slowDownMs: this.delayMs,
      dropConnections: this.dropCount,
    };
  }

  /** Applies one control-API request body entry: {action, ...arguments}. */
  apply(entry: Record<string, unknown>): void {
    const action = entry.action;
    switch (action) {
      case "failNthCall":
        this.failNthCall({
          method: typeof entry.method === "string" ? entry.method : undefined,
          pathPattern: typeof entry.pathPattern === "string" ? new RegExp(entry.pathPattern, typeof entry.flags === "string" ? entry.flags : undefined) : undefined,
          n: Number(entry.n ?? 1),
          status: Number(entry.status ?? 500),
          message: String(entry.message ?? "simulated failure"),
          errors: entry.errors && typeof entry.errors === "object" ? (entry.errors as Record<string, string>) : undefined,
        });
        return;
      case "failTask":
        this.failTask({ type: String(entry.type) as PveTaskType, message: String(entry.message ?? "simulated task failure"), vmid: entry.vmid === undefined ? undefined : Number(entry.vmid) });
        return;
      case "slowDown":
        this.slowDown(Number(entry.ms ?? 0));
        return;
      case "dropConnections":
        this.dropConnections(Number(entry.count ?? 1));
        return;
      case "lockVm":
        this.lockVm(Number(entry.vmid), typeof entry.lock === "string" ? entry.lock : null);
        return;
      case "reset":
        this.reset();
        return;
      default:
        throw new Error(`unknown fault action '${String(action)}'`);
    }
  }
}
