"use client";

import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { testProviderAction } from "@/app/(portal)/admin/providers/actions";

/** Asks the provider for its version with the saved settings, and shows its answer or its error. */
export function TestConnection({ providerId }: { providerId: string }) {
  const [result, setResult] = useState<{ ok: true; version: string } | { ok: false; error: string } | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-3">
      <Button
        variant="secondary"
        busy={pending}
        onClick={() =>
          startTransition(async () => {
            setResult(null);
            const r = await testProviderAction({ id: providerId });
            setResult(r.ok ? { ok: true, version: r.data.version } : { ok: false, error: r.error });
          })
        }
      >
        {pending ? "Testing…" : "Test connection"}
      </Button>
      {result?.ok ? (
        <Alert tone="success" title="Connected">
          Version {result.version}
        </Alert>
      ) : result ? (
        <Alert tone="error" title="Connection failed">
          {result.error}
        </Alert>
      ) : (
        <p className="text-xs text-slate-500">Uses the saved settings: save your changes first.</p>
      )}
    </div>
  );
}
