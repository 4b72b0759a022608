import type { Metadata } from "next";
import Link from "next/link";
import { TemplateTable } from "@/components/admin/templates/template-table";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { buttonClass } from "@/components/ui/button";
import { listTemplatesForAdmin } from "@/lib/admin/templates/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Templates · Admin" };

export default async function TemplatesPage() {
  await requirePermission("admin.manage");
  const templates = await listTemplatesForAdmin();
  const discover = (
    <Link href="/admin/providers" className={buttonClass("secondary")}>
      Import from a provider
    </Link>
  );
  return (
    <>
      <PageHeader title="Templates" description="What users can build VMs from: who may use each one, and its sizes." actions={discover} />
      {templates.length === 0 ? (
        <EmptyState title="No templates yet" description="Open a provider and Discover its templates to publish them here." />
      ) : (
        <TemplateTable templates={templates} />
      )}
    </>
  );
}
