import type { Metadata } from "next";
import Link from "next/link";
import { OVERRIDE_KEYS } from "@/lib/schemas/admin";
import { QuotaOverridesForm } from "@/components/admin/users/quota-overrides-form";
import { SignOutEverywhere } from "@/components/admin/users/sign-out-everywhere";
import { UserEditForm } from "@/components/admin/users/user-edit-form";
import { QuotaMeter } from "@/components/quota/quota-meter";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getPlan, planOptions } from "@/lib/admin/plans/views";
import { teamOptions } from "@/lib/admin/teams/views";
import { getUserForAdmin } from "@/lib/admin/users/views";
import { listAllVms } from "@/lib/admin/vms";
import { AdminVmTable } from "@/components/admin/vms/vm-table";
import { requirePermission } from "@/lib/auth/guards";
import { or404 } from "../../page-data";
import { Time } from "@/components/ui/time";
import { pageId } from "@/lib/pages/params";
import { shownQuantity } from "@/lib/ui/units";

export const metadata: Metadata = { title: "User · Admin" };

const METERS = [
  { key: "vms", label: "VMs", unit: "VMs" },
  { key: "cpuCores", label: "CPU cores", unit: "vCPU" },
  { key: "memoryMb", label: "Memory", unit: "GiB" },
  { key: "diskGb", label: "Disk", unit: "GB" },
  { key: "gpus", label: "GPUs", unit: "GPUs" },
  { key: "monthlySpend", label: "Monthly spend", unit: "" },
] as const;

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requirePermission("admin.manage");
  const id = pageId((await params).id);
  const user = await or404(getUserForAdmin(id));
  const [plans, teams, plan, vms] = await Promise.all([planOptions(), teamOptions(), user.planId ? getPlan(user.planId) : null, listAllVms({ owner: user.email, limit: 100 })]);
  const planValues = plan ? (Object.fromEntries(OVERRIDE_KEYS.map((k) => [k, k === "maxMonthlySpend" ? (plan.maxMonthlySpend ?? "no limit") : String(plan[k])])) as Record<(typeof OVERRIDE_KEYS)[number], string>) : null;
  const scope = user.summary.user;
  return (
    <>
      <PageHeader
        title={user.email}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {user.name || "No name"} <Badge tone={user.role === "admin" ? "blue" : user.role === "support" ? "yellow" : "gray"}>{user.role}</Badge>
            {user.disabled ? <Badge tone="red">disabled</Badge> : <Badge tone="green">active</Badge>}
            <span className="text-xs text-slate-500">
              created <Time value={user.createdAt} /> · last sign-in {user.lastLoginAt ? <Time value={user.lastLoginAt} relative /> : "never"} · {user.sso ? "single sign-on" : user.hasPassword ? "password" : "no password"}
            </span>
          </span>
        }
      />
      <div className="space-y-6">
        <div className="grid gap-6 lg:grid-cols-2">
          <UserEditForm
            self={me.id === user.id}
            options={{ plans, teams }}
            start={{ id: user.id, name: user.name, role: user.role, planId: user.planId ?? "", teamId: user.teamId ?? "", disabled: user.disabled }}
          />
          <Card>
            <CardHeader
              title="Usage"
              description={
                <>
                  {user.vms} VM{user.vms === 1 ? "" : "s"}; running ones cost {user.summary.runningMonthlyCost.toFixed(2)} {user.summary.currency} per month.
                  {user.team ? (
                    <>
                      {" "}
                      Also limited by team{" "}
                      <Link href={`/admin/teams/${user.teamId}`} className="text-indigo-700 hover:underline">
                        {user.team.name}
                      </Link>
                      {user.team.plan ? ` (plan ${user.team.plan})` : ""}.
                    </>
                  ) : null}
                </>
              }
            />
            <CardBody className="space-y-4">
              {scope ? (
                METERS.map((m) => (
                  <QuotaMeter
                    key={m.key}
                    label={m.label}
                    unit={m.key === "monthlySpend" ? user.summary.currency : m.unit}
                    used={shownQuantity(m.key, scope.used[m.key])}
                    reserved={shownQuantity(m.key, scope.reserved[m.key])}
                    limit={shownQuantity(m.key, scope.limits[m.key])}
                    money={m.key === "monthlySpend"}
                  />
                ))
              ) : (
                <p className="text-sm text-slate-500">No plan: this user cannot create VMs.</p>
              )}
            </CardBody>
          </Card>
        </div>
        <section aria-label="Their VMs" className="space-y-2">
          <h2 className="text-base font-semibold text-slate-900">
            VMs{" "}
            <Link href={`/admin/vms?owner=${encodeURIComponent(user.email)}`} className="ml-2 text-sm font-normal text-indigo-700 hover:underline">
              all of them in the VM list
            </Link>
          </h2>
          {vms.vms.length ? <AdminVmTable vms={vms.vms} currency={vms.currency} showOwner={false} /> : <p className="text-sm text-slate-500">No VMs.</p>}
        </section>
        <QuotaOverridesForm userId={user.id} overrides={user.quotaOverrides} planValues={planValues} currency={user.summary.currency} />
        <SignOutEverywhere userId={user.id} email={user.email} />
      </div>
    </>
  );
}
