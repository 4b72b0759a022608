import type { Db } from "../db/client";
import { isActive, LIMIT_LABELS } from "../quota/grants";
import { LIMIT_KEYS, type LimitKey } from "../quota/limits";
import type { QuotaRequestView } from "./schemas";

/** What a request row is read with for its view. */
export const requestInclude = {
  user: { select: { id: true, email: true } },
  team: { select: { id: true, name: true } },
  grants: { orderBy: { createdAt: "asc" } },
} as const satisfies Db.Prisma.QuotaRequestInclude;

export type RequestRow = Db.Prisma.QuotaRequestGetPayload<{ include: typeof requestInclude }>;

export type StoredItem = { scope: "user" | "team"; limit: LimitKey; amount: number };

/** The items as stored (anything malformed is left out: the table is written only by createQuotaRequest). */
export function itemsOf(json: unknown): StoredItem[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((i) => {
    const it = i as Partial<StoredItem>;
    return (it.scope === "user" || it.scope === "team") && LIMIT_KEYS.includes(it.limit as LimitKey) && typeof it.amount === "number" ? [it as StoredItem] : [];
  });
}

/** A request as the API answers it and the pages show it; `now` decides which grants are active. */
export function toView(row: RequestRow, now: Date = new Date()): QuotaRequestView {
  return {
    id: row.id,
    status: row.status,
    user: row.user,
    team: row.team,
    items: itemsOf(row.items).map((i) => ({ ...i, label: LIMIT_LABELS[i.limit] })),
    reason: row.reason,
    days: row.days,
    created_at: row.createdAt.toISOString(),
    decided_at: row.decidedAt?.toISOString() ?? null,
    decided_by: row.decidedByEmail,
    decision_reason: row.decisionReason,
    grants: row.grants.map((g) => ({
      scope: g.teamId ? "team" : "user",
      limit: g.limit,
      amount: Number(g.amount),
      starts_at: g.startsAt.toISOString(),
      ends_at: g.endsAt.toISOString(),
      active: isActive(g, now),
    })),
  };
}

/** "CPU cores in all +2, Number of VMs +1 (team lab)": a request's items in one line (memory in GiB, money with its currency). */
export function describeItems(items: readonly StoredItem[], team: string | null, currency = ""): string {
  return items
    .map((i) => {
      const label = LIMIT_LABELS[i.limit].replace(" (MB)", "");
      const amount = i.limit.startsWith("maxMemoryMb") ? `${Math.round((i.amount / 1024) * 100) / 100} GiB` : i.limit === "maxMonthlySpend" ? `${i.amount.toFixed(2)} ${currency}`.trim() : String(i.amount);
      return `${label} +${amount}${i.scope === "team" ? ` (team ${team ?? "?"})` : ""}`;
    })
    .join(", ");
}
