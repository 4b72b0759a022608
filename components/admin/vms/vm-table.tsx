import Link from "next/link";
import { Table, Td, Th } from "@/components/ui/table";
import { VmStateBadge } from "@/components/vms/vm-state-badge";
import type { AdminVmRow } from "@/lib/admin/vms";
import { formatSize } from "@/lib/ui/units";
import { VmRowActions } from "./vm-row-actions";

/** Every VM for an admin (issue 12): owner, team, provider, placement, state, size, GPU, cost this month, and the owner's actions. */
export function AdminVmTable({ vms, currency, showOwner = true }: { vms: AdminVmRow[]; currency: string | null; showOwner?: boolean }) {
  return (
    <Table label="VMs">
      <thead>
        <tr>
          <Th>VM</Th>
          {showOwner ? <Th>Owner</Th> : null}
          <Th>Team</Th>
          <Th>Provider</Th>
          <Th>Placement</Th>
          <Th>State</Th>
          <Th>Size</Th>
          <Th>GPU</Th>
          <Th className="text-right">Cost this month</Th>
          <Th>Actions</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {vms.map((vm) => (
          <tr key={vm.id}>
            <Td>
              {vm.deleted ? (
                <span className="text-slate-500">{vm.name}</span>
              ) : (
                <Link href={`/vms/${encodeURIComponent(vm.id)}`} className="font-medium text-indigo-700 hover:underline">
                  {vm.name}
                </Link>
              )}
              {vm.providerRefId ? <span className="ml-2 font-mono text-xs text-slate-400">{vm.providerRefId}</span> : null}
            </Td>
            {showOwner ? (
              <Td>
                <Link href={`/admin/users/${encodeURIComponent(vm.owner.id)}`} className="hover:underline">
                  {vm.owner.email}
                </Link>
              </Td>
            ) : null}
            <Td>{vm.team ? <Link href={`/admin/teams/${encodeURIComponent(vm.team.id)}`} className="hover:underline">{vm.team.name}</Link> : <span className="text-slate-500">none</span>}</Td>
            <Td>
              {vm.provider.name} <span className="text-xs text-slate-500">({vm.provider.kind})</span>
            </Td>
            <Td>{vm.placement ?? <span className="text-slate-400">unknown</span>}</Td>
            <Td>
              <VmStateBadge status={vm.deleted ? "deleted" : vm.status} />
            </Td>
            <Td>
              {formatSize(vm.size)}
            </Td>
            <Td>{vm.gpu ? `${vm.gpu.count} × ${vm.gpu.type ?? "GPU"}` : <span className="text-slate-500">none</span>}</Td>
            <Td className="text-right tabular-nums">
              {vm.costThisMonth} {currency ?? ""}
              {vm.costBasis === "estimate" ? (
                <span className="block text-xs text-slate-500" title="Its share of the monthly price so far (no hourly rates recorded for it)">
                  estimate
                </span>
              ) : null}
            </Td>
            <Td>
              <VmRowActions vm={vm} />
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
