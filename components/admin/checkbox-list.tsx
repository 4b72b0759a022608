"use client";

import { useId, useState, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";

export type CheckboxOption = { value: string; label: ReactNode; hint?: ReactNode; search?: string };

/**
 * A multi-select as a list of checkboxes (controlled: use it with react-hook-form's Controller).
 * Long lists get a filter box and scroll.
 */
export function CheckboxList({
  label,
  options,
  value,
  onChange,
  error,
  hint,
  columns = 1,
  empty = "Nothing to choose from.",
}: {
  label: string;
  options: CheckboxOption[];
  value: string[];
  onChange: (value: string[]) => void;
  error?: string;
  hint?: ReactNode;
  columns?: 1 | 2 | 3;
  empty?: string;
}) {
  const id = useId();
  const [filter, setFilter] = useState("");
  const searchable = options.length > 8;
  const shown = filter ? options.filter((o) => (o.search ?? String(o.label)).toLowerCase().includes(filter.toLowerCase())) : options;
  const toggle = (v: string, on: boolean) => onChange(on ? [...value.filter((x) => x !== v), v] : value.filter((x) => x !== v));
  return (
    <fieldset className="space-y-2" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-800">{label}</legend>
      {hint ? <p className="-mt-1 text-xs text-slate-500">{hint}</p> : null}
      {searchable ? <Input type="search" aria-label={`Filter ${label.toLowerCase()}`} placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} /> : null}
      {options.length === 0 ? (
        <p className="text-sm text-slate-500">{empty}</p>
      ) : (
        <ul
          className={cn(
            "grid gap-x-4 gap-y-1.5 rounded-md border border-slate-200 bg-white p-3",
            columns === 2 && "sm:grid-cols-2",
            columns === 3 && "sm:grid-cols-3",
            searchable && "max-h-64 overflow-y-auto",
          )}
        >
          {shown.map((o) => {
            const checkboxId = `${id}-${o.value}`;
            return (
              <li key={o.value} className="flex gap-2.5 text-sm">
                <input
                  id={checkboxId}
                  type="checkbox"
                  className="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 accent-indigo-600"
                  checked={value.includes(o.value)}
                  onChange={(e) => toggle(o.value, e.target.checked)}
                />
                <label htmlFor={checkboxId} className="min-w-0">
                  <span className="text-slate-800">{o.label}</span>
                  {o.hint ? <span className="block text-xs text-slate-500">{o.hint}</span> : null}
                </label>
              </li>
            );
          })}
          {shown.length === 0 ? <li className="text-sm text-slate-500">Nothing matches “{filter}”.</li> : null}
        </ul>
      )}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
