import type { Metadata } from "next";
import Link from "next/link";
import { DecideForm } from "@/components/admin/quota-requests/decide-form";
import { RequestStatus, RequestSummary } from "@/components/quota/request-summary";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";
import { listQuotaRequests } from "@/lib/quota-requests";
import type { QuotaRequestView } from "@/lib/quota-requests/schemas";

export const metadata: Metadata = { title: "Quota requests" };
export const dynamic = "force-dynamic";

/** The queue of "Request more" requests (oldest first) with Approve / Refuse, and the latest decisions. */
export default async function QuotaRequestsPage() {
  const admin = await requirePermission("admin.manage");
  const [pending, decided, currency] = await Promise.all([
    listQuotaRequests(admin, { all: true, status: "pending" }),
    listQuotaRequests(admin, { all: true }),
    db().setting.findUnique({ where: { key: "currency" } }),
  ]);
  const cur = typeof currency?.value === "string" ? currency.value : "EUR";
  const history = decided.requests.filter((r) => r.status !== "pending").slice(0, 30);
  const who = (r: QuotaRequestView): [string, React.ReactNode][] => [
    [
      "Requested by",
      <Link key="u" href={`/admin/users/${r.user.id}`} className="font-medium text-indigo-700 hover:underline">
        {r.user.email}
      </Link>,
    ],
  ];
  return (
    <>
      <PageHeader title="Quota requests" description="Users ask for more of single limits when a new VM or a resize is over their plan. Approving raises exactly those limits for the days you choose; they end by themselves." />
      <section aria-labelledby="queue" className="mb-10">
        <h2 id="queue" className="mb-3 text-base font-semibold text-slate-900">
          Waiting for a decision ({pending.requests.length})
        </h2>
        {pending.requests.length === 0 ? (
          <EmptyState title="No requests waiting" description="New requests appear here, oldest first." />
        ) : (
          <ul className="space-y-4" aria-label="Requests waiting for a decision">
            {pending.requests.map((r) => (
              <li key={r.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs" data-testid="pending-quota-request">
                <RequestSummary request={r} currency={cur} extra={who(r)} />
                {r.user.id === admin.id ? (
                  <p className="mt-4 text-sm text-slate-600">Your own request: another administrator decides it.</p>
                ) : (
                  <DecideForm requestId={r.id} askedDays={r.days} requester={r.user.email} />
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="decided">
        <h2 id="decided" className="mb-3 text-base font-semibold text-slate-900">
          Decided lately
        </h2>
        {history.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing decided yet.</p>
        ) : (
          <ul className="space-y-4" aria-label="Decided requests">
            {history.map((r) => (
              <li key={r.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs">
                <div className="mb-3">
                  <RequestStatus request={r} />
                </div>
                <RequestSummary request={r} currency={cur} extra={who(r)} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
