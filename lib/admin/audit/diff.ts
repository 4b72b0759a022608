/**
 * The changed keys between an audit event's before and after snapshots, for a compact view,
 * in alphabetical order (jsonb does not keep the order they were written in). Bookkeeping
 * fields are left out: updatedAt always changes, id and createdAt only repeat the event.
 */
export type Change = { key: string; before: unknown; after: unknown; context?: true };

const IGNORED = new Set(["updatedAt", "createdAt", "id"]);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function asRecord(v: unknown): Record<string, unknown> | null {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function changes(before: unknown, after: unknown): Change[] {
  const b = asRecord(before);
  const a = asRecord(after);
  if (!b && !a) return same(before, after) ? [] : [{ key: "(value)", before, after }];
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])].filter((k) => !IGNORED.has(k)).sort();
  return keys.flatMap((key): Change[] => {
    const x = b ? b[key] : undefined;
    const y = a ? a[key] : undefined;
    // An event that names both sides (a VM's stop: the VM as it was → the task it started) did not
    // erase what it left out of `after`: those keys are the state it happened in, shown as such.
    if (b && a && !(key in a)) return [{ key, before: x, after: x, context: true }];
    // A creation lists what was set; a deletion what was there: both as "changes" from/to nothing.
    return same(x, y) ? [] : [{ key, before: x, after: y }];
  });
}

const MAX = 60;

/** A value for one cell of the diff: short, on one line. */
export function show(value: unknown): string {
  if (value === undefined) return "—";
  if (value === null) return "null";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX ? `${text.slice(0, MAX - 1)}…` : text;
}
