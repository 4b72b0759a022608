"use client";

import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from "react";

type Toast = { id: number; text: string };
const ToastContext = createContext<(text: string) => void>(() => {});

/** How long a toast stays (ms); it also stays while hovered or focused. */
const SHOW_MS = 6_000;

/**
 * Short confirmations after a change ("Plan small created."), kept across client-side
 * navigation (the provider sits in the root layout) and read out by screen readers (a polite
 * live region that is always in the page).
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(0);
  const show = useCallback((text: string) => {
    next.current += 1;
    const id = next.current;
    setToasts((t) => [...t.slice(-2), { id, text }]);
  }, []);
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div role="status" aria-live="polite" className="pointer-events-none fixed inset-x-3 bottom-3 z-50 flex flex-col items-end gap-2 sm:left-auto sm:right-4 sm:w-96">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (held) return;
    const t = setTimeout(() => onDismiss(toast.id), SHOW_MS);
    return () => clearTimeout(t);
  }, [held, toast.id, onDismiss]);
  return (
    <div
      data-testid="toast"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      className="pointer-events-auto flex w-full items-start justify-between gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800 shadow-lg"
    >
      <span>{toast.text}</span>
      <button type="button" onClick={() => onDismiss(toast.id)} className="shrink-0 text-xs font-semibold underline">
        Dismiss
      </button>
    </div>
  );
}

/** `toast("Saved.")`: shows a confirmation for a few seconds. */
export function useToast(): (text: string) => void {
  return useContext(ToastContext);
}
