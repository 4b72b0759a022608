import type { Metadata } from "next";
import { ProviderForm } from "@/components/admin/providers/provider-form";
import { PageHeader } from "@/components/ui/page-header";
import { requirePermission } from "@/lib/auth/guards";

export const metadata: Metadata = { title: "Add provider · Admin" };

export default async function NewProviderPage() {
  await requirePermission("admin.manage");
  return (
    <>
      <PageHeader title="Add provider" description="Hangar signs in with an API token (recommended) or a user; the secret is stored encrypted." />
      <div className="max-w-3xl">
        <ProviderForm
          start={{
            values: {
              name: "",
              kind: "pve",
              url: "",
              pveAuth: "token",
              authMode: "apiKey",
              tokenId: "",
              username: "",
              realm: "",
              tlsVerify: true,
              tlsCa: "",
              tlsFingerprint: "",
              settings: {},
              enabled: true,
            },
            stored: null,
            simulated: false,
          }}
        />
      </div>
    </>
  );
}
