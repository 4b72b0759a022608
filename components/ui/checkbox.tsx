import { forwardRef, type InputHTMLAttributes, type ReactNode } from "react";

/** A checkbox with its label (and an optional hint or error under it). */
export const Checkbox = forwardRef<HTMLInputElement, Omit<InputHTMLAttributes<HTMLInputElement>, "type"> & { label: ReactNode; hint?: ReactNode; error?: string }>(
  function Checkbox({ id, label, hint, error, ...props }, ref) {
    return (
      <div className="flex gap-3">
        <input
          ref={ref}
          id={id}
          type="checkbox"
          aria-invalid={error ? true : undefined}
          className="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 text-indigo-700 accent-indigo-600 focus:ring-indigo-600"
          {...props}
        />
        <div className="text-sm">
          <label htmlFor={id} className="font-medium text-slate-800">
            {label}
          </label>
          {error ? (
            <p role="alert" className="text-xs text-red-700">
              {error}
            </p>
          ) : hint ? (
            <p className="text-xs text-slate-500">{hint}</p>
          ) : null}
        </div>
      </div>
    );
  },
);
