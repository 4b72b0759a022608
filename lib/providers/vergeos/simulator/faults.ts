/** Fault injection for tests and demos (sim.faults). */
export type FailSpec = {
  /** Only this method (default: any). */
  method?: string;
  /** Matched against the path after /api/v4 (e.g. /machine_drives), or /api/sys/tokens. */
  path: RegExp | string;
  status: number;
  /** The error text, sent as `{"err": message}`. */
  message?: string;
  /** How many matching calls fail (default 1). */
  count?: number;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
};

type Rule = FailSpec & { left: number };

export class Faults {
  private rules: Rule[] = [];
  /** Delay every response by this many ms (or only matching paths with delayPath). */
  delayMs = 0;
  delayPath: RegExp | undefined;

  /** Fail the next `count` calls matching `path` (and `method`) with `status`. */
  failNext(spec: FailSpec): void {
    this.rules.push({ ...spec, left: Math.max(1, spec.count ?? 1) });
  }

  /** Delay responses (all, or those whose path matches) by `ms`. */
  slowDown(ms: number, path?: RegExp): void {
    this.delayMs = Math.max(0, ms);
    this.delayPath = path;
  }

  reset(): void {
    this.rules = [];
    this.delayMs = 0;
    this.delayPath = undefined;
  }

  /** For each request: the fault to answer with, if one fires (counts it). */
  take(method: string, path: string): FailSpec | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      const hit = typeof rule.path === "string" ? path === rule.path || path.startsWith(`${rule.path}/`) : rule.path.test(path);
      if (!hit) continue;
      rule.left--;
      if (rule.left <= 0) this.rules.splice(this.rules.indexOf(rule), 1);
      return rule;
    }
    return undefined;
  }

  delayFor(path: string): number {
    if (this.delayMs <= 0) return 0;
    return !this.delayPath || this.delayPath.test(path) ? this.delayMs : 0;
  }
}
