"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { mbToGibText, OVERRIDE_KEYS, quotaOverridesFormGibSchema, type OverrideKey, type QuotaOverridesForm as OverridesValues, type QuotaOverridesFormInput } from "@/lib/schemas/admin";
import { saveQuotaOverridesAction } from "@/app/(portal)/admin/users/actions";
import { showRefusal } from "../action-result";

export const OVERRIDE_LABELS: Record<OverrideKey, string> = {
  maxCpuCoresPerVm: "vCPU cores per VM",
  maxMemoryMbPerVm: "Memory per VM (GiB)",
  maxDiskGbPerVm: "Disk per VM (GB)",
  maxGpusPerVm: "GPUs per VM",
  maxCpuCoresSum: "vCPU cores in total",
  maxMemoryMbSum: "Memory in total (GiB)",
  maxDiskGbSum: "Disk in total (GB)",
  maxGpusSum: "GPUs in total",
  maxVms: "VMs",
  maxMonthlySpend: "Monthly spend",
};

/** Per-user replacements of single plan limits; an empty field inherits the plan's value (shown as placeholder). */
export function QuotaOverridesForm({
  userId,
  overrides,
  planValues,
  currency,
}: {
  userId: string;
  overrides: Record<string, number>;
  planValues: Record<OverrideKey, string> | null;
  currency: string;
}) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  // Memory is typed in GiB and checked and sent in MB (quotaOverridesFormGibSchema converts).
  const isMemory = (k: OverrideKey) => k === "maxMemoryMbPerVm" || k === "maxMemoryMbSum";
  const start = Object.fromEntries(OVERRIDE_KEYS.map((k) => [k, overrides[k] === undefined ? "" : isMemory(k) ? mbToGibText(overrides[k]) : String(overrides[k])]));
  const { register, handleSubmit, setError, formState } = useForm<QuotaOverridesFormInput, unknown, OverridesValues>({
    resolver: zodResolver(quotaOverridesFormGibSchema),
    defaultValues: { id: userId, overrides: start },
  });
  const errors = (formState.errors.overrides ?? {}) as Partial<Record<OverrideKey, { message?: string }>>;

  async function onSubmit(values: OverridesValues) {
    setMessage(null);
    const result = await saveQuotaOverridesAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    const n = Object.keys(result.data.overrides).length;
    setMessage({ tone: "success", text: n ? `Saved: ${n} limit${n === 1 ? "" : "s"} overridden.` : "Saved: every limit comes from the plan." });
    router.refresh();
  }

  return (
    <Card>
      <CardHeader title="Limit overrides" description="Replace single limits of this user's plan; leave a field empty to use the plan's value." />
      <CardBody>
        <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-5">
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
            {OVERRIDE_KEYS.map((k) => (
              <Field key={k} id={`ov-${k}`} label={k === "maxMonthlySpend" ? `${OVERRIDE_LABELS[k]} (${currency})` : OVERRIDE_LABELS[k]} error={errors[k]?.message}>
                <Input
                  id={`ov-${k}`}
                  inputMode={k === "maxMonthlySpend" || isMemory(k) ? "decimal" : "numeric"}
                  placeholder={planValues ? `plan: ${isMemory(k) ? mbToGibText(planValues[k]) : planValues[k]}` : "no plan"}
                  invalid={!!errors[k]}
                  {...register(`overrides.${k}`)}
                />
              </Field>
            ))}
          </div>
          {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
          <Button type="submit" busy={formState.isSubmitting}>
            Save overrides
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}
