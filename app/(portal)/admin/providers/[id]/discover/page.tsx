import type { Metadata } from "next";
import Link from "next/link";
import { ImportTemplates } from "@/components/admin/providers/import-templates";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { discoverProvider, type Discovery } from "@/lib/admin/providers/discover";
import { getProvider } from "@/lib/admin/providers/views";
import { isAppError } from "@/lib/errors";
import { or404 } from "../../../page-data";
import { requirePermission } from "@/lib/auth/guards";
import { pageId } from "@/lib/pages/params";

export const metadata: Metadata = { title: "Discover · Admin" };

export default async function DiscoverPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("admin.manage");
  const id = pageId((await params).id);
  const provider = await or404(getProvider(id));
  let found: Discovery | null = null;
  let problem: string | null = null;
  try {
    found = await discoverProvider(id);
  } catch (error) {
    if (!isAppError(error)) throw error;
    problem = error.message;
  }
  const back = (
    <Link href={`/admin/providers/${id}`} className="text-sm font-medium text-indigo-700 hover:underline">
      ← {provider.name}
    </Link>
  );
  return (
    <>
      <PageHeader title={`Discover: ${provider.name}`} description="What the provider has, read just now. Tick templates to publish them in the portal." actions={back} />
      {problem || !found ? (
        <Alert tone="error" title="Discovery failed">
          {problem}
        </Alert>
      ) : (
        <div className="space-y-8">
          <section className="space-y-3">
            <h2 className="text-base font-semibold text-slate-900">Templates</h2>
            {found.templates.length === 0 ? (
              <EmptyState title="No templates on this provider" description="Convert a VM to a template on the provider, then discover again." />
            ) : (
              <ImportTemplates providerId={id} templates={found.templates} />
            )}
          </section>
          <div className="grid items-start gap-6 lg:grid-cols-2">
            {found.inventory.map((table) => (
              <section key={table.title} className="space-y-3">
                <h2 className="text-base font-semibold text-slate-900">{table.title}</h2>
                <Table label={table.title}>
                  <thead>
                    <tr>
                      {table.columns.map((c) => (
                        <Th key={c}>{c}</Th>
                      ))}
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100">
                    {table.rows.map((row) => (
                      <tr key={row.join("/")}>
                        {row.map((value, k) => (
                          <Td key={k} label={table.columns[k]} className={k === 0 ? "font-medium text-slate-900" : undefined}>
                            {value === "online" ? <Badge tone="green">online</Badge> : value === "offline" ? <Badge tone="red">offline</Badge> : value}
                          </Td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </Table>
              </section>
            ))}
          </div>
        </div>
      )}
    </>
  );
}
