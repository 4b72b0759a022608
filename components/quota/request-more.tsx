"use client";

import Link from "next/link";
import { useId, useMemo, useState, type KeyboardEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { itemsForDenials, LIMIT_LABELS, type RequestItem } from "@/lib/quota/grants";
import type { Denial } from "@/lib/quota/rules";
import { REASON_MAX, REASON_MIN } from "@/lib/quota-requests/schemas";
import { gib, mbFromGib } from "@/lib/ui/units";
import { requestMoreAction } from "@/app/(portal)/quota/actions";

const DAY_CHOICES = [
  ["", "Let the administrator decide"],
  ["7", "1 week"],
  ["30", "30 days"],
  ["90", "90 days"],
  ["365", "1 year"],
] as const;

const isMemory = (i: RequestItem) => i.limit.startsWith("maxMemoryMb");
const isMoney = (i: RequestItem) => i.limit === "maxMonthlySpend";
/** A limit as the form names it: memory in GiB (the API keeps MB), money in the portal's currency. */
function labelOf(i: RequestItem, currency: string, team: string | null): string {
  const base = LIMIT_LABELS[i.limit].replace("(MB)", "(GiB)");
  const unit = isMoney(i) ? ` (${currency})` : "";
  return `${base}${unit}: ${i.scope === "team" ? `more for team ${team ?? ""}`.trim() : "more"}`;
}

/**
 * "Request more" under a quota denial (the wizard's Size step, a VM's Resize): a button that
 * opens a small form prefilled with exactly the limits the denial names and the amount missing
 * (lib/quota/grants.ts itemsForDenials), a reason (required) and optionally for how long. Not a
 * <form> of its own: it lives inside the wizard's and the resize form.
 */
export function RequestMore({ denials, currency, team = null }: { denials: readonly Denial[]; currency: string; team?: string | null }) {
  const items = useMemo(() => itemsForDenials(denials), [denials]);
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState(false);
  const key = JSON.stringify(items);
  if (!items.length) return null;
  if (sent)
    return (
      <Alert tone="success" title="Request sent">
        An administrator will decide; you will be notified. Follow it on{" "}
        <Link href="/quota" className="font-medium underline">
          My Quota
        </Link>
        .
      </Alert>
    );
  if (!open)
    return (
      <Button variant="secondary" onClick={() => setOpen(true)}>
        Request more
      </Button>
    );
  return <RequestMoreForm key={key} items={items} currency={currency} team={team} onCancel={() => setOpen(false)} onSent={() => setSent(true)} />;
}

function RequestMoreForm({ items, currency, team, onCancel, onSent }: { items: RequestItem[]; currency: string; team: string | null; onCancel: () => void; onSent: () => void }) {
  const id = useId();
  const [amounts, setAmounts] = useState<string[]>(items.map((i) => String(isMemory(i) ? gib(i.amount) : i.amount)));
  const [reason, setReason] = useState("");
  const [days, setDays] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const trimmed = reason.trim();
  const reasonProblem = trimmed.length < REASON_MIN ? `Say why, in at least ${REASON_MIN} characters` : null;
  const [touched, setTouched] = useState(false);
  // Enter in a field must not submit the wizard or resize form this sits in.
  const noSubmit = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !(e.target instanceof HTMLTextAreaElement)) e.preventDefault();
  };

  async function send() {
    setTouched(true);
    if (reasonProblem) return;
    setPending(true);
    setError(null);
    const result = await requestMoreAction({
      items: items.map((i, n) => ({ scope: i.scope, limit: i.limit, amount: isMemory(i) ? mbFromGib(Number(amounts[n])) : Number(amounts[n]) })),
      reason: trimmed,
      ...(days ? { days: Number(days) } : {}),
    });
    setPending(false);
    if (result.ok) return onSent();
    setError(result.error);
    setFieldErrors(result.fieldErrors ?? {});
  }

  return (
    <section aria-labelledby={`${id}-title`} className="space-y-4 rounded-md border border-slate-200 bg-white p-4" onKeyDown={noSubmit} data-testid="request-more">
      <div>
        <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
          Request more
        </h3>
        <p className="text-xs text-slate-600">An administrator approves it for a while or refuses with a reason; you are notified either way.</p>
      </div>
      {items.map((item, n) => (
        <Field key={`${item.scope}:${item.limit}`} id={`${id}-amount-${n}`} label={labelOf(item, currency, team)} error={fieldErrors[`items.${n}.amount`]}>
          <Input
            id={`${id}-amount-${n}`}
            type="number"
            inputMode="decimal"
            min={isMoney(item) ? 0.01 : isMemory(item) ? 0.25 : 1}
            step={isMoney(item) ? 0.01 : isMemory(item) ? 0.25 : 1}
            value={amounts[n]}
            onChange={(e) => setAmounts((a) => a.map((v, i) => (i === n ? e.target.value : v)))}
          />
        </Field>
      ))}
      <Field
        id={`${id}-reason`}
        label="Why do you need it?"
        hint={`${trimmed.length}/${REASON_MAX} characters, at least ${REASON_MIN}`}
        error={(touched && reasonProblem) || fieldErrors.reason}
      >
        <Textarea id={`${id}-reason`} rows={3} maxLength={REASON_MAX} required value={reason} onChange={(e) => setReason(e.target.value)} onBlur={() => setTouched(true)} />
      </Field>
      <Field id={`${id}-days`} label="For how long" error={fieldErrors.days}>
        <Select id={`${id}-days`} value={days} onChange={(e) => setDays(e.target.value)}>
          {DAY_CHOICES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </Select>
      </Field>
      {error ? <Alert tone="error" title={error} /> : null}
      <div className="flex flex-wrap gap-3">
        <Button busy={pending} onClick={() => void send()}>
          {pending ? "Sending…" : "Send request"}
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
      </div>
    </section>
  );
}
