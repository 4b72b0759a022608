import type { Metadata } from "next";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { QuotaMeter } from "@/components/quota/quota-meter";
import { RequestStatus, RequestSummary } from "@/components/quota/request-summary";
import { listQuotaRequests } from "@/lib/quota-requests";
import type { QuotaRequestView } from "@/lib/quota-requests/schemas";
import { requireUser } from "@/lib/auth/guards";
import { quotaSummary, type ScopeSummary } from "@/lib/quota/summary";
import { formatMemory, shownQuantity } from "@/lib/ui/units";

export const metadata: Metadata = { title: "Quota" };

const DIMENSIONS = [
  { key: "cpuCores", label: "CPU cores", unit: "vCPU" },
  { key: "memoryMb", label: "Memory", unit: "GiB" },
  { key: "diskGb", label: "Disk", unit: "GB" },
  { key: "gpus", label: "GPUs", unit: "GPUs" },
  { key: "vms", label: "VMs", unit: "VMs" },
  { key: "monthlySpend", label: "Monthly spend", unit: "" },
] as const;

function ScopeCard({ scope, title, description, currency }: { scope: ScopeSummary; title: string; description: string; currency: string }) {
  return (
    <Card>
      <CardHeader title={title} description={description} />
      <CardBody className="space-y-5">
        {DIMENSIONS.filter((d) => !(d.key === "gpus" && scope.limits.gpus === 0 && scope.used.gpus === 0)).map((d) => (
          <QuotaMeter
            key={d.key}
            label={d.label}
            unit={d.key === "monthlySpend" ? currency : d.unit}
            used={shownQuantity(d.key, scope.used[d.key])}
            reserved={shownQuantity(d.key, scope.reserved[d.key])}
            limit={shownQuantity(d.key, scope.limits[d.key])}
            money={d.key === "monthlySpend"}
          />
        ))}
      </CardBody>
    </Card>
  );
}

export default async function QuotaPage() {
  const user = await requireUser();
  const [quota, { requests }] = await Promise.all([quotaSummary(user.id), listQuotaRequests(user)]);
  if (!quota.perVm) {
    return (
      <>
        <PageHeader title="Quota" />
        <EmptyState title="No plan assigned" description="You have no compute plan yet, so you cannot create VMs. Ask an administrator to assign one." />
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Quota"
        description={
          <>
            Plan <span className="font-medium text-slate-700">{quota.planName}</span>. Your running VMs cost{" "}
            <span className="font-semibold text-slate-900" data-testid="running-cost">
              {quota.runningMonthlyCost.toFixed(2)} {quota.currency}
            </span>{" "}
            per month at current prices. Your GPU rentals have cost{" "}
            <span className="font-semibold text-slate-900" data-testid="cost-this-month">
              {quota.costThisMonth} {quota.currency}
            </span>{" "}
            so far this month.
          </>
        }
      />
      <div className="grid items-start gap-6 lg:grid-cols-2">
        {quota.user ? <ScopeCard scope={quota.user} title="Your VMs together" description="Used by your VMs, reserved by requests still being created, and what is left." currency={quota.currency} /> : null}
        {quota.team ? <ScopeCard scope={quota.team} title={`Team ${quota.team.name}`} description="Shared by every member of your team: a request must fit here too." currency={quota.currency} /> : null}
        <Card>
          <CardHeader title="Largest single VM" description="No one VM may be bigger than this." />
          <CardBody>
            <dl className="grid grid-cols-2 gap-4 text-center sm:grid-cols-4">
              {(
                [
                  ["CPU cores", `${quota.perVm.cpuCores} vCPU`],
                  ["Memory", formatMemory(quota.perVm.memoryMb)],
                  ["Disk", `${quota.perVm.diskGb} GB`],
                  ["GPUs", String(quota.perVm.gpus)],
                ] as const
              ).map(([label, value]) => (
                <div key={label} className="rounded-md bg-slate-50 px-3 py-4">
                  <dt className="text-xs text-slate-500">{label}</dt>
                  <dd className="mt-1 text-xl font-semibold text-slate-900">{value}</dd>
                </div>
              ))}
            </dl>
          </CardBody>
        </Card>
      </div>
      <MyRequests requests={requests} currency={quota.currency} />
    </>
  );
}

/** The user's requests for more ("Request more" under a denial in the wizard or Resize) and what became of them. */
function MyRequests({ requests, currency }: { requests: QuotaRequestView[]; currency: string }) {
  return (
    <section aria-labelledby="my-requests" className="mt-8">
      <h2 id="my-requests" className="mb-3 text-base font-semibold text-slate-900">
        Requests for more
      </h2>
      {requests.length === 0 ? (
        <p className="text-sm text-slate-600">
          None. When a new VM or a resize is over your plan, <strong className="font-medium">Request more</strong> under the reasons asks an administrator for exactly what is missing.
        </p>
      ) : (
        <ul className="space-y-4" aria-label="Your requests for more quota">
          {requests.map((r) => (
            <li key={r.id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs" data-testid="my-quota-request">
              <div className="mb-3">
                <RequestStatus request={r} />
              </div>
              <RequestSummary request={r} currency={currency} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
