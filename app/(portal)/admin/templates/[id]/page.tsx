import type { Metadata } from "next";
import Link from "next/link";
import { TemplateForm } from "@/components/admin/templates/template-form";
import { PageHeader } from "@/components/ui/page-header";
import { getTemplateForAdmin, grantOptions } from "@/lib/admin/templates/views";
import { or404 } from "../../page-data";
import { requirePermission } from "@/lib/auth/guards";
import { pageId } from "@/lib/pages/params";

export const metadata: Metadata = { title: "Template · Admin" };

const text = (n: number | null) => (n === null ? "" : String(n));

export default async function TemplatePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("admin.manage");
  const id = pageId((await params).id);
  const [t, options] = await Promise.all([or404(getTemplateForAdmin(id)), grantOptions()]);
  return (
    <>
      <PageHeader
        title={t.name}
        description={
          <>
            {t.providerRefId} on{" "}
            <Link href={`/admin/providers/${t.provider.id}`} className="text-indigo-700 hover:underline">
              {t.provider.name}
            </Link>
            {t.provider.enabled ? "" : " (provider disabled)"}
          </>
        }
      />
      <div className="max-w-4xl">
        <TemplateForm
          settingFields={t.settingFields}
          options={options}
          start={{
            id: t.id,
            name: t.name,
            os: t.os,
            description: t.description,
            public: t.public,
            enabled: t.enabled,
            userIds: t.userIds,
            teamIds: t.teamIds,
            ciuser: t.ciuser ?? "",
            settings: Object.fromEntries(t.settingFields.map((f) => [f.key, t.settings[f.key] ?? ""])),
            minCpuCores: String(t.minCpuCores),
            minMemoryMb: String(t.minMemoryMb),
            minDiskGb: String(t.minDiskGb),
            defaultCpuCores: text(t.defaultCpuCores),
            defaultMemoryMb: text(t.defaultMemoryMb),
            defaultDiskGb: text(t.defaultDiskGb),
          }}
        />
      </div>
    </>
  );
}
