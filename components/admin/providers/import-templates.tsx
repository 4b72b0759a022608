"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useFieldArray, useForm, useWatch, type FieldErrors } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";
import type { DiscoveredTemplate } from "@/lib/admin/providers/discover";
import { formatMemory } from "@/lib/ui/units";
import { importTemplatesGibSchema, mbToGibText, type ImportTemplates, type ImportTemplatesInput } from "@/lib/schemas/admin";
import { importTemplatesAction } from "@/app/(portal)/admin/providers/actions";
import { showRefusal } from "../action-result";

type RowErrors = Partial<Record<"name" | "os" | "description" | "minCpuCores" | "minMemoryMb" | "minDiskGb", { message?: string }>>;

const SIZES = [
  ["minCpuCores", "Minimum vCPU cores"],
  ["minMemoryMb", "Minimum memory (GiB)"],
  ["minDiskGb", "Minimum disk (GB)"],
] as const;

/** A guess at the OS from a provider template name, e.g. "debian-12-template" → "Debian 12". */
function osGuess(name: string): string {
  const m = /^(ubuntu|debian|rocky|alma|centos|fedora|win(?:dows)?)[-_ ]?(server[-_ ]?)?([\d.]+)?/i.exec(name);
  if (!m) return "";
  const family = { ubuntu: "Ubuntu", debian: "Debian", rocky: "Rocky Linux", alma: "AlmaLinux", centos: "CentOS", fedora: "Fedora", win: "Windows Server", windows: "Windows" }[
    m[1]!.toLowerCase()
  ];
  return [family, m[2] && family === "Windows" ? "Server" : "", m[3]].filter(Boolean).join(" ");
}

/** The discovered templates as rows of a form: tick the ones to publish, name them, set their minimums. */
export function ImportTemplates({ providerId, templates }: { providerId: string; templates: DiscoveredTemplate[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const initial = templates.map((t) => ({
    selected: false as boolean,
    ref: t.ref,
    name: t.publishedAs.length ? "" : t.name.replace(/-template$/, ""),
    os: osGuess(t.name),
    description: "",
    public: false,
    minCpuCores: String(t.size.cpuCores ?? 1),
    minMemoryMb: mbToGibText(Math.ceil(t.size.memoryMb ?? 512)),
    minDiskGb: String(Math.ceil(t.size.diskGb ?? 8)),
  }));
  const form = useForm<ImportTemplatesInput, unknown, ImportTemplates>({
    // Memory is typed in GiB and checked and sent in MB (importTemplatesGibSchema converts).
    resolver: zodResolver(importTemplatesGibSchema),
    defaultValues: { providerId, templates: initial as ImportTemplatesInput["templates"] },
  });
  const { register, handleSubmit, control, setError, reset, formState } = form;
  const { fields } = useFieldArray({ control, name: "templates" });
  const rows = (useWatch({ control, name: "templates" }) ?? []) as { selected?: boolean }[];
  const chosen = rows.filter((r) => r?.selected).length;
  const rowErrors = (i: number) => ((formState.errors.templates as FieldErrors[] | undefined)?.[i] ?? {}) as RowErrors;

  async function onSubmit(values: ImportTemplates) {
    setMessage(null);
    const result = await importTemplatesAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    setMessage({ tone: "success", text: `Imported ${result.data.count} template${result.data.count === 1 ? "" : "s"}. They are enabled; edit their visibility and sizes under Templates.` });
    reset({ providerId, templates: initial as ImportTemplatesInput["templates"] });
    router.refresh();
  }

  const listError = (formState.errors.templates as { message?: string } | undefined)?.message ?? (formState.errors.templates as { root?: { message?: string } } | undefined)?.root?.message;
  const cell = "px-3 py-2 align-top";
  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-4">
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-xs">
        <table aria-label="Discovered templates" className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-3 py-2.5">
                Import
              </th>
              <th scope="col" className="px-3 py-2.5">
                On the provider
              </th>
              <th scope="col" className="px-3 py-2.5">
                Portal name and description
              </th>
              <th scope="col" className="px-3 py-2.5">
                OS
              </th>
              <th scope="col" className="px-3 py-2.5">
                Min vCPU
              </th>
              <th scope="col" className="px-3 py-2.5">
                Min GiB
              </th>
              <th scope="col" className="px-3 py-2.5">
                Min GB
              </th>
              <th scope="col" className="px-3 py-2.5">
                Public
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {fields.map((field, i) => {
              const t = templates[i]!;
              const on = Boolean(rows[i]?.selected);
              const e = rowErrors(i);
              const label = `${t.name} (${t.ref.id})`;
              return (
                <tr key={field.id} className={cn(on && "bg-indigo-50/40")}>
                  <td className={cell}>
                    <input type="checkbox" aria-label={`Import ${label}`} className="mt-2 h-4 w-4 accent-indigo-600" {...register(`templates.${i}.selected`)} />
                  </td>
                  <td className={cn(cell, "min-w-64")}>
                    <p className="font-medium text-slate-900">{t.name}</p>
                    <p className="text-xs text-slate-500">
                      {t.where} · {t.size.cpuCores ?? "?"} vCPU · {t.size.memoryMb != null ? formatMemory(t.size.memoryMb) : "? GiB"} · {t.size.diskGb ?? "?"} GB
                    </p>
                    {t.publishedAs.length ? (
                      <p className="mt-1 flex flex-wrap gap-1 text-xs text-slate-500">
                        Published as {t.publishedAs.map((n) => <Badge key={n}>{n}</Badge>)}
                      </p>
                    ) : null}
                  </td>
                  {on ? (
                    <>
                      <td className={cell}>
                        <Input aria-label={`Portal name for ${label}`} invalid={!!e.name} placeholder="a new name" className="min-w-40" {...register(`templates.${i}.name`)} />
                        {e.name?.message ? <p className="mt-1 text-xs text-red-700">{e.name.message}</p> : null}
                        <Input
                          aria-label={`Description of ${label}`}
                          placeholder="Description (optional)"
                          invalid={!!e.description}
                          className="mt-2 min-w-40 text-xs"
                          {...register(`templates.${i}.description`)}
                        />
                      </td>
                      <td className={cell}>
                        <Input aria-label={`OS of ${label}`} invalid={!!e.os} className="min-w-32" {...register(`templates.${i}.os`)} />
                      </td>
                      {SIZES.map(([k, what]) => (
                        <td key={k} className={cell}>
                          <Input aria-label={`${what} for ${label}`} type="number" min={k === "minMemoryMb" ? 0 : 1} step={k === "minMemoryMb" ? "any" : undefined} invalid={!!e[k]} className="w-24" {...register(`templates.${i}.${k}`)} />
                          {e[k]?.message ? <p className="mt-1 text-xs text-red-700">{e[k].message}</p> : null}
                        </td>
                      ))}
                      <td className={cell}>
                        <input type="checkbox" aria-label={`Public: ${label}`} className="mt-2 h-4 w-4 accent-indigo-600" {...register(`templates.${i}.public`)} />
                      </td>
                    </>
                  ) : (
                    <td colSpan={6} className={cn(cell, "pt-3 text-xs text-slate-500")}>
                      Tick to import{t.publishedAs.length ? " again under another name" : ""}.
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {listError ? <Alert tone="error">{listError}</Alert> : null}
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Button type="submit" busy={formState.isSubmitting} disabled={chosen === 0}>
        {chosen ? `Import ${chosen} template${chosen === 1 ? "" : "s"}` : "Import selected templates"}
      </Button>
    </form>
  );
}
