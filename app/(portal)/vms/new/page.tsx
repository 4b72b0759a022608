import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "New VM" };

export default async function NewVmPage() {
  await requireUser();
  return (
    <>
      <PageHeader title="New VM" description="Create a virtual machine from a template." />
      <EmptyState
        title="No templates available to you yet"
        description="An administrator has to connect a provider and publish templates before you can create VMs."
      />
    </>
  );
}
