"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { VmStateBadge } from "@/components/vms/vm-state-badge";
import { formatSize } from "@/lib/ui/units";
import { vmAction } from "@/app/(portal)/vms/[vmId]/actions";

/** A VM as GET /api/v1/vms lists it (lib/vms/list-vms.ts), the fields this list reads. */
export type VmListRow = {
  id: string;
  name: string;
  status: string;
  ip_address: string | null;
  template: string | null;
  cpuCores: number;
  memorySize: number;
  diskSize: number;
  last_task: { task_id: string; status: string; kind?: string } | null;
};

const ACTIVE = new Set(["pending", "in_progress"]);
const busy = (vm: VmListRow) => vm.status === "creating" || (vm.last_task !== null && ACTIVE.has(vm.last_task.status));

async function fetchVms(): Promise<VmListRow[]> {
  const res = await fetch("/api/v1/vms", { cache: "no-store", headers: { accept: "application/json" } });
  const body = (await res.json()) as { message: string; data: VmListRow[] };
  if (!res.ok) throw new Error(body.message);
  return body.data;
}

/**
 * My VMs, live: polled every 2 s while a VM is being created or a task runs on one (else every
 * 15 s), searchable by name, template, address or state, with Start / Shut down on each row
 * (hard Stop and Delete ask for a confirmation on the VM's page).
 */
export function VmList({ initial }: { initial: VmListRow[] }) {
  const queryClient = useQueryClient();
  const { data: vms, error } = useQuery({
    queryKey: ["vms"],
    queryFn: fetchVms,
    initialData: initial,
    refetchInterval: (q) => ((q.state.data ?? []).some(busy) ? 2_000 : 15_000),
  });
  const [search, setSearch] = useState("");
  const [pending, startTransition] = useTransition();
  const [problem, setProblem] = useState<string | null>(null);
  const q = search.trim().toLowerCase();
  const shown = q ? vms.filter((vm) => [vm.name, vm.template ?? "", vm.ip_address ?? "", vm.status].some((f) => f.toLowerCase().includes(q))) : vms;

  const act = (vm: VmListRow, action: "start" | "shutdown") =>
    startTransition(async () => {
      setProblem(null);
      const result = await vmAction(vm.id, action);
      if (!result.ok) setProblem(`${vm.name}: ${result.error}`);
      await queryClient.invalidateQueries({ queryKey: ["vms"] });
    });

  return (
    <div className="space-y-3">
      <div className="w-full sm:max-w-xs">
        <Input type="search" aria-label="Search your VMs" placeholder="Search by name, template, address…" value={search} onChange={(e) => setSearch(e.target.value)} />
      </div>
      {error ? <Alert tone="warning">Could not refresh the list: {(error as Error).message}. Retrying…</Alert> : null}
      {problem ? <Alert tone="error">{problem}</Alert> : null}
      <Table label="My VMs">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>State</Th>
            <Th>Template</Th>
            <Th>Size</Th>
            <Th>IP address</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {shown.length === 0 ? (
            <tr>
              <Td colSpan={6} className="py-8 text-center text-slate-500">
                Nothing matches “{search}”.
              </Td>
            </tr>
          ) : (
            shown.map((vm) => {
              const running = vm.last_task && ACTIVE.has(vm.last_task.status) ? vm.last_task.kind : null;
              return (
                <tr key={vm.id}>
                  <Td label="Name" className="font-medium">
                    <Link href={`/vms/${vm.id}`} className="text-indigo-700 hover:underline">
                      {vm.name}
                    </Link>
                  </Td>
                  <Td label="State">
                    <VmStateBadge status={vm.status} activeTaskKind={running} />
                  </Td>
                  <Td label="Template">{vm.template ?? "—"}</Td>
                  <Td label="Size">{formatSize({ cpuCores: vm.cpuCores, memoryMb: vm.memorySize, diskGb: vm.diskSize })}</Td>
                  <Td label="IP address" className="font-mono text-xs">
                    {vm.status === "running" && vm.ip_address ? vm.ip_address : "—"}
                  </Td>
                  <Td className="text-right">
                    <span className="flex flex-wrap justify-end gap-2">
                      {!busy(vm) && vm.status === "stopped" ? (
                        <Button size="sm" variant="secondary" disabled={pending} onClick={() => act(vm, "start")}>
                          Start<span className="sr-only"> {vm.name}</span>
                        </Button>
                      ) : null}
                      {!busy(vm) && vm.status === "running" ? (
                        <Button size="sm" variant="secondary" disabled={pending} onClick={() => act(vm, "shutdown")}>
                          Shut down<span className="sr-only"> {vm.name}</span>
                        </Button>
                      ) : null}
                      <Link href={`/vms/${vm.id}`} className="rounded-md px-2.5 py-1.5 text-xs font-semibold text-indigo-700 hover:bg-slate-100">
                        Open<span className="sr-only"> {vm.name}</span>
                      </Link>
                    </span>
                  </Td>
                </tr>
              );
            })
          )}
        </tbody>
      </Table>
    </div>
  );
}
