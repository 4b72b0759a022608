"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import type { TemplateRow } from "@/lib/admin/templates/views";
import { formatSize } from "@/lib/ui/units";
import { adminColumns, DataTable } from "../data-table";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

function audience(t: TemplateRow): string {
  if (t.public) return "everyone";
  const parts = [t.users ? plural(t.users, "user") : "", t.teams ? plural(t.teams, "team") : ""].filter(Boolean);
  return parts.length ? parts.join(", ") : "nobody yet";
}

const col = adminColumns<TemplateRow>();
const columns = col.columns([
  col.accessor("name", {
    header: "Name",
    cell: (c) => (
      <Link href={`/admin/templates/${c.row.original.id}`} className="font-medium text-indigo-700 hover:underline">
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor("os", { header: "OS", cell: (c) => c.getValue() || "—" }),
  col.accessor((t) => `${t.provider} · ${t.where}`, { id: "source", header: "Source", cell: (c) => <span className="text-xs">{c.getValue()}</span> }),
  col.accessor(audience, {
    id: "visibility",
    header: "Who may use it",
    cell: (c) => (c.row.original.public ? <Badge tone="blue">public</Badge> : <span className={c.row.original.users + c.row.original.teams ? "" : "text-amber-700"}>{c.getValue()}</span>),
  }),
  col.accessor((t) => formatSize(t.min), { id: "min", header: "Minimum", enableSorting: false }),
  col.accessor("vms", { header: "VMs" }),
  col.accessor((t) => (t.enabled ? "enabled" : "disabled"), {
    id: "status",
    header: "Status",
    cell: (c) => <Badge tone={c.getValue() === "enabled" ? "green" : "gray"}>{c.getValue()}</Badge>,
  }),
]);

export function TemplateTable({ templates }: { templates: TemplateRow[] }) {
  return <DataTable label="Templates" data={templates} columns={columns} search="Search templates…" rowId={(t) => t.id} initialSort={[{ id: "name", desc: false }]} />;
}
