import type { Metadata } from "next";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { UsageBar } from "@/components/quota/usage-bar";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";
import { usageOf } from "@/lib/quota/usage";

export const metadata: Metadata = { title: "Quota" };

export default async function QuotaPage() {
  const user = await requireUser();
  const { plan } = await db().user.findUniqueOrThrow({ where: { id: user.id }, include: { plan: true } });
  if (!plan) {
    return (
      <>
        <PageHeader title="Quota" />
        <EmptyState title="No plan assigned" description="You have no compute plan yet, so you cannot create VMs. Ask an administrator to assign one." />
      </>
    );
  }
  const used = await usageOf(user.id);
  return (
    <>
      <PageHeader title="Quota" description={`Your plan: ${plan.name}${plan.description ? ` — ${plan.description}` : ""}`} />
      <div className="grid gap-6 md:grid-cols-2">
        <Card>
          <CardHeader title="All your VMs together" description="What your existing VMs use of your plan." />
          <CardBody className="space-y-5">
            <UsageBar label="vCPU cores" used={used.cpuCores} limit={plan.maxCpuCoresSum} unit="cores" />
            <UsageBar label="Memory" used={used.memoryMb} limit={plan.maxMemoryMbSum} unit="MB" />
            <UsageBar label="Disk" used={used.diskGb} limit={plan.maxDiskGbSum} unit="GB" />
            <UsageBar label="VMs" used={used.vms} limit={plan.maxVms} unit="VMs" />
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Largest single VM" description="No one VM may be bigger than this." />
          <CardBody>
            <dl className="grid grid-cols-3 gap-4 text-center">
              {[
                ["vCPU cores", plan.maxCpuCoresPerVm],
                ["Memory (MB)", plan.maxMemoryMbPerVm],
                ["Disk (GB)", plan.maxDiskGbPerVm],
              ].map(([label, value]) => (
                <div key={label} className="rounded-md bg-slate-50 px-3 py-4">
                  <dt className="text-xs text-slate-500">{label}</dt>
                  <dd className="mt-1 text-xl font-semibold text-slate-900">{value}</dd>
                </div>
              ))}
            </dl>
          </CardBody>
        </Card>
      </div>
    </>
  );
}
