import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { buttonClass } from "@/components/ui/button";
import { VmList } from "@/components/vms/vm-list";
import { requireUser } from "@/lib/auth/guards";
import { listVms } from "@/lib/vms/list-vms";

export const metadata: Metadata = { title: "My VMs" };

export default async function VmsPage() {
  const user = await requireUser();
  // The same rows as GET /api/v1/vms, which the list then polls for live states.
  const { vms } = await listVms(user.id);
  const newVm = (
    <Link href="/vms/new" className={buttonClass()}>
      New VM
    </Link>
  );
  return (
    <>
      <PageHeader title="My VMs" description="Virtual machines you own." actions={vms.length ? newVm : undefined} />
      {vms.length === 0 ? (
        <EmptyState title="No VMs yet" description="Pick a template, size it within your plan and watch it being built." action={newVm} />
      ) : (
        <VmList initial={vms} />
      )}
    </>
  );
}
