import type { Metadata } from "next";
import { knownGpuTypes } from "@/lib/admin/gpu-types";
import { PlanForm } from "@/components/admin/plans/plan-form";
import { PageHeader } from "@/components/ui/page-header";
import { planOptions } from "@/lib/admin/plans/views";
import { getPrices } from "@/lib/admin/prices/views";
import { providerOptions } from "@/lib/admin/providers/views";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "New plan · Admin" };

export default async function NewPlanPage() {
  await requirePermission("admin.manage");
  const [providers, prices, plans] = await Promise.all([providerOptions(), getPrices(), planOptions()]);
  const gpuTypes = await knownGpuTypes();
  return (
    <>
      <PageHeader title="New plan" description="Start from sensible limits and adjust them." />
      <PlanForm
        providers={providers}
        gpuTypes={gpuTypes}
        currency={prices.currency}
        start={{
          name: "",
          description: "",
          isDefault: plans.length === 0,
          maxCpuCoresPerVm: "4",
          maxMemoryMbPerVm: "8192",
          maxDiskGbPerVm: "100",
          maxGpusPerVm: "0",
          maxCpuCoresSum: "16",
          maxMemoryMbSum: "32768",
          maxDiskGbSum: "500",
          maxGpusSum: "0",
          maxVms: "5",
          maxMonthlySpend: "",
          allowedProviderIds: [],
          allowedRentalTypes: [],
          allowedGpuTypes: [],
        }}
      />
    </>
  );
}
