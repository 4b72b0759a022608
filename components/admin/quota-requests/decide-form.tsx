"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { useToast } from "@/components/ui/toast";
import { DEFAULT_DAYS, MAX_DAYS, REASON_MAX } from "@/lib/quota-requests/schemas";
import { approveRequestAction, refuseRequestAction } from "@/app/(portal)/admin/quota-requests/actions";

/**
 * An admin's decision on one pending request: Approve for a number of days (prefilled with what
 * was asked, else 30) with an optional note, or Refuse with a reason (required: the requester
 * is told it). The server checks again (lib/quota-requests/decide.ts).
 */
export function DecideForm({ requestId, askedDays, requester }: { requestId: string; askedDays: number | null; requester: string }) {
  const id = useId();
  const router = useRouter();
  const toast = useToast();
  const [days, setDays] = useState(String(askedDays ?? DEFAULT_DAYS));
  const [text, setText] = useState("");
  const [busy, setBusy] = useState<"approve" | "refuse" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function decide(kind: "approve" | "refuse") {
    setError(null);
    setFieldErrors({});
    if (kind === "refuse" && !text.trim()) {
      setFieldErrors({ reason: "Say why: the requester is told" });
      return;
    }
    setBusy(kind);
    const result =
      kind === "approve"
        ? await approveRequestAction(requestId, { days: Number(days), ...(text.trim() ? { note: text.trim() } : {}) })
        : await refuseRequestAction(requestId, { reason: text.trim() });
    setBusy(null);
    if (!result.ok) {
      setError(result.error);
      setFieldErrors(result.fieldErrors ?? {});
      return;
    }
    toast(kind === "approve" ? `Approved: ${requester} is notified` : `Refused: ${requester} is told why`);
    router.refresh();
  }

  return (
    <div className="mt-4 space-y-3 border-t border-slate-100 pt-4" role="group" aria-label={`Decide the request of ${requester}`}>
      <div className="grid gap-3 sm:grid-cols-[8rem_1fr]">
        <Field id={`${id}-days`} label="Days" hint={`1–${MAX_DAYS}`} error={fieldErrors.days}>
          <Input id={`${id}-days`} type="number" min={1} max={MAX_DAYS} step={1} value={days} onChange={(e) => setDays(e.target.value)} />
        </Field>
        <Field id={`${id}-text`} label="Note, or the reason for a refusal" hint="Sent to the requester. Required to refuse." error={fieldErrors.reason ?? fieldErrors.note}>
          <Textarea id={`${id}-text`} rows={2} maxLength={REASON_MAX} value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
      </div>
      {error ? <Alert tone="error" title={error} /> : null}
      <div className="flex flex-wrap gap-3">
        <Button busy={busy === "approve"} disabled={busy !== null} onClick={() => void decide("approve")}>
          {busy === "approve" ? "Approving…" : `Approve for ${Number(days) || "?"} days`}
        </Button>
        <Button variant="danger" busy={busy === "refuse"} disabled={busy !== null} onClick={() => void decide("refuse")}>
          {busy === "refuse" ? "Refusing…" : "Refuse"}
        </Button>
      </div>
    </div>
  );
}
