import type { Metadata } from "next";
import { PricesForm } from "@/components/admin/prices/prices-form";
import { PageHeader } from "@/components/ui/page-header";
import { getPrices } from "@/lib/admin/prices/views";
import { Time } from "@/components/ui/time";
import { knownGpuTypes } from "@/lib/admin/gpu-types";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Prices · Admin" };

export default async function PricesPage() {
  await requirePermission("admin.manage");
  const gpuTypes = await knownGpuTypes();
  const p = await getPrices(gpuTypes.map((g) => g.id));
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
          gpuHour: Object.fromEntries(Object.entries(p.gpuHour).map(([g, v]) => [g, v ?? ""])),
        }}
        gpuTypes={Object.keys(p.gpuHour).map((id) => gpuTypes.find((g) => g.id === id) ?? { id, label: id })}
      />
    </>
  );
}
