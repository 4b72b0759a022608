import type { ReactNode } from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import type { QuotaRequestView } from "@/lib/quota-requests/schemas";
import { LIMIT_LABELS } from "@/lib/quota/grants";
import type { LimitKey } from "@/lib/quota/limits";
import { gib } from "@/lib/ui/units";

const STATUS: Record<QuotaRequestView["status"], { label: string; tone: BadgeTone }> = {
  pending: { label: "Waiting for a decision", tone: "yellow" },
  approved: { label: "Approved", tone: "green" },
  refused: { label: "Refused", tone: "red" },
};

export function RequestStatus({ request }: { request: QuotaRequestView }) {
  const s = STATUS[request.status];
  const active = request.grants.some((g) => g.active);
  return <Badge tone={request.status === "approved" && !active ? "gray" : s.tone}>{request.status === "approved" && !active ? "Approved, ended" : s.label}</Badge>;
}

/** "+2 CPU cores in all", memory in GiB, money with the currency; a team's limit says so. */
export function itemText(item: { scope: string; limit: string; amount: number }, currency: string, team: string | null): string {
  const limit = item.limit as LimitKey;
  const label = (LIMIT_LABELS[limit] ?? item.limit).replace(" (MB)", "");
  const amount = limit.startsWith("maxMemoryMb") ? `${gib(item.amount)} GiB` : limit === "maxMonthlySpend" ? `${item.amount.toFixed(2)} ${currency}` : String(item.amount);
  return `${label}: +${amount}${item.scope === "team" ? ` (team ${team ?? ""})` : ""}`;
}

/**
 * One request as a definition list: what was asked, why, for how long, and the decision (with
 * the grants' end). Shared by My Quota and the admin queue; `extra` adds rows (e.g. who asked).
 */
export function RequestSummary({ request, currency, extra }: { request: QuotaRequestView; currency: string; extra?: [string, ReactNode][] }) {
  const end = request.grants[0]?.ends_at;
  const rows: [string, ReactNode][] = [
    ...(extra ?? []),
    ["Asked for", request.items.map((i) => itemText(i, currency, request.team?.name ?? null)).join(", ")],
    ["Reason", <span key="r" className="whitespace-pre-line break-words">{request.reason}</span>],
    ["For how long", request.days ? `${request.days} day${request.days === 1 ? "" : "s"}` : "left to the administrator"],
    ["Asked", <Time key="t" value={request.created_at} relative />],
    ...(request.decided_at
      ? ([
          [request.status === "approved" ? "Approved by" : "Refused by", <span key="d">{request.decided_by} · <Time value={request.decided_at} relative /></span>],
          ...(request.decision_reason ? [[request.status === "refused" ? "Why" : "Note", <span key="w" className="whitespace-pre-line break-words">{request.decision_reason}</span>]] : []),
          ...(end ? [[request.grants.some((g) => g.active) ? "Counts until" : "Ended", <Time key="e" value={end} />]] : []),
        ] as [string, ReactNode][])
      : []),
  ];
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500">{k}</dt>
          <dd className="min-w-0 text-slate-900">{v}</dd>
        </div>
      ))}
    </dl>
  );
}
