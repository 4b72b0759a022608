"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { PlanView } from "@/lib/admin/plans/views";
import { formatMemory } from "@/lib/ui/units";
import { adminColumns, DataTable } from "../data-table";

const col = adminColumns<PlanView>();
const columns = col.columns([
  col.accessor("name", {
    header: "Name",
    cell: (c) => (
      <span className="flex items-center gap-2">
        <Link href={`/admin/plans/${c.row.original.id}`} className="font-medium text-indigo-700 hover:underline">
          {c.getValue()}
        </Link>
        {c.row.original.isDefault ? <Badge tone="blue">default</Badge> : null}
      </span>
    ),
  }),
  col.accessor((p) => `${p.maxCpuCoresPerVm} vCPU · ${formatMemory(p.maxMemoryMbPerVm)} · ${p.maxDiskGbPerVm} GB${p.maxGpusPerVm ? ` · ${p.maxGpusPerVm} GPU` : ""}`, {
    id: "perVm",
    header: "Largest VM",
    enableSorting: false,
  }),
  col.accessor((p) => `${p.maxVms} VMs · ${p.maxCpuCoresSum} vCPU · ${formatMemory(p.maxMemoryMbSum)} · ${p.maxDiskGbSum} GB${p.maxGpusSum ? ` · ${p.maxGpusSum} GPU` : ""}`, {
    id: "total",
    header: "All VMs together",
    enableSorting: false,
  }),
  col.accessor((p) => p.maxMonthlySpend ?? "", { id: "spend", header: "Monthly spend", cell: (c) => c.getValue() || <span className="text-slate-500">no limit</span> }),
  col.accessor("users", { header: "Users" }),
  col.accessor("teams", { header: "Teams" }),
]);

export function PlanTable({ plans }: { plans: PlanView[] }) {
  return <DataTable label="Plans" data={plans} columns={columns} search="Search plans…" rowId={(p) => p.id} />;
}
