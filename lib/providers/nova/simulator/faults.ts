import type { DelaySpec, FailSpec } from "./types";

type Rule<T> = T & { left: number; pattern?: RegExp };

function toPattern(path: string | RegExp | undefined): RegExp | undefined {
  if (path === undefined) return undefined;
  return typeof path === "string" ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\*/g, ".*")}$`) : path;
}

/**
 * Fault injection (sim.faults, or POST /__simulator/faults): the next N matching calls fail
 * with a status and detail, wait first, or lose their connection; VMs can be made to end in
 * `failed` or `offline` instead of `running`.
 */
export class NovaFaults {
  private failures: Rule<FailSpec>[] = [];
  private delays: Rule<DelaySpec>[] = [];
  private drops = 0;
  /** Outcomes for the next created VMs (instead of running), first in first out. */
  vmOutcomes: ("failed" | "offline")[] = [];

  /** The next `count` (default 1) calls matching method/path answer `status` with `detail`. */
  failNext(spec: FailSpec): void {
    if (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599) throw new Error("failNext: status must be an HTTP status");
    this.failures.push({ ...spec, left: Math.max(1, spec.count ?? 1), pattern: toPattern(spec.path) });
  }

  /** The next `count` (default: every) matching calls wait `ms` before being handled. */
  delay(spec: DelaySpec): void {
    this.delays.push({ ...spec, left: spec.count ?? Infinity, pattern: toPattern(spec.path) });
  }

  /** The next `count` calls lose their connection without an answer. */
  dropNext(count = 1): void {
    this.drops += Math.max(0, Math.floor(count));
  }

  /** The next created VM ends `failed` (or `offline`) instead of running. */
  failNextVm(outcome: "failed" | "offline" = "failed"): void {
    this.vmOutcomes.push(outcome);
  }

  reset(): void {
    this.failures = [];
    this.delays = [];
    this.drops = 0;
    this.vmOutcomes = [];
  }

  private static matches(rule: { method?: string; pattern?: RegExp }, method: string, path: string): boolean {
    return (!rule.method || rule.method.toUpperCase() === method) && (!rule.pattern || rule.pattern.test(path));
  }

  takeDrop(): boolean {
    if (this.drops <= 0) return false;
    this.drops--;
    return true;
  }

  takeDelay(method: string, path: string): number {
    const rule = this.delays.find((r) => NovaFaults.matches(r, method, path));
    if (!rule) return 0;
    if (--rule.left <= 0) this.delays.splice(this.delays.indexOf(rule), 1);
    return rule.ms;
  }

  takeFailure(method: string, path: string): FailSpec | undefined {
    const rule = this.failures.find((r) => NovaFaults.matches(r, method, path));
    if (!rule) return undefined;
    if (--rule.left <= 0) this.failures.splice(this.failures.indexOf(rule), 1);
    return rule;
  }
}
