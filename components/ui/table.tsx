import type { ReactNode, ThHTMLAttributes, TdHTMLAttributes } from "react";
import { cn } from "./cn";

/**
 * A table that becomes cards below 768 px (`.table-cards` in app/globals.css): each row a card,
 * each cell a line led by its `label` (give every Td the label of its column). `cards={false}`
 * keeps a real table that scrolls sideways (for grids of inputs). Either way the table sits in a
 * focusable, labelled region that scrolls by keyboard when it is wider than the window.
 */
export function Table({ children, label, cards = true }: { children: ReactNode; label: string; cards?: boolean }) {
  return (
    // The scroll container takes focus, so a table wider than the window scrolls by keyboard too
    // (axe: scrollable-region-focusable); it is a region named like its table.
    <div role="region" aria-label={label} tabIndex={0} className={cn("rounded-lg border border-slate-200 bg-white shadow-xs focus-visible:outline-2 focus-visible:outline-indigo-600", cards ? "md:overflow-x-auto" : "overflow-x-auto")}>
      <table aria-label={label} className={cn("min-w-full divide-y divide-slate-200 text-sm", cards && "table-cards")}>
        {children}
      </table>
    </div>
  );
}

export function Th({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return <th scope="col" className={cn("bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-600", className)} {...props} />;
}

/** A cell; `label` (its column's name) leads it when the table shows as cards. */
export function Td({ className, label, ...props }: TdHTMLAttributes<HTMLTableCellElement> & { label?: string }) {
  return <td data-label={label} className={cn("whitespace-nowrap px-4 py-3 text-slate-700", className)} {...props} />;
}

/** A long machine id (task ids, the provider's ids): monospace, wraps anywhere instead of widening the page. */
export function LongId({ children, className, title }: { children: ReactNode; className?: string; title?: string }) {
  return (
    <span className={cn("font-mono text-xs break-all", className)} title={title}>
      {children}
    </span>
  );
}
