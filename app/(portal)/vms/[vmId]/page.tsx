import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TaskTable } from "@/components/tasks/task-table";
import { requireUser } from "@/lib/auth/guards";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "VM" };

export default async function VmPage({ params }: { params: Promise<{ vmId: string }> }) {
  const user = await requireUser();
  const { vmId } = await params;
  const vm = await db().vm.findUnique({
    where: { id: vmId },
    include: { template: true, provider: { select: { name: true } }, tasks: { orderBy: { createdAt: "desc" } } },
  });
  if (!vm || (vm.ownerId !== user.id && !can(user.role, "tasks.monitor"))) notFound();
  const facts = [
    ["State", <Badge key="s" tone={vm.status === "running" ? "green" : vm.status === "failed" ? "red" : "gray"}>{vm.status}</Badge>],
    ["IP address", <span key="ip" className="font-mono" data-testid="vm-ip">{vm.ipAddress ?? "—"}</span>],
    ["VMID", vm.vmid ?? "—"],
    ["Where", `${vm.provider.name} / ${vm.node}`],
    ["Template", vm.template?.name ?? "—"],
    ["Size", `${vm.cpuCores} vCPU · ${vm.memoryMb} MB · ${vm.diskGb} GB`],
  ] as const;
  return (
    <>
      <PageHeader title={vm.name} description={vm.deletedAt ? "This VM no longer exists." : undefined} />
      <Card className="mb-6">
        <CardHeader title="Details" />
        <CardBody>
          <dl className="grid gap-4 text-sm sm:grid-cols-3">
            {facts.map(([k, v]) => (
              <div key={k}>
                <dt className="text-slate-500">{k}</dt>
                <dd className="mt-0.5 font-medium text-slate-900">{v}</dd>
              </div>
            ))}
          </dl>
        </CardBody>
      </Card>
      <h2 className="mb-3 text-base font-semibold text-slate-900">Tasks</h2>
      <TaskTable tasks={vm.tasks} />
      <p className="mt-4 text-sm">
        <Link href="/vms" className="text-indigo-700 underline">
          Back to My VMs
        </Link>
      </p>
    </>
  );
}
