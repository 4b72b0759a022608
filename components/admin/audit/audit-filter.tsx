"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { usePathname, useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { auditFilterSchema, type AuditFilter, type AuditFilterInput } from "@/lib/schemas/admin";

/** The audit log's filters, kept in the URL (so a filtered view can be shared and paged). */
export function AuditFilterForm({ start, facets }: { start: AuditFilterInput; facets: { targetTypes: string[]; actions: string[] } }) {
  const router = useRouter();
  const pathname = usePathname();
  const { register, handleSubmit, reset, formState } = useForm<AuditFilterInput, unknown, AuditFilter>({ resolver: zodResolver(auditFilterSchema), defaultValues: start });
  const errors = formState.errors;

  function go(f: AuditFilter | null) {
    const q = new URLSearchParams();
    if (f) for (const key of ["actor", "action", "targetType", "from", "to"] as const) if (f[key]) q.set(key, f[key]!);
    router.push(q.size ? `${pathname}?${q}` : pathname);
  }

  return (
    <form onSubmit={handleSubmit(go)} noValidate className="grid items-end gap-4 rounded-lg border border-slate-200 bg-white p-4 shadow-xs sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter the audit log">
      <Field id="af-actor" label="Actor" error={errors.actor?.message}>
        <Input id="af-actor" placeholder="email contains…" {...register("actor")} />
      </Field>
      <Field id="af-action" label="Action" error={errors.action?.message}>
        <Select id="af-action" {...register("action")}>
          <option value="">Any action</option>
          {facets.actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="af-target" label="Target type" error={errors.targetType?.message}>
        <Select id="af-target" {...register("targetType")}>
          <option value="">Any target</option>
          {facets.targetTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </Select>
      </Field>
      <Field id="af-from" label="From" error={errors.from?.message}>
        <Input id="af-from" type="date" invalid={!!errors.from} {...register("from")} />
      </Field>
      <Field id="af-to" label="To" error={errors.to?.message}>
        <Input id="af-to" type="date" invalid={!!errors.to} {...register("to")} />
      </Field>
      <div className="flex gap-2">
        <Button type="submit">Filter</Button>
        <Button
          variant="ghost"
          onClick={() => {
            reset({ actor: "", action: "", targetType: "", from: "", to: "", page: 1 });
            go(null);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
