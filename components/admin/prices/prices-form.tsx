"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { pricesFormSchema, type PricesForm as PricesValues, type PricesFormInput } from "@/lib/schemas/admin";
import { savePricesAction } from "@/app/(portal)/admin/prices/actions";
import { showRefusal } from "../action-result";

const HOURS_PER_MONTH = 730;

/** An example's monthly price with the prices as typed (invalid ones count as 0). */
function example(values: PricesFormInput): number {
  const n = (v: unknown) => {
    const x = Number(String(v ?? "").replace(",", "."));
    return Number.isFinite(x) && x >= 0 ? x : 0;
  };
  return (2 * n(values.vcpuHour) + 4 * n(values.memoryGbHour)) * HOURS_PER_MONTH + 40 * n(values.diskGbMonth);
}

/** `gpuTypes`: the GPU type ids to price (the providers' offers and existing prices), with labels. */
export function PricesForm({ start, gpuTypes }: { start: PricesFormInput; gpuTypes: { id: string; label: string }[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const { register, handleSubmit, control, setError, formState } = useForm<PricesFormInput, unknown, PricesValues>({ resolver: zodResolver(pricesFormSchema), defaultValues: start });
  const values = useWatch({ control }) as PricesFormInput;
  const errors = formState.errors;
  const currency = String(values.currency ?? "").toUpperCase() || "…";

  async function onSubmit(v: PricesValues) {
    setMessage(null);
    const result = await savePricesAction(v);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    setMessage({ tone: "success", text: "Saved. New prices apply to cost estimates and spend limits at once." });
    router.refresh();
  }

  const price = (name: "vcpuHour" | "memoryGbHour" | "diskGbMonth", label: string, per: string) => (
    <Field id={`pr-${name}`} label={label} error={errors[name]?.message} hint={`${currency} ${per}; empty: not charged`}>
      <Input id={`pr-${name}`} inputMode="decimal" placeholder="0" invalid={!!errors[name]} {...register(name)} />
    </Field>
  );
  const gpuErrors = (errors.gpuHour ?? {}) as Partial<Record<string, { message?: string }>>;

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-6">
      <Card>
        <CardHeader title="Currency" />
        <CardBody className="max-w-xs">
          <Field id="pr-currency" label="Currency" error={errors.currency?.message} hint="ISO code, e.g. EUR, USD, CHF.">
            <Input id="pr-currency" maxLength={3} className="uppercase" invalid={!!errors.currency} {...register("currency")} />
          </Field>
        </CardBody>
      </Card>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Compute and storage" description="A month counts as 730 hours." />
          <CardBody className="space-y-5">
            {price("vcpuHour", "Per vCPU-hour", "per vCPU and hour")}
            {price("memoryGbHour", "Per GiB of memory per hour", "per GiB of memory and hour")}
            {price("diskGbMonth", "Per GB disk-month", "per GB of disk and month")}
            <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">
              A VM with 2 vCPU, 4 GiB of memory and a 40 GB disk costs{" "}
              <span className="font-semibold text-slate-900" data-testid="price-example">
                {example(values).toFixed(2)} {currency}
              </span>{" "}
              per month.
            </p>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="GPUs" description="Per GPU and hour, by GPU type." />
          <CardBody className="space-y-5">
            {gpuTypes.length === 0 ? <p className="text-sm text-slate-600">No provider offers GPUs yet.</p> : null}
            {gpuTypes.map(({ id: g, label }) => (
              <Field key={g} id={`pr-gpu-${g}`} label={label === g ? g : `${label} (${g})`} error={gpuErrors[g]?.message} hint={`${currency} per GPU-hour; empty: not charged`}>
                <Input id={`pr-gpu-${g}`} inputMode="decimal" placeholder="0" invalid={!!gpuErrors[g]} {...register(`gpuHour.${g}`)} />
              </Field>
            ))}
          </CardBody>
        </Card>
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Button type="submit" busy={formState.isSubmitting}>
        Save prices
      </Button>
    </form>
  );
}
