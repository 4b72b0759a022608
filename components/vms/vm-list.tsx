"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";
import { ConfirmButton, POWER } from "@/components/vms/vm-actions";
import { VmStateBadge } from "@/components/vms/vm-state-badge";
import { formatMemory, formatSize } from "@/lib/ui/units";
import { ACTION_LABELS } from "@/lib/vms/action-rules";
import { isTransitional, rentalLines, runningTaskKind, searchVms, shownAddress, updatedAgo, type VmListRow } from "@/lib/vms/list-rows";
import { vmAction } from "@/app/(portal)/vms/[vmId]/actions";

export type { VmListRow };

async function fetchVms(): Promise<VmListRow[]> {
  const res = await fetch("/api/v1/vms", { cache: "no-store", headers: { accept: "application/json" } });
  const body = (await res.json()) as { message: string; data: VmListRow[] };
  if (!res.ok) throw new Error(body.message);
  return body.data;
}

/** How long ago the list was fetched, ticking every second. */
function UpdatedAgo({ at }: { at: number }) {
  const [now, setNow] = useState(at);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <span className="text-xs text-slate-600" data-testid="vms-updated">
      {updatedAgo(at, now)}
    </span>
  );
}

/** Keeps the search in the address (`?q=`), without a server round trip. */
function keepInUrl(query: string) {
  const url = new URL(window.location.href);
  if (query) url.searchParams.set("q", query);
  else url.searchParams.delete("q");
  window.history.replaceState(window.history.state, "", url);
}

/**
 * My VMs, live: GET /api/v1/vms is polled every 2 s while any VM is being created or has a task
 * running (otherwise every 15 s and when the window regains focus), with when it was last updated. Searchable by
 * name or address (the query stays in the URL as `?q=`). Each row offers the actions the VM
 * accepts now (the API's `actions`): Start, Shut down, Reboot, and hard Stop and Delete behind a
 * confirmation naming the VM, as on the VM's page.
 */
export function VmList({ initial, initialQuery, currency }: { initial: VmListRow[]; initialQuery: string; currency: string }) {
  const queryClient = useQueryClient();
  const { data: vms, error, dataUpdatedAt } = useQuery({
    queryKey: ["vms"],
    queryFn: fetchVms,
    initialData: initial,
    initialDataUpdatedAt: () => Date.now(),
    // Every 2 s while something changes; else every 15 s, so changes made elsewhere (the API,
    // another tab, an interruption) show up without a reload.
    refetchInterval: (q) => ((q.state.data ?? []).some(isTransitional) ? 2_000 : 15_000),
    refetchOnWindowFocus: true,
  });
  const [search, setSearch] = useState(initialQuery);
  const [pending, startTransition] = useTransition();
  const [problem, setProblem] = useState<string | null>(null);
  const shown = searchVms(vms, search);

  const act = (vm: VmListRow, action: "start" | "shutdown" | "reboot" | "stop" | "delete", after?: () => void) =>
    startTransition(async () => {
      setProblem(null);
      const result = await vmAction(vm.id, action);
      after?.();
      if (!result.ok) setProblem(`${vm.name}: ${result.error}`);
      await queryClient.invalidateQueries({ queryKey: ["vms"] });
    });

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="w-full sm:max-w-xs">
          <Input
            type="search"
            aria-label="Search your VMs by name or IP address"
            placeholder="Search by name or IP address"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              keepInUrl(e.target.value.trim());
            }}
          />
        </div>
        <p role="status" aria-live="off" className="flex items-center gap-2">
          {vms.some(isTransitional) ? <span className="text-xs text-slate-600">Refreshing every 2 s while a VM changes ·</span> : null}
          <UpdatedAgo at={dataUpdatedAt} />
        </p>
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
            <Th>GPU and rental</Th>
            <Th>IP address</Th>
            <Th>
              <span className="sr-only">Actions</span>
            </Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {shown.length === 0 ? (
            <tr>
              <Td colSpan={7} className="py-8 text-center whitespace-normal text-slate-600">
                No VM’s name or address contains “{search.trim()}”.
              </Td>
            </tr>
          ) : (
            shown.map((vm) => {
              const actions = vm.actions ?? [];
              const rental = rentalLines(vm, currency);
              return (
                <tr key={vm.id} data-testid="vm-row">
                  <Td label="Name" className="font-medium">
                    <Link href={`/vms/${vm.id}`} className="text-indigo-700 hover:underline">
                      {vm.name}
                    </Link>
                  </Td>
                  <Td label="State">
                    <VmStateBadge status={vm.status} activeTaskKind={runningTaskKind(vm)} />
                  </Td>
                  <Td label="Template">{vm.template ?? "—"}</Td>
                  <Td label="Size">{formatSize({ cpuCores: vm.cpuCores, memoryMb: vm.memorySize, diskGb: vm.diskSize })}</Td>
                  <Td label="GPU and rental" className="text-xs" data-testid="vm-rental">
                    {rental.length ? rental.map((line) => <div key={line}>{line}</div>) : "—"}
                  </Td>
                  <Td label="IP address">
                    <span className="font-mono text-xs">{shownAddress(vm) ?? "—"}</span>
                  </Td>
                  <Td label="Actions" className="md:text-right">
                    <span className="flex flex-wrap gap-2 md:justify-end" role="group" aria-label={`Actions for ${vm.name}`}>
                      {POWER.filter((p) => actions.includes(p.action)).map((p) =>
                        p.action === "stop" ? (
                          <ConfirmButton
                            key={p.action}
                            size="sm"
                            label={
                              <>
                                {ACTION_LABELS.stop}
                                <span className="sr-only"> {vm.name}</span>
                              </>
                            }
                            confirmLabel={`Stop ${vm.name}`}
                            title={`Stop ${vm.name} at once?`}
                            variant="secondary"
                            disabled={pending}
                            onConfirm={(close) => act(vm, "stop", close)}
                          >
                            Stop powers the VM off immediately, like pulling the plug: unsaved data in the guest is lost. <strong>Shut down</strong> asks the guest to
                            power off cleanly instead.
                          </ConfirmButton>
                        ) : (
                          <Button key={p.action} size="sm" variant="secondary" title={p.hint} disabled={pending} onClick={() => act(vm, p.action)}>
                            {ACTION_LABELS[p.action]}
                            <span className="sr-only"> {vm.name}</span>
                          </Button>
                        ),
                      )}
                      {actions.length === 0 ? <span className="text-slate-600">— (none while it changes)</span> : null}
                      {actions.includes("delete") ? (
                        <ConfirmButton
                          size="sm"
                          label={
                            <>
                              Delete<span className="sr-only"> {vm.name}</span>
                            </>
                          }
                          confirmLabel={`Delete ${vm.name}`}
                          title={`Delete ${vm.name}?`}
                          variant="danger"
                          disabled={pending}
                          onConfirm={(close) => act(vm, "delete", close)}
                        >
                          <strong>{vm.name}</strong> is stopped if it runs, then destroyed with its disks. This cannot be undone. Its {vm.cpuCores} vCPU,{" "}
                          {formatMemory(vm.memorySize)} and {vm.diskSize} GB go back to your quota.
                        </ConfirmButton>
                      ) : null}
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
