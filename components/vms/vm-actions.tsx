"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useMemo, useRef, useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import type { Resources } from "@/lib/quota/usage";
import { sizeOf } from "@/lib/schemas/size";
import { ACTION_LABELS, ACTION_PROGRESSIVE, actionOfKind, resizeProblem, resizeQuotaCheck, type ResizableSize } from "@/lib/vms/action-rules";
import type { VmControls } from "@/lib/vms/vm-page-data";
import { resizeVm, vmAction, type VmActionResult } from "@/app/(portal)/vms/[vmId]/actions";

type Power = "start" | "shutdown" | "stop" | "reboot";
const POWER: { action: Power; variant: "primary" | "secondary"; hint: string }[] = [
  { action: "start", variant: "primary", hint: "Power the VM on" },
  { action: "shutdown", variant: "secondary", hint: "Ask the guest to power off cleanly; stopped if it has not after 3 minutes" },
  { action: "reboot", variant: "secondary", hint: "Restart the guest; applies pending CPU and memory changes" },
  { action: "stop", variant: "secondary", hint: "Power off at once, like pulling the plug" },
];

function ServerError({ result }: { result: Extract<VmActionResult, { ok: false }> | null }) {
  if (!result) return null;
  return (
    <Alert tone="error" title={result.error}>
      {result.details?.length ? (
        <ul className="list-disc pl-5">
          {result.details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      ) : null}
    </Alert>
  );
}

/** Follows a submitted action to its live task page, or shows why it was refused. */
function useSubmit() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [failure, setFailure] = useState<Extract<VmActionResult, { ok: false }> | null>(null);
  const submit = (call: () => Promise<VmActionResult>, onFailure?: () => void) =>
    startTransition(async () => {
      setFailure(null);
      const result = await call();
      if (result.ok) router.push(`/tasks/${encodeURIComponent(result.data.taskId)}`);
      else {
        setFailure(result);
        onFailure?.();
      }
    });
  return { pending, failure, submit };
}

/** Delete, behind a modal dialog that names the VM. */
function DeleteButton({ vm, disabled, onDelete }: { vm: VmControls["vm"]; disabled: boolean; onDelete: (close: () => void) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = () => dialog.current?.close();
  return (
    <>
      <Button variant="danger" disabled={disabled} onClick={() => dialog.current?.showModal()}>
        Delete
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-full max-w-md rounded-lg border border-slate-200 bg-white p-0 shadow-xl backdrop:bg-black/50"
      >
        <div className="px-5 py-4">
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            Delete {vm.name}?
          </h2>
          <p className="mt-2 text-sm text-slate-600">
            <strong>{vm.name}</strong> is stopped if it runs, then destroyed with its disks on {vm.provider}. This cannot be undone. Its {vm.cpuCores} vCPU,{" "}
            {vm.memoryMb} MB and {vm.diskGb} GB go back to your quota.
          </p>
        </div>
        <div className="flex justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">
          <Button variant="secondary" onClick={close} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" disabled={disabled} onClick={() => onDelete(close)}>
            Delete {vm.name}
          </Button>
        </div>
      </dialog>
    </>
  );
}

/** The power buttons the VM's state allows, and Delete. */
export function VmActionBar({ controls }: { controls: VmControls }) {
  const { vm, actions, activeTask } = controls;
  const { pending, failure, submit } = useSubmit();
  if (activeTask) {
    const action = actionOfKind(activeTask.kind);
    return (
      <Alert tone="info" title={`${action ? ACTION_PROGRESSIVE[action][0]!.toUpperCase() + ACTION_PROGRESSIVE[action].slice(1) : activeTask.kind}…`}>
        A task is running on this VM; other actions wait until it ends.{" "}
        <Link href={`/tasks/${encodeURIComponent(activeTask.id)}`} className="underline">
          Follow the task
        </Link>
      </Alert>
    );
  }
  if (!controls.mayAct) return null;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2" role="group" aria-label="VM actions">
        {POWER.filter((p) => actions.includes(p.action)).map((p) => (
          <Button key={p.action} variant={p.variant} title={p.hint} disabled={pending} onClick={() => submit(() => vmAction(vm.id, p.action))}>
            {ACTION_LABELS[p.action]}
          </Button>
        ))}
        {actions.includes("delete") ? <DeleteButton vm={vm} disabled={pending} onDelete={(close) => submit(() => vmAction(vm.id, "delete"), close)} /> : null}
      </div>
      <ServerError result={failure} />
    </div>
  );
}

const DIMS = [
  { key: "cpuCores", field: "cpuCores", label: "vCPU cores", unit: "cores" },
  { key: "memoryMb", field: "memorySize", label: "Memory", unit: "MB" },
  { key: "diskGb", field: "diskSize", label: "Disk", unit: "GB" },
] as const;

/** The resize form: the server's rules (lib/vms/action-rules) run here too, so the reasons read the same. */
export function ResizeForm({ controls }: { controls: VmControls }) {
  const { vm, resize } = controls;
  const current: ResizableSize = { cpuCores: vm.cpuCores, memoryMb: vm.memoryMb, diskGb: vm.diskGb };
  const [values, setValues] = useState<Record<keyof ResizableSize, string>>({ cpuCores: String(vm.cpuCores), memoryMb: String(vm.memoryMb), diskGb: String(vm.diskGb) });
  const { pending, failure, submit } = useSubmit();
  const wanted: ResizableSize = { cpuCores: Number(values.cpuCores), memoryMb: Number(values.memoryMb), diskGb: Number(values.diskGb) };
  const invalid = DIMS.filter((d) => !Number.isInteger(wanted[d.key]) || wanted[d.key] <= 0);
  const unchanged = wanted.cpuCores === current.cpuCores && wanted.memoryMb === current.memoryMb && wanted.diskGb === current.diskGb;
  const problem = invalid.length ? `${invalid.map((d) => d.label).join(", ")}: enter a whole number greater than 0` : unchanged ? null : resizeProblem(current, wanted, resize.min, resize.templateName ?? undefined);
  const scopes = useMemo(
    () => resize.scopes.map((s) => ({ team: s.team, used: s.used, total: Object.fromEntries(Object.entries(s.limits).map(([k, v]) => [k, v ?? Infinity])) as Resources })),
    [resize.scopes],
  );
  const verdict = problem || unchanged ? null : resizeQuotaCheck(resize.perVm, scopes, sizeOf(vm), wanted, resize.prices);
  const denied =
    verdict?.kind === "no_plan"
      ? { title: "You have no compute plan: the VM cannot grow", lines: [] as string[] }
      : verdict && verdict.kind !== "ok"
        ? {
            title: verdict.kind === "per_vm" ? "Requested resources exceed the per VM limits of your compute resource plan" : "Requested resources exceed the available limits of your compute resource plan",
            lines: verdict.denials.map((d) => d.message),
          }
        : null;
  // The fields to mark: the dimension a problem or a denial is about.
  const flagged = new Set<string>([
    ...invalid.map((d) => d.key),
    ...(problem && wanted.diskGb < current.diskGb ? ["diskGb"] : []),
    ...(problem && /below the minimums/.test(problem) ? DIMS.filter((d) => wanted[d.key] < current[d.key]).map((d) => d.key) : []),
    ...(verdict && verdict.kind !== "ok" && verdict.kind !== "no_plan" ? verdict.denials.map((d) => d.dimension) : []),
  ]);
  const blocked = !controls.mayAct || controls.activeTask !== null || !controls.actions.includes("resize");

  return (
    <Card>
      <CardHeader
        title="Resize"
        description={
          vm.status === "running"
            ? "On a running VM, new CPU cores and memory take effect at the next reboot; the disk grows at once. Disks never shrink."
            : "Changes apply when the task ends. Only increases count against your plan; disks never shrink."
        }
      />
      <CardBody>
        <form
          aria-label="Resize"
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (problem || denied || unchanged || blocked) return;
            submit(() =>
              resizeVm(vm.id, {
                ...(wanted.cpuCores !== current.cpuCores ? { cpuCores: wanted.cpuCores } : {}),
                ...(wanted.memoryMb !== current.memoryMb ? { memorySize: wanted.memoryMb } : {}),
                ...(wanted.diskGb !== current.diskGb ? { diskSize: wanted.diskGb } : {}),
              }),
            );
          }}
        >
          <div className="grid gap-4 sm:grid-cols-3">
            {DIMS.map((d) => (
              <Field
                key={d.key}
                id={`resize-${d.field}`}
                label={`${d.label} (${d.unit})`}
                hint={d.key === "diskGb" ? `now ${current.diskGb} GB; can only grow` : `now ${current[d.key]}${resize.perVm ? `, at most ${resize.perVm[d.key]} per VM` : ""}`}
              >
                <Input
                  id={`resize-${d.field}`}
                  type="number"
                  inputMode="numeric"
                  min={d.key === "diskGb" ? current.diskGb : 1}
                  step={1}
                  value={values[d.key]}
                  disabled={blocked || pending}
                  invalid={flagged.has(d.key)}
                  onChange={(e) => setValues((v) => ({ ...v, [d.key]: e.target.value }))}
                />
              </Field>
            ))}
          </div>
          {problem ? <Alert tone="error" title={problem} /> : null}
          {denied ? (
            <Alert tone="error" title={denied.title}>
              {denied.lines.length ? (
                <ul className="list-disc pl-5">
                  {denied.lines.map((l) => (
                    <li key={l}>{l}</li>
                  ))}
                </ul>
              ) : null}
            </Alert>
          ) : null}
          <ServerError result={failure} />
          <div className="flex items-center gap-3">
            <Button type="submit" disabled={blocked || pending || unchanged || Boolean(problem) || Boolean(denied)}>
              Resize
            </Button>
            {!unchanged && !problem && !denied ? (
              <span className="text-sm text-slate-600">
                {current.cpuCores} → {wanted.cpuCores} vCPU · {current.memoryMb} → {wanted.memoryMb} MB · {current.diskGb} → {wanted.diskGb} GB
              </span>
            ) : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
