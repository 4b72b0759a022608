import { ProviderError } from "../types";

/**
 * PVE's JSON comes from Perl: a number may arrive as `"100"`, a boolean as `1`, `"1"` or
 * `true`. These helpers read such values without trusting their JSON type.
 */
export function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

export function bool(value: unknown): boolean | undefined {
  if (value === true || value === 1 || value === "1" || value === "true") return true;
  if (value === false || value === 0 || value === "0" || value === "false") return false;
  return undefined;
}

export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The response had the wrong shape: say which call and what arrived, briefly. */
export function unexpected(what: string, data: unknown): ProviderError {
  const shown = JSON.stringify(data) ?? String(data);
  return new ProviderError("server", `Unexpected PVE response to ${what}: ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}`);
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw unexpected(what, value);
  return value;
}

export function records(value: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw unexpected(what, value);
  return value.filter(isRecord);
}

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;
