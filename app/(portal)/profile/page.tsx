import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ApiTokens } from "@/components/profile/api-tokens";
import { ChangePasswordForm } from "@/components/profile/change-password";
import { EmailNotifications } from "@/components/profile/email-notifications";
import { SshKeys } from "@/components/profile/ssh-keys";
import { listSshKeys } from "@/lib/ssh-keys/manage";
import { listPersonalTokens } from "@/lib/auth/api-tokens";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";
import { smtpConfigured } from "@/lib/env";
import { emailPreferences } from "@/lib/notifications/notify";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage() {
  const user = await requireUser();
  const [tokens, record, keys, emailPrefs] = await Promise.all([
    listPersonalTokens(user.id),
    db().user.findUniqueOrThrow({ where: { id: user.id }, include: { plan: true } }),
    listSshKeys(user.id),
    emailPreferences(user.id),
  ]);
  return (
    <>
      <PageHeader title="Profile" description="Your account and the credentials you use with Hangar." />
      <div className="space-y-6">
        <Card>
          <CardHeader title="Account" />
          <CardBody>
            <dl className="grid gap-4 text-sm sm:grid-cols-4">
              <div>
                <dt className="text-slate-500">Name</dt>
                <dd className="font-medium text-slate-900">{record.name || "—"}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Email</dt>
                <dd className="font-medium text-slate-900">{record.email}</dd>
              </div>
              <div>
                <dt className="text-slate-500">Role</dt>
                <dd>
                  <Badge tone="blue">{record.role}</Badge>
                </dd>
              </div>
              <div>
                <dt className="text-slate-500">Plan</dt>
                <dd className="font-medium text-slate-900">{record.plan?.name ?? "none"}</dd>
              </div>
            </dl>
          </CardBody>
        </Card>
        <EmailNotifications preferences={emailPrefs} smtp={smtpConfigured()} email={record.email} />
        {record.passwordHash ? <ChangePasswordForm /> : null}
        <SshKeys keys={keys.map((k) => ({ id: k.id, name: k.name, fingerprint: k.fingerprint, createdAt: k.createdAt.toISOString() }))} />
        <ApiTokens
          tokens={tokens.map((t) => ({
            ...t,
            createdAt: t.createdAt.toISOString(),
            expiresAt: t.expiresAt?.toISOString() ?? null,
            lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
          }))}
        />
      </div>
    </>
  );
}
