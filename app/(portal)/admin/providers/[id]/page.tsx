import type { Metadata } from "next";
import Link from "next/link";
import { ProviderForm } from "@/components/admin/providers/provider-form";
import { DeleteProvider } from "@/components/admin/providers/delete-provider";
import { TestConnection } from "@/components/admin/providers/test-connection";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getProvider } from "@/lib/admin/providers/views";
import { or404 } from "../../page-data";
import { requirePermission } from "@/lib/auth/guards";
import { PROVIDER_CATALOG } from "@/lib/providers/catalog";
import { pageId } from "@/lib/pages/params";

export const metadata: Metadata = { title: "Provider · Admin" };


export default async function ProviderPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("admin.manage");
  const id = pageId((await params).id);
  const p = await or404(getProvider(id));
  const auth = p.auth;
  return (
    <>
      <PageHeader
        title={p.name}
        description={
          <>
            {PROVIDER_CATALOG[p.kind].label} · {p.templates} template{p.templates === 1 ? "" : "s"} · {p.vms} VM{p.vms === 1 ? "" : "s"}{" "}
            {p.enabled ? <Badge tone="green">enabled</Badge> : <Badge>disabled</Badge>}
          </>
        }
        actions={
          <Link href={`/admin/providers/${p.id}/discover`} className={buttonClass("primary")}>
            Discover
          </Link>
        }
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
        <ProviderForm
          start={{
            id: p.id,
            values: {
              name: p.name,
              kind: p.kind,
              url: p.baseUrl,
              pveAuth: auth.method === "password" ? "password" : "token",
              // VergeOS and Nova Cloud: the stored login (a VergeOS user signs in with a session token when passwordAuth is "token").
              authMode: auth.method === "password" ? (p.kind === "vergeos" && p.settings.passwordAuth === "token" ? "session" : "password") : "apiKey",
              tokenId: auth.method === "token" ? auth.tokenId : "",
              username: auth.method === "password" ? auth.username : "",
              realm: auth.method === "password" ? auth.realm : "",
              tlsVerify: p.tlsVerify,
              tlsCa: p.tlsCa ?? "",
              tlsFingerprint: p.tlsFingerprint ?? "",
              settings: p.settings,
              enabled: p.enabled,
            },
            stored: auth.method,
            simulated: p.simulated,
          }}
        />
        <div className="space-y-6">
          <Card>
            <CardHeader title="Status" />
            <CardBody>
              <TestConnection providerId={p.id} />
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Templates" />
            <CardBody className="space-y-3 text-sm text-slate-600">
              <p>Discover lists what the provider has and its templates, and publishes the templates you choose.</p>
              <Link href={`/admin/providers/${p.id}/discover`} className={buttonClass("secondary", "sm")}>
                Discover templates
              </Link>
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Delete" />
            <CardBody className="space-y-3 text-sm text-slate-600">
              {p.templates + p.vms === 0 ? (
                <>
                  <p>Nothing uses this provider: it can be deleted with its stored credentials.</p>
                  <DeleteProvider providerId={p.id} name={p.name} />
                </>
              ) : (
                <p>
                  Its templates and VMs (also deleted VMs, for their history) keep it. To stop offering it, turn off <strong>Enabled</strong>: its templates are then offered to no
                  one.
                </p>
              )}
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
