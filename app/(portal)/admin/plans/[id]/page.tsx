import type { Metadata } from "next";
import { knownGpuTypes } from "@/lib/admin/gpu-types";
import Link from "next/link";
import { DeletePlan } from "@/components/admin/plans/delete-plan";
import { PlanAssign } from "@/components/admin/plans/plan-assign";
import { PlanForm } from "@/components/admin/plans/plan-form";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getPlan, planMembers } from "@/lib/admin/plans/views";
import { getPrices } from "@/lib/admin/prices/views";
import { providerOptions } from "@/lib/admin/providers/views";
import type { PlanFormInput } from "@/lib/schemas/admin";
import { or404 } from "../../page-data";
import { requirePermission } from "@/lib/auth/guards";
import { pageId } from "@/lib/pages/params";

export const metadata: Metadata = { title: "Plan · Admin" };

export default async function PlanPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("admin.manage");
  const id = pageId((await params).id);
  const [plan, members, providers, prices] = await Promise.all([or404(getPlan(id)), planMembers(id), providerOptions(), getPrices()]);
  const onPlan = { users: members.users.filter((u) => u.onPlan), teams: members.teams.filter((t) => t.onPlan) };
  const gpuTypes = await knownGpuTypes();
  return (
    <>
      <PageHeader
        title={plan.name}
        description={
          <>
            {plan.description || "Plan"} {plan.isDefault ? <Badge tone="blue">default</Badge> : null}
          </>
        }
      />
      <div className="space-y-8">
        <PlanForm
          providers={providers}
          gpuTypes={gpuTypes}
          currency={prices.currency}
          start={{
            id: plan.id,
            name: plan.name,
            description: plan.description,
            isDefault: plan.isDefault,
            maxCpuCoresPerVm: String(plan.maxCpuCoresPerVm),
            maxMemoryMbPerVm: String(plan.maxMemoryMbPerVm),
            maxDiskGbPerVm: String(plan.maxDiskGbPerVm),
            maxGpusPerVm: String(plan.maxGpusPerVm),
            maxCpuCoresSum: String(plan.maxCpuCoresSum),
            maxMemoryMbSum: String(plan.maxMemoryMbSum),
            maxDiskGbSum: String(plan.maxDiskGbSum),
            maxGpusSum: String(plan.maxGpusSum),
            maxVms: String(plan.maxVms),
            maxMonthlySpend: plan.maxMonthlySpend ?? "",
            allowedProviderIds: plan.allowedProviderIds,
            allowedRentalTypes: plan.allowedRentalTypes as PlanFormInput["allowedRentalTypes"],
            allowedGpuTypes: plan.allowedGpuTypes as PlanFormInput["allowedGpuTypes"],
          }}
        />
        <div className="grid gap-6 lg:grid-cols-[1fr_2fr]">
          <Card>
            <CardHeader title="On this plan" description={`${onPlan.users.length} user${onPlan.users.length === 1 ? "" : "s"}, ${onPlan.teams.length} team${onPlan.teams.length === 1 ? "" : "s"}`} />
            <CardBody>
              {onPlan.users.length + onPlan.teams.length === 0 ? (
                <p className="text-sm text-slate-500">Nobody yet.</p>
              ) : (
                <ul aria-label="On this plan" className="space-y-1.5 text-sm">
                  {onPlan.teams.map((t) => (
                    <li key={t.id}>
                      <Badge>team</Badge>{" "}
                      <Link href={`/admin/teams/${t.id}`} className="text-indigo-700 hover:underline">
                        {t.name}
                      </Link>
                    </li>
                  ))}
                  {onPlan.users.map((u) => (
                    <li key={u.id}>
                      <Link href={`/admin/users/${u.id}`} className="text-indigo-700 hover:underline">
                        {u.email}
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Assign" description="Move users and teams to this plan from the plan they have now." />
            <CardBody>
              <PlanAssign
                planId={plan.id}
                planName={plan.name}
                candidates={{ users: members.users.filter((u) => !u.onPlan), teams: members.teams.filter((t) => !t.onPlan) }}
              />
            </CardBody>
          </Card>
        </div>
        <Card>
          <CardHeader title="Delete plan" description="Only a plan nobody uses, and not the default plan, can be deleted." />
          <CardBody>
            <DeletePlan planId={plan.id} name={plan.name} />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
