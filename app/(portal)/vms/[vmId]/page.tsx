import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TaskTable } from "@/components/tasks/task-table";
import { ResizeForm, VmActionBar } from "@/components/vms/vm-actions";
import { VmStateBadge } from "@/components/vms/vm-state-badge";
import { CopyText } from "@/components/vms/copy-text";
import { LongId } from "@/components/ui/table";
import { formatSize } from "@/lib/ui/units";
import { requireUser } from "@/lib/auth/guards";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { refreshAddress } from "@/lib/vms/refresh-address";
import { vmControls } from "@/lib/vms/vm-page-data";
import { rentalFacts } from "@/lib/vms/rental-facts";
import { pageId } from "@/lib/pages/params";
import { warningsOf } from "@/lib/tasks/get-task";

export const metadata: Metadata = { title: "VM" };

export default async function VmPage({ params }: { params: Promise<{ vmId: string }> }) {
  const user = await requireUser();
  const vmId = pageId((await params).vmId);
  const vm = await db().vm.findUnique({
    where: { id: vmId },
    include: { template: true, provider: { select: { name: true } }, owner: { select: { email: true } }, tasks: { orderBy: { createdAt: "desc" } }, spans: true },
  });
  const currency = await db().setting.findUnique({ where: { key: "currency" } });
  if (!vm || (vm.ownerId !== user.id && !can(user.role, "tasks.monitor"))) notFound();
  if (!vm.deletedAt && !vm.ipAddress && vm.status === "running") vm.ipAddress = await refreshAddress(vm.id);
  const controls = vm.deletedAt ? null : await vmControls(user, vm.id);
  const ssh = !vm.deletedAt && vm.status === "running" && vm.ipAddress ? `ssh ${controls?.loginUser ? `${controls.loginUser}@` : ""}${vm.ipAddress}` : null;
  // What its provider said when it was made (e.g. it got another id than first answered).
  const createdWith = warningsOf(vm.tasks.find((t) => t.kind === "vm.create" && t.status === "completed")?.result);
  const facts = [
    [
      "State",
      <span key="s" data-testid="vm-state">
        <VmStateBadge status={vm.status} activeTaskKind={controls?.activeTask?.kind} />
      </span>,
    ],
    [
      "IP address",
      <span key="ip" className="font-mono" data-testid="vm-ip">
        {/* A stopped VM's last address is likely someone else's by now: shown only while it runs. */}
        {vm.status === "running" && vm.ipAddress ? vm.ipAddress : vm.status === "stopped" ? "— (stopped)" : "—"}
      </span>,
    ],
    ["Provider", vm.provider.name],
    ["Id on the provider", <LongId key="ref">{vm.providerRefId ?? "—"}</LongId>],
    ["Template", vm.template?.name ?? "—"],
    ["Size", formatSize(vm)],
    ...(controls ? ([["Monthly cost", <span key="cost" data-testid="vm-cost">{`${controls.monthlyCost.toFixed(2)} ${controls.currency}`}</span>]] as const) : []),
    ...rentalFacts(vm, typeof currency?.value === "string" ? currency.value : "EUR").map(([k, v]) => [k, <span key={k} data-testid={`vm-${k.toLowerCase().replace(/[^a-z]+/g, "-")}`}>{v}</span>] as const),
    ...(vm.ownerId !== user.id ? ([["Owner", vm.owner.email]] as const) : []),
  ] as const;
  return (
    <>
      <PageHeader title={vm.name} description={vm.deletedAt ? "This VM no longer exists." : undefined} />
      <Card className="mb-6">
        <CardHeader title="Details" />
        <CardBody className="space-y-5">
          <dl className="grid gap-4 text-sm sm:grid-cols-3">
            {facts.map(([k, v]) => (
              <div key={k}>
                <dt className="text-slate-500">{k}</dt>
                <dd className="mt-0.5 break-words font-medium text-slate-900">{v}</dd>
              </div>
            ))}
          </dl>
          {ssh ? (
            <div className="text-sm">
              <p className="mb-1 text-slate-500">Log in</p>
              <CopyText text={ssh} label="SSH command" />
            </div>
          ) : null}
          {createdWith.length ? (
            <Alert tone="info" title="When it was created">
              <ul data-testid="vm-created-notices">
                {createdWith.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
            </Alert>
          ) : null}
          {controls?.pendingUntilRestart && !controls.activeTask ? (
            <Alert tone="warning" title="New CPU cores and memory are pending">
              The VM keeps running with its previous CPU cores and memory until it is restarted: reboot it (or stop and start it) to apply the new size.
            </Alert>
          ) : null}
          {controls ? <VmActionBar controls={controls} /> : null}
        </CardBody>
      </Card>
      {controls?.mayAct && vm.providerRefId !== null && vm.status !== "creating" ? (
        <div className="mb-6">
          {controls.resize.unsupported ? (
            <Alert tone="info" title="Resize">
              {controls.resize.unsupported}.
            </Alert>
          ) : (
            <ResizeForm key={`${vm.cpuCores}-${vm.memoryMb}-${vm.diskGb}`} controls={controls} />
          )}
        </div>
      ) : null}
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
