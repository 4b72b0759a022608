"use client";

import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "./action-result";

/** A destructive action in two clicks; the server's refusal is shown beside it. */
export function ConfirmButton({
  label,
  confirm,
  run,
  onDone,
  size = "md",
}: {
  label: string;
  confirm: string;
  run: () => Promise<ActionResult<unknown>>;
  onDone?: () => void;
  size?: "sm" | "md";
}) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-3">
      {asking ? (
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-sm text-slate-700">{confirm}</span>
          <Button
            variant="danger"
            size={size}
            busy={pending}
            onClick={() =>
              startTransition(async () => {
                setError(null);
                const result = await run();
                setAsking(false);
                if (!result.ok) return setError(result.error);
                onDone?.();
              })
            }
          >
            {pending ? "Working…" : `Yes, ${label.toLowerCase()}`}
          </Button>
          <Button variant="secondary" size={size} disabled={pending} onClick={() => setAsking(false)}>
            Cancel
          </Button>
        </div>
      ) : (
        <Button
          variant="secondary"
          size={size}
          className="text-red-700"
          onClick={() => {
            setError(null);
            setAsking(true);
          }}
        >
          {label}
        </Button>
      )}
      {error ? <Alert tone="error">{error}</Alert> : null}
    </div>
  );
}
