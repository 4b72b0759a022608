"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import type { SettingField } from "@/lib/providers/types";
import { mbToGibText, templateFormGibSchema, type TemplateForm as TemplateValues, type TemplateFormInput } from "@/lib/schemas/admin";
import { saveTemplateAction } from "@/app/(portal)/admin/templates/actions";
import { showRefusal } from "../action-result";
import { CheckboxList } from "../checkbox-list";

type Options = { users: { id: string; email: string; name: string; disabled: boolean }[]; teams: { id: string; name: string }[] };

const SIZES = [
  ["CpuCores", "vCPU cores"],
  ["MemoryMb", "memory (GiB)"],
  ["DiskGb", "disk (GB)"],
] as const;

/** `settingFields`: the template settings its provider kind declares (lib/providers/catalog.ts). */
export function TemplateForm({ start, options, settingFields }: { start: TemplateFormInput; options: Options; settingFields: readonly SettingField[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const { register, handleSubmit, control, setError, formState } = useForm<TemplateFormInput, unknown, TemplateValues>({
    // Memory is typed in GiB and checked and sent in MB (templateFormGibSchema converts).
    resolver: zodResolver(templateFormGibSchema),
    defaultValues: { ...start, minMemoryMb: mbToGibText(start.minMemoryMb), defaultMemoryMb: mbToGibText(start.defaultMemoryMb) },
  });
  const isPublic = useWatch({ control, name: "public" });
  const errors = formState.errors;

  async function onSubmit(values: TemplateValues) {
    setMessage(null);
    const result = await saveTemplateAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    setMessage({ tone: "success", text: "Saved." });
    router.refresh();
  }

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-6">
      <Card>
        <CardHeader title="Details" description="What users see when they pick a template." />
        <CardBody className="grid gap-5 sm:grid-cols-2">
          <Field id="t-name" label="Name" error={errors.name?.message} hint="Unique; the API's template_id accepts it.">
            <Input id="t-name" invalid={!!errors.name} {...register("name")} />
          </Field>
          <Field id="t-os" label="Operating system" error={errors.os?.message}>
            <Input id="t-os" placeholder="Debian 12" invalid={!!errors.os} {...register("os")} />
          </Field>
          <div className="sm:col-span-2">
            <Field id="t-desc" label="Description" error={errors.description?.message}>
              <Textarea id="t-desc" rows={2} invalid={!!errors.description} {...register("description")} />
            </Field>
          </div>
          <div className="sm:col-span-2">
            <Checkbox id="t-enabled" label="Enabled" hint="A disabled template is offered to no one; existing VMs are not affected." {...register("enabled")} />
          </div>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Who may use it" />
        <CardBody className="space-y-5">
          <Controller
            control={control}
            name="public"
            render={({ field }) => (
              <fieldset className="space-y-2">
                <legend className="sr-only">Visibility</legend>
                <label className="flex items-center gap-2 text-sm">
                  <input type="radio" name="t-visibility" className="accent-indigo-600" checked={field.value === true} onChange={() => field.onChange(true)} />
                  Everyone (public)
                </label>
                <label className="flex items-center gap-2 text-sm">
                  <input type="radio" name="t-visibility" className="accent-indigo-600" checked={field.value !== true} onChange={() => field.onChange(false)} />
                  Only the users and teams chosen below
                </label>
              </fieldset>
            )}
          />
          <div className={isPublic ? "pointer-events-none opacity-50" : undefined} aria-disabled={isPublic || undefined}>
            <div className="grid gap-5 md:grid-cols-2">
              <Controller
                control={control}
                name="userIds"
                render={({ field }) => (
                  <CheckboxList
                    label="Users"
                    value={field.value ?? []}
                    onChange={field.onChange}
                    error={errors.userIds?.message}
                    options={options.users.map((u) => ({ value: u.id, label: u.email, hint: [u.name, u.disabled ? "disabled" : ""].filter(Boolean).join(" · ") || undefined, search: `${u.email} ${u.name}` }))}
                    empty="There are no users."
                  />
                )}
              />
              <Controller
                control={control}
                name="teamIds"
                render={({ field }) => (
                  <CheckboxList
                    label="Teams"
                    value={field.value ?? []}
                    onChange={field.onChange}
                    error={errors.teamIds?.message}
                    options={options.teams.map((t) => ({ value: t.id, label: t.name }))}
                    empty="There are no teams yet."
                  />
                )}
              />
            </div>
            {isPublic ? <p className="mt-2 text-xs text-slate-500">Grants are kept but have no effect while the template is public.</p> : null}
          </div>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Sizes" description="The minimum a VM from this template needs, and what the New VM wizard suggests (empty: the minimum)." />
        <CardBody className="grid gap-5 sm:grid-cols-3">
          {SIZES.map(([key, label]) => (
            <div key={key} className="space-y-4">
              <Field id={`t-min${key}`} label={`Minimum ${label}`} error={errors[`min${key}`]?.message}>
                <Input id={`t-min${key}`} type="number" min={key === "MemoryMb" ? 0 : 1} step={key === "MemoryMb" ? "any" : undefined} invalid={!!errors[`min${key}`]} {...register(`min${key}`)} />
              </Field>
              <Field id={`t-def${key}`} label={`Default ${label}`} error={errors[`default${key}`]?.message}>
                <Input id={`t-def${key}`} type="number" min={key === "MemoryMb" ? 0 : 1} step={key === "MemoryMb" ? "any" : undefined} placeholder="the minimum" invalid={!!errors[`default${key}`]} {...register(`default${key}`)} />
              </Field>
            </div>
          ))}
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Provisioning" />
        <CardBody className="grid gap-5 sm:grid-cols-2">
          <Field id="t-ciuser" label="Cloud-init user" error={errors.ciuser?.message} hint="The login user; empty: the image's default.">
            <Input id="t-ciuser" placeholder="debian" invalid={!!errors.ciuser} {...register("ciuser")} />
          </Field>
          {settingFields.map((f) => (
            <Field key={f.key} id={`t-setting-${f.key}`} label={f.label} error={errors.settings?.[f.key]?.message} hint={f.hint}>
              <Input id={`t-setting-${f.key}`} invalid={!!errors.settings?.[f.key]} {...register(`settings.${f.key}`)} />
            </Field>
          ))}
        </CardBody>
      </Card>

      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="flex gap-3">
        <Button type="submit" busy={formState.isSubmitting}>
          Save changes
        </Button>
        <Button variant="secondary" onClick={() => router.push("/admin/templates")}>
          Back to templates
        </Button>
      </div>
    </form>
  );
}
