"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useToast } from "@/components/ui/toast";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { mbToGibText, planFormGibSchema, type PlanForm as PlanValues, type PlanFormInput } from "@/lib/schemas/admin";
import { RENTAL_TYPE_LABELS, RENTAL_TYPES } from "@/lib/schemas/catalog";
import { savePlanAction } from "@/app/(portal)/admin/plans/actions";
import { showRefusal } from "../action-result";
import { CheckboxList } from "../checkbox-list";

type NumberField = Exclude<keyof PlanFormInput, "id" | "name" | "description" | "isDefault" | "allowedProviderIds" | "allowedRentalTypes" | "allowedGpuTypes">;

const PER_VM: [NumberField, string][] = [
  ["maxCpuCoresPerVm", "vCPU cores"],
  ["maxMemoryMbPerVm", "Memory (GiB)"],
  ["maxDiskGbPerVm", "Disk (GB)"],
  ["maxGpusPerVm", "GPUs"],
];
const TOTAL: [NumberField, string][] = [
  ["maxVms", "VMs"],
  ["maxCpuCoresSum", "vCPU cores"],
  ["maxMemoryMbSum", "Memory (GiB)"],
  ["maxDiskGbSum", "Disk (GB)"],
  ["maxGpusSum", "GPUs"],
];

/** `gpuTypes`: the GPU type ids the providers' offers name (and those already in use), with labels. */
export function PlanForm({ start, providers, currency, gpuTypes }: { start: PlanFormInput; providers: { id: string; name: string }[]; currency: string; gpuTypes: { id: string; label: string }[] }) {
  const router = useRouter();
  const toast = useToast();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const editing = Boolean(start.id);
  const { register, handleSubmit, control, setError, formState } = useForm<PlanFormInput, unknown, PlanValues>({
    // Memory is typed in GiB and checked and sent in MB (planFormGibSchema converts).
    resolver: zodResolver(planFormGibSchema),
    defaultValues: { ...start, maxMemoryMbPerVm: mbToGibText(start.maxMemoryMbPerVm), maxMemoryMbSum: mbToGibText(start.maxMemoryMbSum) },
  });
  const errors = formState.errors;

  async function onSubmit(values: PlanValues) {
    setMessage(null);
    const result = await savePlanAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    // Edits say "Saved." beside the form; a creation moves to the new page, so it is told by a toast.
    if (!editing) {
      toast(`Plan ${values.name} created.`);
      return router.push(`/admin/plans/${result.data.id}`);
    }
    setMessage({ tone: "success", text: "Saved." });
    router.refresh();
  }

  const numberField = ([name, label]: [NumberField, string], prefix: string) => (
    <Field key={name} id={`pl-${name}`} label={label} error={errors[name]?.message}>
      <Input
        id={`pl-${name}`}
        aria-label={`${prefix}: ${label}`}
        type="number"
        min={0}
        {...(name.includes("Memory") ? { step: "any", inputMode: "decimal" as const } : {})}
        invalid={!!errors[name]}
        {...register(name)}
      />
    </Field>
  );

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-6">
      <Card>
        <CardHeader title="Plan" />
        <CardBody className="grid gap-5 sm:grid-cols-2">
          <Field id="pl-name" label="Name" error={errors.name?.message}>
            <Input id="pl-name" invalid={!!errors.name} {...register("name")} />
          </Field>
          <Field id="pl-desc" label="Description" error={errors.description?.message}>
            <Input id="pl-desc" invalid={!!errors.description} {...register("description")} />
          </Field>
          <div className="sm:col-span-2">
            <Checkbox
              id="pl-default"
              label="Default plan"
              hint="New users get this plan. Exactly one plan is the default: choosing this one unsets the current default."
              error={errors.isDefault?.message}
              {...register("isDefault")}
            />
          </div>
        </CardBody>
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Largest single VM" description="No one VM may be bigger than this." />
          <CardBody className="grid gap-5 sm:grid-cols-2">{PER_VM.map((f) => numberField(f, "Per VM"))}</CardBody>
        </Card>
        <Card>
          <CardHeader title="All VMs together" description="What a user's VMs may use in total." />
          <CardBody className="grid gap-5 sm:grid-cols-2">
            {TOTAL.map((f) => numberField(f, "Total"))}
            <Field id="pl-spend" label={`Monthly spend (${currency})`} error={errors.maxMonthlySpend?.message} hint="Empty: no limit.">
              <Input id="pl-spend" inputMode="decimal" placeholder="no limit" invalid={!!errors.maxMonthlySpend} {...register("maxMonthlySpend")} />
            </Field>
          </CardBody>
        </Card>
      </div>

      <Card>
        <CardHeader title="What may be used" description="Nothing ticked in a list: everything in it is allowed." />
        <CardBody className="grid gap-6 md:grid-cols-3">
          <Controller
            control={control}
            name="allowedProviderIds"
            render={({ field }) => (
              <CheckboxList
                label="Providers"
                value={field.value ?? []}
                onChange={field.onChange}
                error={errors.allowedProviderIds?.message}
                options={providers.map((p) => ({ value: p.id, label: p.name }))}
                empty="There are no providers yet."
              />
            )}
          />
          <Controller
            control={control}
            name="allowedRentalTypes"
            render={({ field }) => (
              <CheckboxList
                label="Rental types"
                value={field.value ?? []}
                onChange={field.onChange}
                error={errors.allowedRentalTypes?.message}
                options={RENTAL_TYPES.map((r) => ({ value: r, label: RENTAL_TYPE_LABELS[r] }))}
              />
            )}
          />
          <Controller
            control={control}
            name="allowedGpuTypes"
            render={({ field }) => (
              <CheckboxList
                label="GPU types"
                value={field.value ?? []}
                onChange={field.onChange}
                error={errors.allowedGpuTypes?.message}
                options={gpuTypes.map((g) => ({ value: g.id, label: g.label === g.id ? g.id : `${g.label} (${g.id})` }))}
              />
            )}
          />
        </CardBody>
      </Card>

      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="flex gap-3">
        <Button type="submit" busy={formState.isSubmitting}>
          {editing ? "Save changes" : "Create plan"}
        </Button>
        <Button variant="secondary" onClick={() => router.push("/admin/plans")}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
