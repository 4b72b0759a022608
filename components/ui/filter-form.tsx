import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClass } from "./button";
import { cn } from "./cn";
import { Input } from "./input";
import { Select } from "./select";

/**
 * A list page's search form (GET, so filters live in the address): a grid of labelled fields
 * and a row with Search and Clear. Used by the task monitor and the admin's VM list.
 */
export function FilterForm({ action, label, columns, clearHref, note, children }: { action: string; label: string; columns: 4 | 6; clearHref: string; note?: ReactNode; children: ReactNode }) {
  return (
    <form method="get" action={action} role="search" aria-label={label} className={cn("mb-4 grid grid-cols-1 gap-3 rounded-lg border border-slate-200 bg-white p-4", columns === 4 ? "sm:grid-cols-4" : "sm:grid-cols-6")}>
      {children}
      <div className={cn("flex items-end gap-2", columns === 4 ? "sm:col-span-4" : "sm:col-span-6")}>
        <button type="submit" className={buttonClass("primary")}>
          Search
        </button>
        <Link href={clearHref} className={buttonClass("ghost")}>
          Clear
        </Link>
        {note ? <span className="ml-auto text-xs text-slate-500">{note}</span> : null}
      </div>
    </form>
  );
}

const LABEL = "text-xs font-medium text-slate-600";

/** A filter that picks one value, "Any" (the empty value) first. */
export function FilterSelect({ label, name, value, options, any = "Any" }: { label: string; name: string; value: string | null; options: readonly { value: string; label: string }[]; any?: string }) {
  return (
    <label className={LABEL}>
      {label}
      <Select name={name} defaultValue={value ?? ""} className="mt-1">
        <option value="">{any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </label>
  );
}

/** A typed filter (text, a date); `wide` spans two columns. */
export function FilterInput({ label, name, value, type, placeholder, wide }: { label: string; name: string; value: string | null; type?: "text" | "date"; placeholder?: string; wide?: boolean }) {
  return (
    <label className={cn(LABEL, wide && "sm:col-span-2")}>
      {label}
      <Input type={type} name={name} defaultValue={value ?? ""} placeholder={placeholder} className="mt-1" />
    </label>
  );
}
