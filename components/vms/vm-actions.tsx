"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useMemo, useRef, useState, useTransition, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { QuotaBar } from "@/components/quota/quota-bar";
import { RequestMore } from "@/components/quota/request-more";
import { monthlyCost } from "@/lib/pricing/cost";
import type { Resources } from "@/lib/quota/usage";
import { sizeOf } from "@/lib/schemas/size";
import type { TaskView } from "@/lib/tasks/get-task";
import { describeDenial } from "@/lib/ui/denials";
import { formatMemory, gib, mbFromGib } from "@/lib/ui/units";
import { ACTION_LABELS, ACTION_PROGRESSIVE, actionOfKind, resizeProblem, resizeQuotaCheck, type ResizableSize } from "@/lib/vms/action-rules";
import type { VmControls } from "@/lib/vms/vm-page-data";
import { resizeVm, vmAction, type VmActionResult } from "@/app/(portal)/vms/[vmId]/actions";

type Power = "start" | "shutdown" | "stop" | "reboot";
export const POWER: { action: Power; variant: "primary" | "secondary"; hint: string }[] = [
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

async function fetchTask(id: string): Promise<TaskView> {
  const res = await fetch(`/api/v1/tasks/${encodeURIComponent(id)}`, { cache: "no-store" });
  const body = (await res.json()) as { message: string; data: TaskView };
  if (!res.ok) throw new Error(body.message);
  return body.data;
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/**
 * A task on this VM, followed on the VM's page: polls the task API every second and shows its
 * progress and current step; when it ends the page reloads its data (after a delete: My VMs).
 */
function TaskProgress({ taskId, onDone }: { taskId: string; onDone: () => void }) {
  const router = useRouter();
  const { data: task, error } = useQuery({
    queryKey: ["task", taskId],
    queryFn: () => fetchTask(taskId),
    refetchInterval: (q) => (q.state.data && TERMINAL.has(q.state.data.status) ? false : 1000),
  });
  const ended = task ? TERMINAL.has(task.status) : false;
  const deleted = task?.status === "completed" && actionOfKind(task.kind) === "delete";
  useEffect(() => {
    if (!ended) return;
    onDone();
    if (deleted) router.push("/vms");
    else router.refresh();
  }, [ended, deleted, onDone, router]);
  const action = task ? actionOfKind(task.kind) : null;
  const step = task?.steps.find((s) => s.status === "in_progress") ?? task?.steps.find((s) => s.status === "pending");
  const title = action ? `${ACTION_PROGRESSIVE[action][0]!.toUpperCase()}${ACTION_PROGRESSIVE[action].slice(1)}…` : "Working…";
  return (
    <div role="status" aria-live="polite" className="space-y-2 rounded-md border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900" data-testid="vm-task-progress">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3">
        <p className="font-semibold">{title}</p>
        <Link href={`/tasks/${encodeURIComponent(taskId)}`} className="text-xs underline">
          Steps and log
        </Link>
      </div>
      <div className="h-2 overflow-hidden rounded-full bg-white" role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={task?.progress ?? 0}>
        <div className="h-full bg-indigo-500 transition-all" style={{ width: `${task?.progress ?? 0}%` }} />
      </div>
      <p className="text-xs">{error ? `Lost contact with the server (${(error as Error).message}); retrying…` : step ? step.name : task ? "Finishing…" : "Starting…"}</p>
    </div>
  );
}

/** Submits an action; on success the page follows its task in place, else shows why it was refused. */
function useSubmit() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [failure, setFailure] = useState<Extract<VmActionResult, { ok: false }> | null>(null);
  const [following, setFollowing] = useState<string | null>(null);
  const submit = (call: () => Promise<VmActionResult>, after?: () => void) =>
    startTransition(async () => {
      setFailure(null);
      const result = await call();
      after?.();
      if (result.ok) {
        setFollowing(result.data.taskId);
        router.refresh();
      } else setFailure(result);
    });
  return { pending, failure, submit, following, setFollowing };
}

/** A button whose action waits for a confirmation in a modal dialog (hard Stop, Delete; also on My VMs' rows). */
export function ConfirmButton({
  label,
  confirmLabel,
  title,
  variant,
  size = "md",
  disabled,
  onConfirm,
  children,
}: {
  label: ReactNode;
  size?: "sm" | "md";
  confirmLabel: string;
  title: string;
  variant: "danger" | "secondary";
  disabled: boolean;
  onConfirm: (close: () => void) => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = () => dialog.current?.close();
  return (
    <>
      <Button variant={variant} size={size} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-[calc(100%-2rem)] max-w-md rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-black/50"
      >
        <div className="px-5 py-4">
          <h2 id={titleId} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          <div className="mt-2 text-sm text-slate-600">{children}</div>
        </div>
        <div className="flex justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">
          <Button variant="secondary" onClick={close} autoFocus>
            Cancel
          </Button>
          <Button variant="danger" busy={disabled} onClick={() => onConfirm(close)}>
            {confirmLabel}
          </Button>
        </div>
      </dialog>
    </>
  );
}

/** The power buttons the VM's state allows, and Delete; a running task's progress in their place. */
export function VmActionBar({ controls }: { controls: VmControls }) {
  const { vm, actions, activeTask, lastFailed } = controls;
  const { pending, failure, submit, following, setFollowing } = useSubmit();
  const done = useCallback(() => setFollowing(null), [setFollowing]);
  const taskId = following ?? activeTask?.id ?? null;
  if (taskId) return <TaskProgress key={taskId} taskId={taskId} onDone={done} />;
  const failedAction = lastFailed ? actionOfKind(lastFailed.kind) : null;
  return (
    <div className="space-y-3">
      {lastFailed ? (
        <Alert tone="error" title={`${failedAction === "create" ? "Creating the VM" : failedAction ? ACTION_LABELS[failedAction] : lastFailed.kind} failed`}>
          {lastFailed.error ?? "The task failed."}{" "}
          <Link href={`/tasks/${encodeURIComponent(lastFailed.id)}`} className="underline">
            Steps and log
          </Link>
        </Alert>
      ) : null}
      {controls.mayAct ? (
        <div className="flex flex-wrap gap-2" role="group" aria-label="VM actions">
          {POWER.filter((p) => actions.includes(p.action)).map((p) =>
            p.action === "stop" ? (
              <ConfirmButton
                key={p.action}
                label={ACTION_LABELS.stop}
                confirmLabel={`Stop ${vm.name}`}
                title={`Stop ${vm.name} at once?`}
                variant="secondary"
                disabled={pending}
                onConfirm={(close) => submit(() => vmAction(vm.id, "stop"), close)}
              >
                Stop powers the VM off immediately, like pulling the plug: unsaved data in the guest is lost. <strong>Shut down</strong> asks the guest to power off cleanly
                instead.
              </ConfirmButton>
            ) : (
              <Button key={p.action} variant={p.variant} title={p.hint} disabled={pending} onClick={() => submit(() => vmAction(vm.id, p.action))}>
                {pending ? `${ACTION_LABELS[p.action]}…` : ACTION_LABELS[p.action]}
              </Button>
            ),
          )}
          {actions.includes("delete") ? (
            <ConfirmButton
              label="Delete"
              confirmLabel={`Delete ${vm.name}`}
              title={`Delete ${vm.name}?`}
              variant="danger"
              disabled={pending}
              onConfirm={(close) => submit(() => vmAction(vm.id, "delete"), close)}
            >
              <strong>{vm.name}</strong> is stopped if it runs, then destroyed with its disks on {vm.provider}. This cannot be undone. Its {vm.cpuCores} vCPU,{" "}
              {formatMemory(vm.memoryMb)} and {vm.diskGb} GB go back to your quota.
            </ConfirmButton>
          ) : null}
        </div>
      ) : null}
      <ServerError result={failure} />
    </div>
  );
}

const DIMS = [
  { key: "cpuCores", field: "cpuCores", label: "CPU cores", unit: "vCPU" },
  { key: "memoryMb", field: "memorySize", label: "Memory", unit: "GiB" },
  { key: "diskGb", field: "diskSize", label: "Disk", unit: "GB" },
] as const;

/** A size as typed: memory in GiB (the API takes MB). */
type Typed = Record<keyof ResizableSize, string>;
const typedFrom = (s: ResizableSize): Typed => ({ cpuCores: String(s.cpuCores), memoryMb: String(gib(s.memoryMb)), diskGb: String(s.diskGb) });
const shown = (key: keyof ResizableSize, value: number) => (key === "memoryMb" ? gib(value) : value);

/**
 * The resize form: the server's rules (lib/vms/action-rules) run here too, so the reasons read the
 * same; bars show each aggregate quota with the change, and the monthly cost before and after.
 */
export function ResizeForm({ controls }: { controls: VmControls }) {
  const { vm, resize } = controls;
  const current: ResizableSize = { cpuCores: vm.cpuCores, memoryMb: vm.memoryMb, diskGb: vm.diskGb };
  const [values, setValues] = useState<Typed>(typedFrom(current));
  const { pending, failure, submit, following } = useSubmit();
  const wanted: ResizableSize = { cpuCores: Number(values.cpuCores), memoryMb: mbFromGib(Number(values.memoryMb)), diskGb: Number(values.diskGb) };
  const invalid = DIMS.filter((d) => (d.key === "memoryMb" ? !(Number(values.memoryMb) > 0) || !Number.isFinite(wanted.memoryMb) : !Number.isInteger(wanted[d.key]) || wanted[d.key] <= 0));
  const unchanged = wanted.cpuCores === current.cpuCores && wanted.memoryMb === current.memoryMb && wanted.diskGb === current.diskGb;
  const problem = invalid.length
    ? `${invalid.map((d) => d.label).join(", ")}: enter ${invalid.some((d) => d.key === "memoryMb") ? "a number" : "a whole number"} greater than 0`
    : unchanged
      ? null
      : resizeProblem(current, wanted, resize.min, resize.templateName ?? undefined);
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
            lines: verdict.denials.map((d) => describeDenial(d, controls.currency)),
          }
        : null;
  // The fields to mark: the dimension a problem or a denial is about.
  const flagged = new Set<string>([
    ...invalid.map((d) => d.key),
    ...(problem && wanted.diskGb < current.diskGb ? ["diskGb"] : []),
    ...(problem && /below the minimums/.test(problem) ? DIMS.filter((d) => wanted[d.key] < current[d.key]).map((d) => d.key) : []),
    ...(verdict && verdict.kind !== "ok" && verdict.kind !== "no_plan" ? verdict.denials.map((d) => d.dimension) : []),
  ]);
  const blocked = !controls.mayAct || controls.activeTask !== null || following !== null || !controls.actions.includes("resize");
  const validSize = invalid.length === 0;
  const newCost = validSize ? monthlyCost({ ...wanted, gpus: sizeOf(vm).gpus }, resize.prices) : null;
  const errorId = useId();
  const hasError = Boolean(problem || denied || failure);

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
                hint={
                  d.key === "diskGb"
                    ? `now ${current.diskGb} GB; can only grow`
                    : `now ${shown(d.key, current[d.key])}${resize.perVm ? `, at most ${shown(d.key, resize.perVm[d.key])} per VM` : ""}`
                }
              >
                <Input
                  id={`resize-${d.field}`}
                  type="number"
                  inputMode={d.key === "memoryMb" ? "decimal" : "numeric"}
                  min={d.key === "diskGb" ? current.diskGb : d.key === "memoryMb" ? 0.25 : 1}
                  step={d.key === "memoryMb" ? 0.25 : 1}
                  value={values[d.key]}
                  disabled={blocked || pending}
                  invalid={flagged.has(d.key)}
                  aria-errormessage={flagged.has(d.key) && hasError ? errorId : undefined}
                  onChange={(e) => setValues((v) => ({ ...v, [d.key]: e.target.value }))}
                />
              </Field>
            ))}
          </div>
          {resize.scopes.length && validSize ? (
            <div className="space-y-4">
              {resize.scopes.map((sc) => (
                <section key={sc.label} aria-label={`Quota: ${sc.label}`} className="space-y-2">
                  <h3 className="text-sm font-semibold text-slate-900">{sc.label}</h3>
                  {DIMS.map((d) => {
                    const limit = sc.limits[d.key];
                    if (limit === null) return null;
                    return (
                      <QuotaBar
                        key={d.key}
                        label={d.label}
                        unit={d.unit}
                        used={shown(d.key, sc.used[d.key])}
                        adding={shown(d.key, wanted[d.key] - current[d.key])}
                        limit={shown(d.key, limit)}
                      />
                    );
                  })}
                </section>
              ))}
            </div>
          ) : null}
          <div id={errorId} className="space-y-3">
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
            {verdict && verdict.kind !== "ok" && verdict.kind !== "no_plan" ? (
              <RequestMore denials={verdict.denials} currency={controls.currency} team={resize.scopes.find((s) => s.team)?.team ?? null} />
            ) : null}
            <ServerError result={failure} />
          </div>
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" busy={pending} disabled={blocked || unchanged || Boolean(problem) || Boolean(denied)}>
              {pending ? "Resizing…" : "Resize"}
            </Button>
            {!unchanged && !problem ? (
              <span className="text-sm text-slate-600" data-testid="resize-summary">
                {current.cpuCores} → {wanted.cpuCores} vCPU · {formatMemory(current.memoryMb)} → {formatMemory(wanted.memoryMb)} · {current.diskGb} → {wanted.diskGb} GB
                {newCost !== null ? (
                  <>
                    {" "}
                    · {controls.monthlyCost.toFixed(2)} → <strong className="text-slate-900">{newCost.toFixed(2)}</strong> {controls.currency} per month
                  </>
                ) : null}
              </span>
            ) : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
