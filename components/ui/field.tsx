import { Children, cloneElement, isValidElement, type ReactElement, type ReactNode } from "react";

type Describable = { "aria-describedby"?: string; "aria-invalid"?: boolean | "true" | "false" };

/**
 * A labelled form control with its hint and its error message, tied together for screen readers:
 * the control (the single child element) gets `aria-describedby` naming the error (or the hint)
 * and `aria-invalid` while there is an error. Ids: `${id}-error`, `${id}-hint`.
 */
export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const only = Children.count(children) === 1 && isValidElement(children) ? (children as ReactElement<Describable>) : null;
  const control = only
    ? cloneElement(only, {
        "aria-describedby": [only.props["aria-describedby"], describedBy].filter(Boolean).join(" ") || undefined,
        ...(error ? { "aria-invalid": true } : {}),
      })
    : children;
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      {control}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-700">
          {error}
        </p>
      ) : hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
