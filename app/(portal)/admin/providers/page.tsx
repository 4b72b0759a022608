import type { Metadata } from "next";
import Link from "next/link";
import { ProviderTable } from "@/components/admin/providers/provider-table";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { listProviders } from "@/lib/admin/providers/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Providers · Admin" };

export default async function ProvidersPage() {
  await requirePermission("admin.manage");
  const providers = await listProviders();
  const add = (
    <Link href="/admin/providers/new" className={buttonClass()}>
      Add provider
    </Link>
  );
  return (
    <>
      <PageHeader title="Providers" description="Connections to Proxmox VE clusters, VergeOS and Nova Cloud." actions={providers.length ? add : undefined} />
      {providers.length === 0 ? (
        <EmptyState title="No providers yet" description="Connect a Proxmox VE cluster to discover its templates and offer them to your users." action={add} />
      ) : (
        <ProviderTable providers={providers} />
      )}
    </>
  );
}
