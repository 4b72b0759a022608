import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { buttonClass } from "@/components/ui/button";
import { Table, Td, Th } from "@/components/ui/table";
import { VmStateBadge } from "@/components/vms/vm-state-badge";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";
import { rentalFacts } from "@/lib/vms/rental-facts";

export const metadata: Metadata = { title: "My VMs" };

export default async function VmsPage() {
  const user = await requireUser();
  const vms = await db().vm.findMany({
    where: { ownerId: user.id, deletedAt: null },
    orderBy: { createdAt: "desc" },
    // The task running on each VM, if any: its badge says what is happening ("stopping…").
    include: {
      template: true,
      tasks: { where: { status: { in: ["pending", "in_progress"] } }, orderBy: { createdAt: "desc" }, take: 1, select: { kind: true } },
    },
  });
  const currencySetting = await db().setting.findUnique({ where: { key: "currency" } });
  const currency = typeof currencySetting?.value === "string" ? currencySetting.value : "EUR";
  const newVm = (
    <Link href="/vms/new" className={buttonClass()}>
      New VM
    </Link>
  );
  return (
    <>
      <PageHeader title="My VMs" description="Virtual machines you own." actions={vms.length ? newVm : undefined} />
      {vms.length === 0 ? (
        <EmptyState title="No VMs yet" description="Pick a template, size it within your plan and watch it being built." action={newVm} />
      ) : (
        <Table label="My VMs">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>State</Th>
              <Th>Template</Th>
              <Th>Size</Th>
              <Th>GPU and rental</Th>
              <Th>IP address</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {vms.map((vm) => (
              <tr key={vm.id}>
                <Td className="font-medium">
                  <Link href={`/vms/${vm.id}`} className="text-indigo-700 hover:underline">
                    {vm.name}
                  </Link>
                </Td>
                <Td>
                  <VmStateBadge status={vm.status} activeTaskKind={vm.tasks[0]?.kind} />
                </Td>
                <Td>{vm.template?.name ?? "—"}</Td>
                <Td>
                  {vm.cpuCores} vCPU · {vm.memoryMb / 1024} GiB · {vm.diskGb} GB
                </Td>
                <Td className="text-xs" data-testid="vm-rental">
                  {rentalFacts(vm, currency)
                    .filter(([k]) => k !== "Cost this month")
                    .map(([k, v]) => (
                      <div key={k}>{k === "GPU" ? v : `${k}: ${v}`}</div>
                    ))}
                </Td>
                <Td className="font-mono text-xs">{vm.ipAddress ?? "—"}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
