import { forwardRef, type SelectHTMLAttributes } from "react";
import { cn } from "./cn";

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }>(function Select(
  { className, invalid, ...props },
  ref,
) {
  return (
    <select
      ref={ref}
      aria-invalid={invalid || undefined}
      className={cn(
        "block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-xs ring-1 ring-inset focus:ring-2 focus:ring-inset",
        invalid ? "ring-red-400 focus:ring-red-500" : "ring-slate-300 focus:ring-indigo-600",
        className,
      )}
      {...props}
    />
  );
});
