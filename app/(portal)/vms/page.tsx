import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { buttonClass } from "@/components/ui/button";
import { VmList } from "@/components/vms/vm-list";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";
import { listVms } from "@/lib/vms/list-vms";

export const metadata: Metadata = { title: "My VMs" };

/** My VMs: the rows GET /api/v1/vms answers, which the list then keeps fresh (components/vms/vm-list.tsx). */
export default async function VmsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser();
  const { q } = await searchParams;
  const { vms } = await listVms(user.id);
  const currencySetting = await db().setting.findUnique({ where: { key: "currency" } });
  const currency = typeof currencySetting?.value === "string" ? currencySetting.value : "EUR";
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
        <VmList initial={vms} initialQuery={typeof q === "string" ? q : ""} currency={currency} />
      )}
    </>
  );
}
