import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { CreateVmWizard } from "@/components/vms/create-wizard";
import { requirePermission } from "@/lib/auth/guards";
import { prefillFrom, wizardData } from "@/lib/vms/wizard-data";

export const metadata: Metadata = { title: "New VM" };

/** `?template=&target=&cpu=&memory=&disk=&name=&ciuser=`: starting values (Edit and retry of a failed create). */
export default async function NewVmPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePermission("vms.own");
  const prefill = prefillFrom(await searchParams);
  const data = await wizardData(user);
  return (
    <>
      <PageHeader title="New VM" description="Pick a template, size it within your plan, choose how you log in." />
      {!data.perVm ? (
        <EmptyState title="You have no compute plan" description="Ask an administrator to assign you a plan before creating VMs." />
      ) : data.templates.length === 0 ? (
        <EmptyState
          title="No templates available to you yet"
          description="An administrator has to connect a provider and publish templates (or grant you one) before you can create VMs."
        />
      ) : (
        <>
          <CreateVmWizard data={data} prefill={prefill} />
          <p className="mt-6 text-xs text-slate-500">
            Scripts can do the same with <code className="font-mono">POST /api/v1/vm/manage/createFromTemplate</code> and an API token from your{" "}
            <Link href="/profile" className="underline">
              profile
            </Link>
            .
          </p>
        </>
      )}
    </>
  );
}
