"use client";

import { useState } from "react";
import { cn } from "@/components/ui/cn";

/** A line of text to copy (e.g. `ssh user@ip`) with a Copy button that says when it worked. */
export function CopyText({ text, label, className }: { text: string; label: string; className?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <span className={cn("inline-flex max-w-full items-center gap-2", className)}>
      <code className="min-w-0 break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs text-slate-900">{text}</code>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard
            .writeText(text)
            .then(() => setState("copied"))
            .catch(() => setState("failed"))
        }
        className="shrink-0 rounded-md px-2 py-1 text-xs font-semibold text-indigo-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-100"
      >
        {state === "copied" ? "Copied" : `Copy ${label}`}
      </button>
      <span role="status" className="sr-only">
        {state === "copied" ? `${label} copied` : state === "failed" ? "Copying failed: select the text and copy it yourself" : ""}
      </span>
    </span>
  );
}
