"use client";

import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { monthlyCost } from "@/lib/pricing/cost";
import { aggregateDenials, perVmDenials, type PlanLimits } from "@/lib/quota/rules";
import type { Resources } from "@/lib/quota/usage";
import { vmNameProblem } from "@/lib/schemas/vm";
import type { WizardData, WizardTemplate } from "@/lib/vms/wizard-data";
import { createVmAction } from "@/app/(portal)/vms/new/actions";

type Values = {
  templateId: string;
  target: string;
  cpuCores: number;
  memorySize: number;
  diskSize: number;
  name: string;
  ciuser: string;
  auth: "password" | "ssh_key";
  cipassword: string;
  sshKeyId: string;
};

const STEPS = ["Template", "Size", "Access", "Review"] as const;
type Dim = "cpuCores" | "memoryMb" | "diskGb";
const DIMS: { key: Dim; field: "cpuCores" | "memorySize" | "diskSize"; label: string; unit: string }[] = [
  { key: "cpuCores", field: "cpuCores", label: "vCPU cores", unit: "cores" },
  { key: "memoryMb", field: "memorySize", label: "Memory", unit: "MB" },
  { key: "diskGb", field: "diskSize", label: "Disk", unit: "GB" },
];

function StepList({ current }: { current: number }) {
  return (
    <ol className="mb-6 flex flex-wrap gap-2" aria-label="Steps">
      {STEPS.map((label, i) => (
        <li
          key={label}
          aria-current={i === current ? "step" : undefined}
          className={cn(
            "flex items-center gap-2 rounded-full px-3 py-1 text-sm",
            i === current ? "bg-indigo-600 text-white" : i < current ? "bg-indigo-50 text-indigo-700" : "bg-slate-100 text-slate-500",
          )}
        >
          <span className="font-semibold">{i + 1}</span> {label}
        </li>
      ))}
    </ol>
  );
}

/** used / adding / left for one dimension of the aggregate quota. */
function QuotaBar({ label, unit, used, adding, limit }: { label: string; unit: string; used: number; adding: number; limit: number }) {
  const pct = (n: number) => (limit > 0 ? Math.min(100, (n / limit) * 100) : 100);
  const over = used + adding > limit;
  const left = Math.max(0, limit - used - adding);
  const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
  return (
    <div>
      <div className="flex justify-between text-xs text-slate-600">
        <span className="font-medium text-slate-800">{label}</span>
        <span>
          used {n(used)} · adding <span className={over ? "font-semibold text-red-600" : "font-semibold text-indigo-700"}>{n(adding)}</span> · left {n(left)} of {n(limit)} {unit}
        </span>
      </div>
      <div className="mt-1 flex h-2 overflow-hidden rounded-full bg-slate-100" aria-hidden>
        <div className="bg-slate-400" style={{ width: `${pct(used)}%` }} />
        <div className={over ? "bg-red-500" : "bg-indigo-500"} style={{ width: `${Math.max(0, Math.min(100 - pct(used), pct(adding)))}%` }} />
      </div>
    </div>
  );
}

function TemplateCard({ t, selected, onSelect }: { t: WizardTemplate; selected: boolean; onSelect: () => void }) {
  return (
    <button
      type="button"
      onClick={onSelect}
      aria-pressed={selected}
      className={cn(
        "flex h-full flex-col rounded-lg border bg-white p-4 text-left shadow-xs transition",
        selected ? "border-indigo-600 ring-2 ring-indigo-600" : "border-slate-200 hover:border-slate-300",
      )}
    >
      <span className="text-sm font-semibold text-slate-900">{t.name}</span>
      <span className="text-xs text-indigo-700">{t.os || "Linux"}</span>
      <span className="mt-2 flex-1 text-sm text-slate-600">{t.description || "No description."}</span>
      <span className="mt-3 text-xs text-slate-500">
        min {t.min.cpuCores} vCPU · {t.min.memoryMb} MB · {t.min.diskGb} GB · {t.provider}{t.home ? `/${t.home}` : ""}
      </span>
    </button>
  );
}

export function CreateVmWizard({ data }: { data: WizardData }) {
  const router = useRouter();
  const [step, setStep] = useState(0);
  const [serverError, setServerError] = useState<{ error: string; details?: string[] } | null>(null);
  const first = data.templates[0]!;
  const form = useForm<Values>({
    mode: "onChange",
    defaultValues: {
      templateId: "",
      target: first.home && first.placements.includes(first.home) ? first.home : (first.placements[0] ?? ""),
      cpuCores: first.defaults.cpuCores,
      memorySize: first.defaults.memoryMb,
      diskSize: first.defaults.diskGb,
      name: "",
      ciuser: first.ciuser ?? "",
      auth: data.sshKeys.length ? "ssh_key" : "password",
      cipassword: "",
      sshKeyId: data.sshKeys[0]?.id ?? "",
    },
  });
  const { register, setValue, trigger, formState, handleSubmit, control } = form;
  const values = useWatch({ control }) as Values;
  const template = data.templates.find((t) => t.id === values.templateId);
  const perVm = data.perVm!;
  // Each aggregate quota the request must fit (the user's plan, the team's), null limits = none.
  const scopes = useMemo(
    () =>
      data.scopes.map((sc) => ({
        ...sc,
        planLimits: {
          perVm,
          total: Object.fromEntries(Object.entries(sc.limits).map(([k, v]) => [k, v ?? Infinity])) as Resources,
        } satisfies PlanLimits,
      })),
    [data.scopes, perVm],
  );

  // The same rules the server applies (lib/quota/rules), so the reasons read the same.
  const request = { cpuCores: Number(values.cpuCores) || 0, memoryMb: Number(values.memorySize) || 0, diskGb: Number(values.diskSize) || 0, gpus: 0 };
  const spend = monthlyCost({ ...request, gpus: {} }, data.prices);
  const denials = useMemo(
    () => [
      ...perVmDenials({ perVm, total: scopes[0]?.planLimits.total ?? ({} as Resources) }, request),
      ...scopes.flatMap((sc) => aggregateDenials(sc.planLimits, sc.used, { ...request, vms: 1, monthlySpend: spend }, sc.team)),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [scopes, perVm, request.cpuCores, request.memoryMb, request.diskGb, spend],
  );
  const leftOf = (d: Dim | "vms") => Math.min(...scopes.map((sc) => sc.planLimits.total[d] - sc.used[d]));
  const vmsLeft = leftOf("vms");

  function sizeRule(dim: Dim, min: number) {
    return (raw: number) => {
      const v = Number(raw);
      if (!Number.isInteger(v) || v <= 0) return "Enter a whole number greater than 0";
      if (template && v < min) return `At least ${min} for ${template.name}`;
      if (v > perVm[dim]) return `At most ${perVm[dim]}: your plan allows ${perVm[dim]} per VM`;
      for (const sc of scopes) {
        const left = sc.planLimits.total[dim] - sc.used[dim];
        if (v > left) return `Only ${Math.max(0, left)} left of ${sc.team ? `team ${sc.team}'s` : "your plan's"} ${sc.planLimits.total[dim]} (${sc.used[dim]} in use)`;
      }
      return true;
    };
  }

  function chooseTemplate(t: WizardTemplate) {
    setValue("templateId", t.id, { shouldValidate: true });
    setValue("target", t.home && t.placements.includes(t.home) ? t.home : (t.placements[0] ?? ""));
    setValue("cpuCores", t.defaults.cpuCores);
    setValue("memorySize", t.defaults.memoryMb);
    setValue("diskSize", t.defaults.diskGb);
    if (t.ciuser) setValue("ciuser", t.ciuser);
  }

  async function next() {
    const fields: Record<number, (keyof Values)[]> = {
      0: ["templateId"],
      1: ["target", "cpuCores", "memorySize", "diskSize"],
      2: ["name", "ciuser", "cipassword", "sshKeyId"],
    };
    if (step === 0 && !values.templateId) return;
    if (step === 1 && vmsLeft <= 0) return;
    if (await trigger(fields[step])) setStep(step + 1);
  }

  async function submit(v: Values) {
    setServerError(null);
    const result = await createVmAction({
      template_id: v.templateId,
      name: v.name.trim(),
      target: v.target,
      cpuCores: Number(v.cpuCores),
      memorySize: Number(v.memorySize),
      diskSize: Number(v.diskSize),
      ciuser: v.ciuser.trim() || undefined,
      ...(v.auth === "password" ? { cipassword: v.cipassword } : { ssh_key_id: v.sshKeyId }),
    });
    if (!result.ok) {
      setServerError({ error: result.error, details: result.details });
      return;
    }
    router.push(`/tasks/${encodeURIComponent(result.data.taskId)}`);
  }

  return (
    <form onSubmit={handleSubmit(submit)} noValidate>
      <StepList current={step} />
      {serverError ? (
        <div className="mb-4">
          <Alert tone="error" title={serverError.error}>
            {serverError.details?.length ? (
              <ul className="list-disc pl-5">
                {serverError.details.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            ) : null}
          </Alert>
        </div>
      ) : null}

      {step === 0 ? (
        <section aria-label="Choose a template">
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {data.templates.map((t) => (
              <TemplateCard key={t.id} t={t} selected={t.id === values.templateId} onSelect={() => chooseTemplate(t)} />
            ))}
          </div>
          <input type="hidden" {...register("templateId", { required: "Choose a template" })} />
        </section>
      ) : null}

      {step === 1 && template ? (
        <Card>
          <CardBody className="grid gap-8 p-6 lg:grid-cols-2">
            <div className="space-y-4">
              {vmsLeft <= 0 ? (
                <Alert tone="error">You have used all the VMs your plan allows. Delete one before creating another.</Alert>
              ) : null}
              {DIMS.map((d) => {
                const min = template.min[d.key];
                const max = Math.max(0, Math.min(perVm[d.key], leftOf(d.key)));
                const error = formState.errors[d.field]?.message;
                return (
                  <Field
                    key={d.key}
                    id={d.field}
                    label={`${d.label} (${d.unit})`}
                    error={error}
                    hint={`${min} to ${max}${d.key === "memoryMb" ? ` MB (${(Number(values.memorySize) / 1024 || 0).toFixed(1)} GiB)` : ""}`}
                  >
                    <Input
                      id={d.field}
                      type="number"
                      inputMode="numeric"
                      min={min}
                      max={max}
                      step={d.key === "memoryMb" ? 256 : 1}
                      invalid={!!error}
                      {...register(d.field, { valueAsNumber: true, validate: sizeRule(d.key, min) })}
                    />
                  </Field>
                );
              })}
              <Field id="target" label={template.placementLabel} hint={`Where the VM runs on ${template.provider}.`}>
                <select
                  id="target"
                  className="block w-full rounded-md border-0 bg-white px-3 py-2 text-sm shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
                  {...register("target", { required: true })}
                >
                  {template.placements.map((n) => (
                    <option key={n} value={n}>
                      {n}
                      {n === template.home ? " (the template's)" : ""}
                    </option>
                  ))}
                  {template.unavailable.map((u) => (
                    <option key={u.name} value={u.name} disabled title={u.reason}>
                      {u.name}: {u.reason}
                    </option>
                  ))}
                </select>
              </Field>
            </div>
            <div className="space-y-4">
              {scopes.map((sc) => (
                <div key={sc.label} className="space-y-3">
                  <h3 className="text-sm font-semibold text-slate-900">{sc.label}</h3>
                  {DIMS.map((d) => (
                    <QuotaBar key={d.key} label={d.label} unit={d.unit} used={sc.used[d.key]} adding={request[d.key]} limit={sc.planLimits.total[d.key]} />
                  ))}
                  <QuotaBar label="VMs" unit="VMs" used={sc.used.vms} adding={1} limit={sc.planLimits.total.vms} />
                  {Number.isFinite(sc.planLimits.total.monthlySpend) ? (
                    <QuotaBar label="Monthly spend" unit={data.currency} used={sc.used.monthlySpend} adding={spend} limit={sc.planLimits.total.monthlySpend} />
                  ) : null}
                </div>
              ))}
              <p className="text-sm text-slate-600">
                Estimated cost: <span className="font-semibold text-slate-900">{spend.toFixed(2)} {data.currency}</span> per month
              </p>
              {denials.length ? (
                <Alert tone="error" title="Over your plan">
                  <ul className="list-disc pl-5">
                    {denials.map((d) => (
                      <li key={d.scope + d.dimension}>{d.message}</li>
                    ))}
                  </ul>
                </Alert>
              ) : null}
            </div>
          </CardBody>
        </Card>
      ) : null}

      {step === 2 && template ? (
        <Card>
          <CardBody className="grid max-w-xl gap-4 p-6">
            <Field id="name" label="VM name" hint="A DNS name: letters, digits and hyphens, e.g. build-box-1." error={formState.errors.name?.message}>
              <Input
                id="name"
                autoComplete="off"
                invalid={!!formState.errors.name}
                {...register("name", { validate: (v) => vmNameProblem(v.trim()) ?? true })}
              />
            </Field>
            <Field id="ciuser" label="Login user (cloud-init)" hint="Leave as is to use the template's default." error={formState.errors.ciuser?.message}>
              <Input
                id="ciuser"
                invalid={!!formState.errors.ciuser}
                {...register("ciuser", { validate: (v) => !v || /^[a-z_][a-z0-9_-]{0,31}$/.test(v) || "A Unix user name: lower-case letters, digits, _ and -" })}
              />
            </Field>
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-800">How you log in</legend>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" value="ssh_key" disabled={!data.sshKeys.length} {...register("auth")} /> One of my SSH keys
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" value="password" {...register("auth")} /> A password
              </label>
            </fieldset>
            {values.auth === "ssh_key" ? (
              <Field id="sshKeyId" label="SSH key" error={formState.errors.sshKeyId?.message}>
                <select
                  id="sshKeyId"
                  className="block w-full rounded-md border-0 bg-white px-3 py-2 text-sm shadow-xs ring-1 ring-inset ring-slate-300"
                  {...register("sshKeyId", { validate: (v, all) => all.auth !== "ssh_key" || Boolean(v) || "Choose a key" })}
                >
                  {data.sshKeys.map((k) => (
                    <option key={k.id} value={k.id}>
                      {k.name} ({k.fingerprint.slice(0, 20)}…)
                    </option>
                  ))}
                </select>
              </Field>
            ) : (
              <Field id="cipassword" label="Password" hint="At least 8 characters." error={formState.errors.cipassword?.message}>
                <Input
                  id="cipassword"
                  type="password"
                  autoComplete="new-password"
                  invalid={!!formState.errors.cipassword}
                  {...register("cipassword", { validate: (v, all) => all.auth !== "password" || v.length >= 8 || "At least 8 characters" })}
                />
              </Field>
            )}
            {!data.sshKeys.length ? (
              <p className="text-xs text-slate-500">
                To log in with a key, add one on your{" "}
                <Link href="/profile" className="underline">
                  profile
                </Link>{" "}
                first.
              </p>
            ) : null}
          </CardBody>
        </Card>
      ) : null}

      {step === 3 && template ? (
        <Card>
          <CardBody className="p-6">
            <dl className="grid gap-x-8 gap-y-3 text-sm sm:grid-cols-2" aria-label="Review">
              {[
                ["Template", `${template.name} (${template.os || "Linux"})`],
                ["Name", values.name],
                [template.placementLabel, `${template.provider} / ${values.target}`],
                ["Size", `${values.cpuCores} vCPU · ${values.memorySize} MB · ${values.diskSize} GB`],
                ["Estimated cost", `${spend.toFixed(2)} ${data.currency} per month`],
                ["Login user", values.ciuser || "template default"],
                ["Log in with", values.auth === "password" ? "password" : `SSH key ${data.sshKeys.find((k) => k.id === values.sshKeyId)?.name ?? ""}`],
              ].map(([k, v]) => (
                <div key={k}>
                  <dt className="text-slate-500">{k}</dt>
                  <dd className="font-medium text-slate-900">{v}</dd>
                </div>
              ))}
            </dl>
          </CardBody>
        </Card>
      ) : null}

      <div className="mt-6 flex justify-between">
        <Button variant="secondary" onClick={() => setStep(Math.max(0, step - 1))} disabled={step === 0}>
          Back
        </Button>
        {step < 3 ? (
          <Button key="next" onClick={() => void next()} disabled={(step === 0 && !values.templateId) || (step === 1 && (vmsLeft <= 0 || denials.length > 0))}>
            Next
          </Button>
        ) : (
          // A separate element (key): reusing "Next"'s button as a submit button would submit on that click.
          <Button key="create" type="submit" disabled={formState.isSubmitting}>
            {formState.isSubmitting ? "Creating…" : "Create VM"}
          </Button>
        )}
      </div>
    </form>
  );
}
