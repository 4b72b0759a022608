import type { Metadata } from "next";
import { PricesForm } from "@/components/admin/prices/prices-form";
import { PageHeader } from "@/components/ui/page-header";
import { getPrices } from "@/lib/admin/prices/views";
import { Time } from "@/components/ui/time";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Prices · Admin" };

export default async function PricesPage() {
  await requirePermission("admin.manage");
  const p = await getPrices();
  return (
    <>
      <PageHeader title="Prices" description={
          <>
            What VMs cost: used for estimates in the New VM wizard and for monthly spend limits. Last changed {p.updatedAt ? <Time value={p.updatedAt} /> : "never"}.
          </>
        } />
      <PricesForm
        start={{
          currency: p.currency,
          vcpuHour: p.vcpuHour ?? "",
          memoryGbHour: p.memoryGbHour ?? "",
          diskGbMonth: p.diskGbMonth ?? "",
          gpuHour: { "5090": p.gpuHour["5090"] ?? "", "4090": p.gpuHour["4090"] ?? "", "6000pro": p.gpuHour["6000pro"] ?? "" },
        }}
      />
    </>
  );
}
