"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { signOutEverywhereAction } from "@/app/(portal)/admin/users/actions";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** The admin's "Sign out everywhere" for one user, behind a confirmation. */
export function SignOutEverywhere({ userId, email }: { userId: string; email: string }) {
  const router = useRouter();
  const [revokeApiTokens, setRevokeApiTokens] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  async function run() {
    setBusy(true);
    setMessage(null);
    const result = await signOutEverywhereAction({ id: userId, revokeApiTokens });
    setBusy(false);
    setConfirming(false);
    if (!result.ok) return setMessage({ tone: "error", text: result.error });
    const { sessions, sessionTokens, personalTokens } = result.data;
    setMessage({
      tone: "success",
      text: `Signed out: ${plural(sessions, "browser session")} and ${plural(sessionTokens, "API login")} ended${revokeApiTokens ? `, ${plural(personalTokens, "personal API token")} revoked` : ""}.`,
    });
    router.refresh();
  }

  return (
    <Card>
      <CardHeader title="Sessions" description="End every browser session and API login of this user at once, e.g. after a lost laptop. They can sign in again with their password or single sign-on." />
      <CardBody className="space-y-4">
        <Checkbox
          id="soe-revoke-tokens"
          label="Also revoke personal API tokens"
          hint="Scripts using the user's personal tokens stop working until the user creates new ones."
          checked={revokeApiTokens}
          onChange={(e) => setRevokeApiTokens(e.target.checked)}
        />
        {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
        {confirming ? (
          <div className="flex flex-wrap items-center gap-3">
            <span className="text-sm text-slate-700">Sign {email} out everywhere?</span>
            <Button variant="danger" onClick={run} disabled={busy}>
              Yes, sign out everywhere
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </Button>
          </div>
        ) : (
          <Button variant="secondary" onClick={() => setConfirming(true)}>
            Sign out everywhere
          </Button>
        )}
      </CardBody>
    </Card>
  );
}
