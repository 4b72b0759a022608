"use client";

import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { saveEmailPreferencesAction } from "@/app/(portal)/notifications/actions";
import { KIND_INFO, NOTIFICATION_KINDS, type EmailPreferences } from "@/lib/notifications/kinds";

/** Which notifications come by email. Without SMTP on this portal, says so and offers nothing to change. */
export function EmailNotifications({ preferences, smtp, email }: { preferences: EmailPreferences; smtp: boolean; email: string }) {
  const [prefs, setPrefs] = useState(preferences);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [pending, startTransition] = useTransition();

  function save() {
    setMessage(null);
    startTransition(async () => {
      const result = await saveEmailPreferencesAction(prefs);
      if (!result.ok) return setMessage({ tone: "error", text: result.error });
      setPrefs(result.data);
      setMessage({ tone: "success", text: "Saved." });
    });
  }

  return (
    <Card>
      <CardHeader
        title="Email notifications"
        description={smtp ? `Which notifications are also sent to ${email}. All of them appear under the bell.` : "Notifications appear under the bell in the portal."}
      />
      <CardBody className="space-y-4">
        {!smtp ? (
          <Alert tone="info">This portal does not send email (an administrator can set HANGAR_SMTP_URL and HANGAR_SMTP_FROM), so these choices apply once it does.</Alert>
        ) : null}
        {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
        <fieldset className="space-y-3" disabled={pending}>
          <legend className="sr-only">Send by email</legend>
          {NOTIFICATION_KINDS.map((kind) => (
            <Checkbox
              key={kind}
              id={`email-${kind}`}
              label={KIND_INFO[kind].label}
              hint={KIND_INFO[kind].description}
              checked={prefs[kind]}
              onChange={(e) => setPrefs({ ...prefs, [kind]: e.currentTarget.checked })}
            />
          ))}
        </fieldset>
        <Button onClick={save} busy={pending}>
          Save email choices
        </Button>
      </CardBody>
    </Card>
  );
}
