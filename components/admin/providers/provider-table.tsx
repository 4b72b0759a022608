"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { ProviderView } from "@/lib/admin/providers/views";
import { adminColumns, DataTable } from "../data-table";
import { PROVIDER_CATALOG } from "@/lib/providers/catalog";

const col = adminColumns<ProviderView>();
const columns = col.columns([
  col.accessor("name", {
    header: "Name",
    cell: (c) => (
      <Link href={`/admin/providers/${c.row.original.id}`} className="font-medium text-indigo-700 hover:underline">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor((p) => PROVIDER_CATALOG[p.kind].label, { id: "kind", header: "Kind" }),
  col.accessor("baseUrl", { header: "URL", cell: (c) => <span className="font-mono text-xs">{c.row.original.simulated ? "built-in simulator" : c.getValue()}</span> }),
  col.accessor("templates", { header: "Templates" }),
  col.accessor("vms", { header: "VMs" }),
  col.accessor((p) => (p.enabled ? "enabled" : "disabled"), {
    id: "status",
    header: "Status",
    cell: (c) => <Badge tone={c.getValue() === "enabled" ? "green" : "gray"}>{c.getValue()}</Badge>,
  }),
]);

export function ProviderTable({ providers }: { providers: ProviderView[] }) {
  return <DataTable label="Providers" data={providers} columns={columns} rowId={(p) => p.id} initialSort={[{ id: "name", desc: false }]} />;
}
