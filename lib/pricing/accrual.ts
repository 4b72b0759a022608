import DecimalJs from "decimal.js";
import { Decimal, type DecimalInput } from "./rental";

/**
 * Cost as it happens, for rented GPU machines billed as Nova bills (PROVIDERS.md, billing): GPU
 * time only while the machine runs, storage for every hour it exists (stopped and interrupted
 * included), nothing once destroyed. Rates are the ones the machine was created with (per hour,
 * decimal strings). Pure: the caller keeps the history of states.
 */
export type AccrualRates = { gpuHourly: DecimalInput; storageHourly: DecimalInput };

/** How a machine state is billed. Unknown states are billed like stopped (storage only). */
export type BilledAs = "running" | "storage_only" | "free";

export function billedAs(state: string): BilledAs {
  const s = state.toLowerCase();
  if (s === "running") return "running";
  if (s === "destroyed" || s === "deleted" || s === "failed") return "free";
  return "storage_only";
}

/** A span of time in one state; `to` is exclusive (ms or Date). */
export type StateSpan = { state: string; from: Date | number; to: Date | number };

export type Accrued = { gpu: DecimalJs; storage: DecimalJs; total: DecimalJs; runningHours: DecimalJs; existingHours: DecimalJs };

const HOUR_MS = 3_600_000;
const ms = (t: Date | number) => (typeof t === "number" ? t : t.getTime());

/**
 * The cost of `spans` (they may be given in any order; overlaps are the caller's mistake and are
 * refused), optionally clipped to a window such as a calendar month (`[windowFrom, windowTo)`).
 */
export function accrue(rates: AccrualRates, spans: StateSpan[], window?: { from: Date | number; to: Date | number }): Accrued {
  const gpuRate = new Decimal(rates.gpuHourly);
  const storageRate = new Decimal(rates.storageHourly);
  const sorted = [...spans].sort((a, b) => ms(a.from) - ms(b.from));
  // Whole milliseconds add up exactly; money is computed once at the end (rate × ms ÷ 3 600 000).
  let runningMs = 0;
  let existingMs = 0;
  let lastEnd = -Infinity;
  for (const span of sorted) {
    let from = ms(span.from);
    let to = ms(span.to);
    if (!(to >= from)) throw new RangeError(`a state span ends before it starts (${span.state})`);
    if (from < lastEnd) throw new RangeError(`state spans overlap at ${new Date(from).toISOString()}`);
    lastEnd = to;
    if (window) {
      from = Math.max(from, ms(window.from));
      to = Math.min(to, ms(window.to));
      if (to <= from) continue;
    }
    const kind = billedAs(span.state);
    if (kind === "free") continue;
    existingMs += Math.round(to - from);
    if (kind === "running") runningMs += Math.round(to - from);
  }
  const gpu = gpuRate.times(runningMs).div(HOUR_MS);
  const storage = storageRate.times(existingMs).div(HOUR_MS);
  return { gpu, storage, total: gpu.plus(storage), runningHours: new Decimal(runningMs).div(HOUR_MS), existingHours: new Decimal(existingMs).div(HOUR_MS) };
}

/**
 * When a reservation of `months` started at `start` ends: the same day of the month `months`
 * later (UTC), or that month's last day when it is shorter (31 Jan + 1 month = 28/29 Feb).
 */
export function reservationEndsAt(start: Date, months: number): Date {
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`months must be a whole number ≥ 1 (${months})`);
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  return new Date(Date.UTC(y, m, day, start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds(), start.getUTCMilliseconds()));
}
