import type { Metadata } from "next";
import Link from "next/link";
import { PlanTable } from "@/components/admin/plans/plan-table";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { listPlans } from "@/lib/admin/plans/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Plans · Admin" };

export default async function PlansPage() {
  await requirePermission("admin.manage");
  const plans = await listPlans();
  const add = (
    <Link href="/admin/plans/new" className={buttonClass()}>
      New plan
    </Link>
  );
  return (
    <>
      <PageHeader title="Plans" description="Limits per VM and for all of a user's (or a team's) VMs together." actions={add} />
      {plans.length === 0 ? <EmptyState title="No plans yet" description="Without a plan nobody can create VMs. Create one and make it the default." action={add} /> : <PlanTable plans={plans} />}
    </>
  );
}
