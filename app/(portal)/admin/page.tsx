import type { Metadata } from "next";
import Link from "next/link";
import { Card, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { LongId } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { adminOverview } from "@/lib/admin/overview";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  await requirePermission("admin.manage");
  const { counts, recent } = await adminOverview();
  const stats = [
    ["Users", counts.users, "/admin/users", counts.disabledUsers ? `${counts.disabledUsers} disabled` : "all active"],
    ["Teams", counts.teams, "/admin/teams", "share a quota"],
    ["Providers", counts.providers, "/admin/providers", "connections"],
    ["Templates", counts.templates, "/admin/templates", "published"],
    ["Plans", counts.plans, "/admin/plans", "limits"],
    ["VMs", counts.vms, null, "in existence"],
    ["Quota requests", counts.quotaRequests, "/admin/quota-requests", "waiting for a decision"],
  ] as const;
  return (
    <>
      <PageHeader title="Admin" description="Providers, templates, plans, quotas and people." />
      <ul aria-label="Counts" className="mb-8 grid grid-cols-2 gap-4 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-7">
        {stats.map(([label, value, href, note]) => {
          const body = (
            <>
              <span className="block text-xs uppercase tracking-wide text-slate-500">{label}</span>
              <span className="mt-1 block text-2xl font-semibold text-slate-900">{value}</span>
              <span className="block text-xs text-slate-500">{note}</span>
            </>
          );
          const box = "block h-full rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-xs";
          return (
            <li key={label}>
              {href ? (
                <Link href={href} className={`${box} transition-colors hover:border-indigo-300`}>
                  {body}
                </Link>
              ) : (
                <div className={box}>{body}</div>
              )}
            </li>
          );
        })}
      </ul>
      <Card>
        <CardHeader
          title="Recent changes"
          description="The audit log: who changed what."
          actions={
            <Link href="/admin/audit" className="text-sm font-medium text-indigo-700 hover:underline">
              Full audit log →
            </Link>
          }
        />
        {recent.length === 0 ? (
          <p className="px-5 py-4 text-sm text-slate-500">Nothing has changed yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {recent.map((a) => (
              <li key={a.id} className="flex flex-wrap justify-between gap-x-4 gap-y-1 px-5 py-2.5">
                <span className="min-w-0 break-words">
                  <span className="font-medium text-slate-900">{a.actorEmail}</span> <span className="text-slate-600">{a.action}</span>{" "}
                  {a.targetLabel ? <span className="text-slate-900">{a.targetLabel}</span> : <LongId className="text-slate-500">{a.targetId}</LongId>}
                </span>
                <Time value={a.at} relative className="shrink-0 text-xs text-slate-500" />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
