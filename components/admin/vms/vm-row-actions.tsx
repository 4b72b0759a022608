"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { vmAction } from "@/app/(portal)/vms/[vmId]/actions";
import { Button } from "@/components/ui/button";

type Power = "start" | "stop" | "shutdown" | "reboot" | "delete";

const POWER: readonly Power[] = ["start", "shutdown", "reboot", "stop", "delete"];

const LABELS: Record<Power, string> = { start: "Start", stop: "Stop", shutdown: "Shut down", reboot: "Reboot", delete: "Delete" };

/**
 * An admin's row actions on any VM: the power actions and Delete its state and its provider kind
 * allow (`vm.actions`, lib/admin/vms.ts), through the VM page's
 * server action (the same domain call, rules and audit as the owner's), and a link to the VM.
 * A started task opens; a refusal shows the server's message.
 */
export function VmRowActions({ vm }: { vm: { id: string; name: string; status: string; deleted: boolean; actions: readonly string[] } }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  if (vm.deleted) return null;
  const run = (action: Power) => () => {
    if (action === "delete" && !window.confirm(`Delete ${vm.name}? Its disks are destroyed on the provider.`)) return;
    setError(null);
    start(async () => {
      const result = await vmAction(vm.id, action);
      if (result.ok) router.push(`/tasks/${encodeURIComponent(result.data.taskId)}`);
      else setError(result.error);
    });
  };
  return (
    <div className="flex flex-wrap items-center gap-1">
      <Link href={`/vms/${encodeURIComponent(vm.id)}`} className="px-1 text-xs font-medium text-indigo-700 hover:underline">
        Open
      </Link>
      {POWER.filter((a) => vm.actions.includes(a)).map((a) => (
        <Button key={a} size="sm" variant={a === "delete" ? "danger" : "secondary"} disabled={pending} onClick={run(a)}>
          {LABELS[a]}
        </Button>
      ))}
      {error ? (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      ) : null}
    </div>
  );
}
