"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import dynamic from "next/dynamic";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { QuotaBar } from "@/components/quota/quota-bar";
import { monthlyCost } from "@/lib/pricing/cost";
import { aggregateDenials, perVmDenials, type PlanLimits } from "@/lib/quota/rules";
import type { Resources } from "@/lib/quota/usage";
import { vmNameProblem } from "@/lib/schemas/vm-name";
import type { WizardData, WizardPrefill, WizardTemplate } from "@/lib/vms/wizard-data";
import { createVmAction, quoteGpuAction } from "@/app/(portal)/vms/new/actions";
import { fromPlanRentalType, type PlanRentalType } from "@/lib/pricing/rental-types";
import { RENTAL_TYPE_LABELS, type RentalType } from "@/lib/schemas/catalog";
import type { GpuQuoteView } from "@/lib/vms/quote-gpu";
import { GpuPrice, GpuStep, gpuCountLimit, type GpuScope } from "./gpu-step";
import { SshKeyChoice } from "./wizard-ssh-keys";
import { userDataProblem } from "@/lib/schemas/user-data";
import { formatMemory, formatSize, gib, mbFromGib, shownQuantity } from "@/lib/ui/units";
import { describeDenial } from "@/lib/ui/denials";
import { sshKeyChoiceProblem, unorderableSize } from "@/lib/vms/wizard-rules";

type Values = {
  templateId: string;
  target: string;
  cpuCores: number;
  /** Typed in GiB (sent in MB, as the API takes it). */
  memorySize: number;
  diskSize: number;
  name: string;
  ciuser: string;
  auth: "password" | "ssh_key";
  cipassword: string;
  /** The saved keys to install (ids), when logging in with keys. */
  sshKeyIds: string[];
  /** Custom cloud-config for templates whose provider takes it ("" for none). */
  userData: string;
  /** GPU templates: the offer's GPU type ("" for none), how many, the rental type (the plan's names) and auto-restart. */
  gpuType: string;
  gpuCount: number;
  rental: string;
  autoRestart: boolean;
};

// Loaded when a denial shows it (its request schemas bring zod, which the wizard's first load does without).
const RequestMore = dynamic(() => import("@/components/quota/request-more").then((m) => m.RequestMore));

const ALL_STEPS = ["Template", "GPU", "Size", "Access", "Review"] as const;
type StepName = (typeof ALL_STEPS)[number];
type Dim = "cpuCores" | "memoryMb" | "diskGb";
const DIMS: { key: Dim; field: "cpuCores" | "memorySize" | "diskSize"; label: string; unit: string }[] = [
  { key: "cpuCores", field: "cpuCores", label: "CPU cores", unit: "vCPU" },
  { key: "memoryMb", field: "memorySize", label: "Memory", unit: "GiB" },
  { key: "diskGb", field: "diskSize", label: "Disk", unit: "GB" },
];

/** The steps as pills; finished ones are buttons that go back to them (mouse and keyboard). */
function StepList({ current, steps, onGo }: { current: number; steps: readonly StepName[]; onGo: (step: number) => void }) {
  const pill = "flex items-center gap-2 rounded-full px-3 py-1 text-sm";
  return (
    <ol className="mb-6 flex flex-wrap gap-2" aria-label="Steps">
      {steps.map((label, i) => (
        <li key={label} aria-current={i === current ? "step" : undefined}>
          {i < current ? (
            <button
              type="button"
              onClick={() => onGo(i)}
              className={cn(pill, "bg-indigo-50 text-indigo-700 hover:bg-indigo-100 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600")}
            >
              <span className="font-semibold">{i + 1}</span> {label}
              <span className="sr-only"> (done; go back to this step)</span>
            </button>
          ) : (
            <span className={cn(pill, i === current ? "bg-indigo-600 text-on-accent" : "bg-slate-100 text-slate-600")}>
              <span className="font-semibold">{i + 1}</span> {label}
            </span>
          )}
        </li>
      ))}
    </ol>
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
        min {formatSize(t.min)} · {t.provider}{t.home ? `/${t.home}` : ""}
      </span>
    </button>
  );
}

/** `prefill`: starting values, e.g. a failed create's request (Edit and retry); a template not offered to this user is ignored. */
export function CreateVmWizard({ data, prefill = {} }: { data: WizardData; prefill?: WizardPrefill }) {
  const router = useRouter();
  const [step, setStep] = useState(0);
  const [serverError, setServerError] = useState<{ error: string; details?: string[] } | null>(null);
  const chosen = data.templates.find((t) => t.id === prefill.templateId);
  const first = chosen ?? data.templates[0]!;
  const form = useForm<Values>({
    mode: "onChange",
    defaultValues: {
      templateId: chosen?.id ?? "",
      target: prefill.target && first.placements.includes(prefill.target) ? prefill.target : first.home && first.placements.includes(first.home) ? first.home : (first.placements[0] ?? ""),
      cpuCores: prefill.cpuCores ?? first.defaults.cpuCores,
      memorySize: gib(prefill.memorySize ?? first.defaults.memoryMb),
      diskSize: prefill.diskSize ?? first.defaults.diskGb,
      name: prefill.name ?? "",
      ciuser: prefill.ciuser ?? first.ciuser ?? "",
      auth: data.sshKeys.length ? "ssh_key" : "password",
      cipassword: "",
      sshKeyIds: data.sshKeys[0] ? [data.sshKeys[0].id] : [],
      userData: "",
      // A failed GPU order comes back with its GPU type, count and rental type (Edit and retry).
      gpuType: chosen && prefill.gpuType && chosen.gpu?.offers.some((o) => o.gpuType === prefill.gpuType) ? prefill.gpuType : "",
      gpuCount: prefill.gpuCount ?? 1,
      rental: prefill.rental ?? "on_demand",
      autoRestart: prefill.autoRestart ?? false,
    },
  });
  const { register, setValue, trigger, formState, handleSubmit, control } = form;
  // The keys to choose from: the saved ones, and those saved from the Access step since.
  const [keys, setKeys] = useState(data.sshKeys);
  // The chosen keys are no input of their own (a checkbox per key): validated as a registered field.
  useEffect(() => {
    register("sshKeyIds", {
      validate: (ids, all) => {
        if (all.auth !== "ssh_key") return true;
        const t = data.templates.find((x) => x.id === all.templateId);
        return sshKeyChoiceProblem(ids.length, t?.cloudInit.maxSshKeys ?? Infinity, t?.kindLabel ?? "") ?? true;
      },
    });
  }, [register, data.templates]);
  const values = useWatch({ control }) as Values;
  const template = data.templates.find((t) => t.id === values.templateId);
  // The shortest password the template's provider takes (Nova Cloud: 12).
  const minPassword = template?.cloudInit.minPasswordLength ?? 8;
  const perVm = data.perVm!;
  const gpu = template?.gpu ?? null;
  // Kinds whose sizes come with the GPU offer get a GPU step before Size; where a GPU is optional it is chosen on the Size step.
  const steps: readonly StepName[] = gpu?.sizesFromOffers ? ALL_STEPS : ALL_STEPS.filter((s) => s !== "GPU");
  const stepName = steps[step]!;
  const offer = gpu?.offers.find((o) => o.gpuType === values.gpuType) ?? null;
  const sizesFromOffer = Boolean(gpu?.sizesFromOffers && offer?.cpuCores && offer?.memorySize);
  // The price before commit: asked of the server (the provider's own quote where it has one) whenever the order changes.
  const [quote, setQuote] = useState<GpuQuoteView | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const rentalChoice = fromPlanRentalType((values.rental || "on_demand") as PlanRentalType);
  useEffect(() => {
    if (!gpu || !values.gpuType) return;
    let current = true;
    const timer = setTimeout(() => {
      void quoteGpuAction({
        template_id: values.templateId,
        target: values.target || undefined,
        diskSize: Number(values.diskSize) || 1,
        // Where sizes are free (VergeOS, PVE), the portal prices the cores and memory too.
        ...(gpu.sizesFromOffers ? {} : { cpuCores: Number(values.cpuCores) || undefined, memorySize: mbFromGib(Number(values.memorySize)) || undefined }),
        gpuType: values.gpuType,
        gpuCount: Number(values.gpuCount),
        rentalType: rentalChoice.rentalType,
        ...(rentalChoice.reservationMonths ? { reservationMonths: rentalChoice.reservationMonths } : {}),
        ...(rentalChoice.rentalType === "interruptible" ? { autoRestart: values.autoRestart } : {}),
      }).then((r) => {
        if (!current) return;
        setQuote(r.ok ? r.data : null);
        setQuoteError(r.ok ? null : r.error);
      });
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [gpu, values.templateId, values.target, values.diskSize, values.cpuCores, values.memorySize, values.gpuType, values.gpuCount, values.rental, values.autoRestart]);
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
  const gpuCount = gpu && values.gpuType ? Number(values.gpuCount) || 0 : 0;
  const request = {
    cpuCores: sizesFromOffer ? offer!.cpuCores! * gpuCount : Number(values.cpuCores) || 0,
    memoryMb: sizesFromOffer ? offer!.memorySize! * gpuCount : mbFromGib(Number(values.memorySize)) || 0,
    diskGb: Number(values.diskSize) || 0,
    gpus: gpuCount,
  };
  // A GPU order counts at its quoted commitment (a reservation: its whole term), as on the server.
  const spend = gpuCount > 0 ? (quote ? Number(quote.commitment) : 0) : monthlyCost({ ...request, gpus: {} }, data.prices);
  const gpuScopes: GpuScope[] = scopes.map((sc) => ({ label: sc.label, gpusUsed: sc.used.gpus, gpusLimit: sc.planLimits.total.gpus, spendUsed: sc.used.monthlySpend, spendLimit: sc.planLimits.total.monthlySpend }));
  const denials = useMemo(
    () => [
      ...perVmDenials({ perVm, total: scopes[0]?.planLimits.total ?? ({} as Resources) }, request),
      ...scopes.flatMap((sc) => aggregateDenials(sc.planLimits, sc.used, { ...request, vms: 1, monthlySpend: spend }, sc.team)),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [scopes, perVm, request.cpuCores, request.memoryMb, request.diskGb, request.gpus, spend],
  );
  // A size that can never be ordered (invalid, below the template's floor, over the per-VM limit) gets no price.
  const unorderable = template && !sizesFromOffer ? unorderableSize(request, template.min, perVm, template.name) : null;
  const leftOf = (d: Dim | "vms") => Math.min(...scopes.map((sc) => sc.planLimits.total[d] - sc.used[d]));
  const vmsLeft = leftOf("vms");

  /** A size field's check; memory is typed in GiB and compared in MB, its messages in GiB. */
  function sizeRule(dim: Dim, min: number) {
    const show = (n: number) => (dim === "memoryMb" ? `${gib(n)} GiB` : String(n));
    return (raw: number) => {
      const typed = Number(raw);
      if (dim === "memoryMb" ? !(typed > 0) : !Number.isInteger(typed) || typed <= 0) return dim === "memoryMb" ? "Enter a number of GiB greater than 0" : "Enter a whole number greater than 0";
      const v = dim === "memoryMb" ? mbFromGib(typed) : typed;
      if (template && v < min) return `At least ${show(min)} for ${template.name}`;
      if (v > perVm[dim]) return `At most ${show(perVm[dim])}: your plan allows ${show(perVm[dim])} per VM`;
      for (const sc of scopes) {
        const left = sc.planLimits.total[dim] - sc.used[dim];
        if (v > left) return `Only ${show(Math.max(0, left))} left of ${sc.team ? `team ${sc.team}'s` : "your plan's"} ${show(sc.planLimits.total[dim])} (${show(sc.used[dim])} in use)`;
      }
      return true;
    };
  }

  function chooseTemplate(t: WizardTemplate) {
    setValue("templateId", t.id, { shouldValidate: true });
    setValue("target", t.home && t.placements.includes(t.home) ? t.home : (t.placements[0] ?? ""));
    setValue("cpuCores", t.defaults.cpuCores);
    setValue("memorySize", gib(t.defaults.memoryMb));
    setValue("diskSize", t.defaults.diskGb);
    if (t.ciuser) setValue("ciuser", t.ciuser);
    // GPU templates: the first GPU type the plan allows with one free, one GPU, on demand.
    const allowed = (g: string) => data.allowedGpuTypes.length === 0 || data.allowedGpuTypes.includes(g);
    const firstOffer = t.gpu?.sizesFromOffers ? (t.gpu.offers.find((o) => allowed(o.gpuType) && o.available > 0) ?? null) : null;
    setValue("gpuType", firstOffer?.gpuType ?? "");
    setValue("gpuCount", firstOffer?.gpuCount[0] ?? 1);
    setValue("rental", "on_demand");
    setValue("autoRestart", false);
    setQuote(null);
  }

  async function next() {
    const fields: Record<StepName, (keyof Values)[]> = {
      Template: ["templateId"],
      GPU: [],
      Size: sizesFromOffer ? ["target", "diskSize"] : ["target", "cpuCores", "memorySize", "diskSize"],
      Access: ["name", "ciuser", "cipassword", "sshKeyIds", "userData"],
      Review: [],
    };
    if (stepName === "Template" && !values.templateId) return;
    if (stepName === "GPU" && (!offer || !quote)) return;
    if (stepName === "Size" && (vmsLeft <= 0 || (values.gpuType && !quote))) return;
    if (sizesFromOffer && stepName === "GPU") {
      setValue("cpuCores", request.cpuCores);
      setValue("memorySize", gib(request.memoryMb));
    }
    if (await trigger(fields[stepName])) setStep(step + 1);
  }

  const gpuStep = (allowNone: boolean) =>
    gpu ? (
      <GpuStep
        allowNone={allowNone}
        offers={gpu.offers}
        sizesFromOffers={gpu.sizesFromOffers}
        allowedGpuTypes={data.allowedGpuTypes}
        allowedRentalTypes={data.allowedRentalTypes}
        perVmGpus={perVm.gpus}
        scopes={gpuScopes}
        currency={data.currency}
        value={{ gpuType: values.gpuType, gpuCount: Number(values.gpuCount), rental: values.rental, autoRestart: values.autoRestart }}
        onChange={(v) => {
          setValue("gpuType", v.gpuType);
          const o = gpu.offers.find((x) => x.gpuType === v.gpuType);
          // One of the offer's counts, within what the plan and the offer allow now (else its smallest).
          const limit = o ? Math.min(v.gpuCount, gpuCountLimit(o, perVm.gpus, gpuScopes)) : v.gpuCount;
          setValue("gpuCount", o ? (o.gpuCount.filter((c) => c <= limit).at(-1) ?? o.gpuCount[0] ?? 1) : v.gpuCount);
          setValue("rental", o && o.rentalTypes.includes(v.rental as RentalType) ? v.rental : "on_demand");
          setValue("autoRestart", v.autoRestart);
        }}
        quote={quote}
        quoteError={quoteError}
      />
    ) : null;

  async function submit(v: Values) {
    setServerError(null);
    const result = await createVmAction({
      template_id: v.templateId,
      name: v.name.trim(),
      target: v.target,
      cpuCores: sizesFromOffer ? request.cpuCores : Number(v.cpuCores),
      memorySize: sizesFromOffer ? request.memoryMb : mbFromGib(Number(v.memorySize)),
      diskSize: Number(v.diskSize),
      ciuser: v.ciuser.trim() || undefined,
      ...(gpu && v.gpuType
        ? {
            gpuType: v.gpuType,
            gpuCount: Number(v.gpuCount),
            rentalType: rentalChoice.rentalType,
            ...(rentalChoice.reservationMonths ? { reservationMonths: rentalChoice.reservationMonths } : {}),
            ...(rentalChoice.rentalType === "interruptible" ? { autoRestart: v.autoRestart } : {}),
          }
        : {}),
      ...(v.auth === "password" ? { cipassword: v.cipassword } : { ssh_key_ids: v.sshKeyIds }),
      ...(v.userData.trim() && template?.cloudInit.userData === true ? { user_data: v.userData } : {}),
    });
    if (!result.ok) {
      setServerError({ error: result.error, details: result.details });
      return;
    }
    router.push(`/tasks/${encodeURIComponent(result.data.taskId)}`);
  }

  return (
    <form onSubmit={handleSubmit(submit)} noValidate>
      <StepList current={step} steps={steps} onGo={setStep} />
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

      {stepName === "Template" ? (
        <section aria-label="Choose a template">
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {data.templates.map((t) => (
              <TemplateCard key={t.id} t={t} selected={t.id === values.templateId} onSelect={() => chooseTemplate(t)} />
            ))}
          </div>
          <input type="hidden" {...register("templateId", { required: "Choose a template" })} />
        </section>
      ) : null}

      {stepName === "GPU" && template && gpu ? (
        <Card>
          <CardBody className="p-6">
            {gpuStep(false)}
          </CardBody>
        </Card>
      ) : null}

      {stepName === "Size" && template ? (
        <Card>
          <CardBody className="grid gap-8 p-6 lg:grid-cols-2">
            <div className="space-y-4">
              {vmsLeft <= 0 ? (
                <Alert tone="error">You have used all the VMs your plan allows. Delete one before creating another.</Alert>
              ) : null}
              {sizesFromOffer ? (
                <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="size-from-offer">
                  {gpuCount} × {offer!.label} {gpuCount === 1 ? "comes" : "come"} with <strong>{request.cpuCores} vCPU</strong> and <strong>{formatMemory(request.memoryMb)} of memory</strong>.
                </p>
              ) : null}
              {DIMS.filter((d) => !sizesFromOffer || d.key === "diskGb").map((d) => {
                const min = template.min[d.key];
                const max = Math.max(0, Math.min(perVm[d.key], leftOf(d.key)));
                const error = formState.errors[d.field]?.message;
                return (
                  <Field
                    key={d.key}
                    id={d.field}
                    label={`${d.label} (${d.unit})`}
                    error={error}
                    hint={d.key === "memoryMb" ? `${gib(min)} to ${gib(max)} GiB` : `${min} to ${max}`}
                  >
                    <Input
                      id={d.field}
                      type="number"
                      inputMode={d.key === "memoryMb" ? "decimal" : "numeric"}
                      min={d.key === "memoryMb" ? gib(min) : min}
                      max={d.key === "memoryMb" ? gib(max) : max}
                      step={d.key === "memoryMb" ? 0.25 : 1}
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
                  <h2 className="text-sm font-semibold text-slate-900">{sc.label}</h2>
                  {DIMS.map((d) => (
                    <QuotaBar
                      key={d.key}
                      label={d.label}
                      unit={d.unit}
                      used={shownQuantity(d.key, sc.used[d.key])}
                      adding={shownQuantity(d.key, request[d.key])}
                      limit={shownQuantity(d.key, sc.planLimits.total[d.key])}
                    />
                  ))}
                  <QuotaBar label="VMs" unit="VMs" used={sc.used.vms} adding={1} limit={sc.planLimits.total.vms} />
                  {Number.isFinite(sc.planLimits.total.monthlySpend) ? (
                    <QuotaBar label="Monthly spend" unit={data.currency} used={sc.used.monthlySpend} adding={spend} limit={sc.planLimits.total.monthlySpend} />
                  ) : null}
                </div>
              ))}
              {gpuCount > 0 && quote ? (
                <GpuPrice quote={quote} currency={data.currency} />
              ) : unorderable ? (
                <p className="text-sm text-slate-600" data-testid="cost-estimate">
                  Estimated cost: <span className="font-semibold text-slate-900">—</span> ({unorderable}, so this size cannot be ordered)
                </p>
              ) : (
                <p className="text-sm text-slate-600" data-testid="cost-estimate">
                  Estimated cost: <span className="font-semibold text-slate-900">{spend.toFixed(2)} {data.currency}</span> per month
                </p>
              )}
              {denials.length ? (
                <Alert tone="error" title="Over your plan">
                  <ul className="list-disc pl-5">
                    {denials.map((d) => (
                      <li key={d.scope + d.dimension}>{describeDenial(d, data.currency)}</li>
                    ))}
                  </ul>
                </Alert>
              ) : null}
              {denials.length ? <RequestMore denials={denials} currency={data.currency} team={scopes.find((sc) => sc.team)?.team ?? null} /> : null}
            </div>
          </CardBody>
        </Card>
      ) : null}

      {stepName === "Size" && gpu && !gpu.sizesFromOffers ? (
        <Card className="mt-6">
          <CardBody className="p-6">{gpuStep(true)}</CardBody>
        </Card>
      ) : null}

      {stepName === "Access" && template ? (
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
                <input type="radio" value="ssh_key" {...register("auth")} /> With SSH keys
              </label>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" value="password" {...register("auth")} /> With a password
              </label>
            </fieldset>
            {values.auth === "ssh_key" ? (
              <SshKeyChoice
                keys={keys}
                chosen={values.sshKeyIds ?? []}
                maxKeys={template.cloudInit.maxSshKeys}
                kindLabel={template.kindLabel}
                error={formState.errors.sshKeyIds?.message}
                onChange={(ids) => setValue("sshKeyIds", ids, { shouldValidate: true })}
                onSaved={(key) => {
                  setKeys((k) => [...k, key]);
                  const ids = [...(values.sshKeyIds ?? []), key.id];
                  setValue("sshKeyIds", template.cloudInit.maxSshKeys === 1 ? [key.id] : ids, { shouldValidate: true });
                }}
              />
            ) : (
              <Field id="cipassword" label="Password" hint={`At least ${minPassword} characters${minPassword > 8 ? ` on ${template.kindLabel}` : ""}.`} error={formState.errors.cipassword?.message}>
                <Input
                  id="cipassword"
                  type="password"
                  autoComplete="new-password"
                  invalid={!!formState.errors.cipassword}
                  {...register("cipassword", { validate: (v, all) => all.auth !== "password" || v.length >= minPassword || `At least ${minPassword} characters` })}
                />
              </Field>
            )}
            {template.cloudInit.userData === true ? (
              <Field
                id="userData"
                label="Custom cloud-init user-data (optional)"
                hint="Cloud-config YAML run at first boot, e.g. packages: [htop]; at most 16 KiB. Your login above is added to it."
                error={formState.errors.userData?.message}
              >
                <textarea
                  id="userData"
                  rows={5}
                  spellCheck={false}
                  placeholder={"#cloud-config\npackages:\n  - htop"}
                  aria-invalid={formState.errors.userData ? true : undefined}
                  className="block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-xs text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-indigo-600"
                  {...register("userData", {
                    validate: async (v, all) => {
                      const t = data.templates.find((x) => x.id === all.templateId);
                      if (!v.trim() || t?.cloudInit.userData !== true) return true;
                      // The YAML parser loads only when someone writes user-data (it stays out of the page's first load).
                      const { parseYaml } = await import("@/lib/schemas/yaml");
                      const problem = userDataProblem(v, parseYaml);
                      return problem ? `User-data ${problem}` : true;
                    },
                  })}
                />
              </Field>
            ) : (
              <p className="text-xs text-slate-600" data-testid="user-data-unavailable">
                Custom cloud-init user-data: not available for {template.name}. {template.cloudInit.userData.unsupported}.
              </p>
            )}
          </CardBody>
        </Card>
      ) : null}

      {stepName === "Review" && template ? (
        <Card>
          <CardBody className="p-6">
            <dl className="grid gap-x-8 gap-y-3 text-sm sm:grid-cols-2" aria-label="Review">
              {[
                ["Template", `${template.name} (${template.os || "Linux"})`],
                ["Name", values.name],
                [template.placementLabel, `${template.provider} / ${values.target}`],
                ["Size", formatSize({ cpuCores: request.cpuCores, memoryMb: request.memoryMb, diskGb: Number(values.diskSize) })],
                ...(gpuCount > 0 && offer && quote
                  ? [
                      ["GPU", `${gpuCount} × ${offer.label}`],
                      ["Rental type", RENTAL_TYPE_LABELS[values.rental as RentalType] + (values.rental === "interruptible" && values.autoRestart ? " (restarted automatically)" : "")],
                      ["Per hour", `${quote.hourly.total} ${quote.currency} (GPU ${quote.hourly.gpu}, storage ${quote.hourly.storage})`],
                      ...(quote.reserved
                        ? [
                            ["Deposit (due now)", `${quote.reserved.deposit} ${quote.currency}`],
                            ["Monthly cost", `${quote.reserved.monthlyCost} ${quote.currency}`],
                            ["Cancellation fee", `${quote.reserved.cancellationFee} ${quote.currency}`],
                          ]
                        : [["Monthly estimate", `${quote.monthly} ${quote.currency}`]]),
                      ["Total", quote.reserved ? `${quote.reserved.termCost} ${quote.currency} for ${quote.reserved.months} month${quote.reserved.months > 1 ? "s" : ""}` : `${quote.monthly} ${quote.currency} per month`],
                    ]
                  : [["Estimated cost", `${spend.toFixed(2)} ${data.currency} per month`]]),
                ["Login user", values.ciuser || "template default"],
                [
                  "Log in with",
                  values.auth === "password"
                    ? "password"
                    : `SSH key${(values.sshKeyIds ?? []).length === 1 ? "" : "s"} ${(values.sshKeyIds ?? []).map((id) => keys.find((k) => k.id === id)?.name ?? id).join(", ")}`,
                ],
                ...(values.userData?.trim() && template.cloudInit.userData === true ? [["Custom user-data", `${values.userData.trim().split("\n").length} lines of cloud-config`]] : []),
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
        {stepName !== "Review" ? (
          <Button
            key="next"
            onClick={() => void next()}
            disabled={(stepName === "Template" && !values.templateId) || (stepName === "GPU" && (!offer || !quote)) || (stepName === "Size" && (vmsLeft <= 0 || denials.length > 0 || Boolean(values.gpuType && !quote)))}
          >
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
