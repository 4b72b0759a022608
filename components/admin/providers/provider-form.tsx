"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useToast } from "@/components/ui/toast";
import { useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { providerFormSchema, type ProviderForm as ProviderValues, type ProviderFormInput } from "@/lib/schemas/admin";
import { PROVIDER_CATALOG } from "@/lib/providers/catalog";
import { saveProviderAction } from "@/app/(portal)/admin/providers/actions";
import { showRefusal } from "../action-result";

/** What the form knows about a saved connection: never a secret, only which ones are stored. */
export type ProviderFormStart = {
  id?: string;
  values: Omit<ProviderFormInput, "secret" | "password" | "apiKey" | "id">;
  stored: "token" | "password" | "apiKey" | "unreadable" | null;
  simulated: boolean;
};

const KEEP = "••• stored; leave empty to keep";
/** The hint of a secret field: whether one is set (never the secret itself) and how to replace it. */
const secretHint = (stored: boolean, what: string) => (stored ? `Set. Leave empty to keep it, or type a new ${what} to replace it.` : undefined);

/** How each kind that is not PVE can sign in, as the form offers it (lib/schemas/admin.ts authMode). */
const LOGINS: Partial<Record<ProviderFormInput["kind"], { value: "apiKey" | "password" | "session"; label: string }[]>> = {
  vergeos: [
    { value: "apiKey", label: "An API key" },
    { value: "password", label: "A user and password (HTTP Basic)" },
    { value: "session", label: "A user and password, exchanged for a session token" },
  ],
  nova: [
    { value: "apiKey", label: "An API key" },
    { value: "password", label: "An email and password (login)" },
  ],
};

export function ProviderForm({ start }: { start: ProviderFormStart }) {
  const router = useRouter();
  const toast = useToast();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const editing = Boolean(start.id);
  const { register, handleSubmit, setError, control, resetField, formState } = useForm<ProviderFormInput, unknown, ProviderValues>({
    resolver: zodResolver(providerFormSchema),
    defaultValues: { ...start.values, id: start.id, secret: "", password: "", apiKey: "" },
  });
  const kind = useWatch({ control, name: "kind" });
  const pveAuth = useWatch({ control, name: "pveAuth" });
  const authMode = useWatch({ control, name: "authMode" }) ?? "apiKey";
  const errors = formState.errors;
  // The stored secret is kept only for the kind of login it belongs to.
  const storedFor = (method: "token" | "password" | "apiKey") => editing && start.stored === method && kind === start.values.kind;
  // The password field of every kind that signs in with a user and a password.
  const passwordField = (
    <Field id="p-password" label="Password" error={errors.password?.message} hint={secretHint(storedFor("password"), "password")}>
      <Input id="p-password" type="password" autoComplete="new-password" placeholder={storedFor("password") ? KEEP : ""} invalid={!!errors.password} {...register("password")} />
    </Field>
  );

  async function onSubmit(values: ProviderValues) {
    setMessage(null);
    const result = await saveProviderAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    for (const field of ["secret", "password", "apiKey"] as const) resetField(field, { defaultValue: "" });
    // Edits say "Saved." beside the form; a creation moves to the new page, so it is told by a toast.
    if (!editing) {
      toast(`Provider ${values.name} added.`);
      return router.push(`/admin/providers/${result.data.id}`);
    }
    setMessage({ tone: "success", text: "Saved." });
    router.refresh();
  }

  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-6">
      <Card>
        <CardHeader title="Connection" description="Where the provider is and how Hangar signs in. Secrets are stored encrypted and never shown again." />
        <CardBody className="grid gap-5 sm:grid-cols-2">
          <Field id="p-name" label="Name" error={errors.name?.message} hint="Unique; templates and plans refer to it.">
            <Input id="p-name" invalid={!!errors.name} {...register("name")} />
          </Field>
          <Field id="p-kind" label="Kind" error={errors.kind?.message}>
            <Select id="p-kind" {...register("kind")}>
              {Object.values(PROVIDER_CATALOG).map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.available ? k.label : `${k.label} (not supported yet)`}
                </option>
              ))}
            </Select>
          </Field>
          <div className="sm:col-span-2">
            <Field
              id="p-url"
              label="URL"
              error={errors.url?.message}
              hint={start.simulated ? "Served by Hangar's built-in simulator: its address is set when the portal starts." : `e.g. ${PROVIDER_CATALOG[kind ?? "pve"].urlHint}`}
            >
              <Input id="p-url" readOnly={start.simulated} invalid={!!errors.url} {...register("url")} />
            </Field>
          </div>
          {kind === "pve" ? (
            <>
              <fieldset className="space-y-2 sm:col-span-2">
                <legend className="text-sm font-medium text-slate-800">Sign in with</legend>
                <div className="flex flex-wrap gap-6 text-sm">
                  <label className="flex items-center gap-2">
                    <input type="radio" value="token" className="accent-indigo-600" {...register("pveAuth")} /> An API token
                  </label>
                  <label className="flex items-center gap-2">
                    <input type="radio" value="password" className="accent-indigo-600" {...register("pveAuth")} /> A user and password
                  </label>
                </div>
              </fieldset>
              {pveAuth === "token" ? (
                <>
                  <Field id="p-token" label="API token ID" error={errors.tokenId?.message} hint="user@realm!tokenname">
                    <Input id="p-token" autoComplete="off" placeholder="root@pam!hangar" invalid={!!errors.tokenId} {...register("tokenId")} />
                  </Field>
                  <Field id="p-secret" label="Token secret" error={errors.secret?.message} hint={secretHint(storedFor("token"), "secret")}>
                    <Input id="p-secret" type="password" autoComplete="new-password" placeholder={storedFor("token") ? KEEP : ""} invalid={!!errors.secret} {...register("secret")} />
                  </Field>
                </>
              ) : (
                <>
                  <Field id="p-user" label="User name" error={errors.username?.message}>
                    <Input id="p-user" autoComplete="off" placeholder="hangar" invalid={!!errors.username} {...register("username")} />
                  </Field>
                  <Field id="p-realm" label="Realm" error={errors.realm?.message} hint="pam when empty">
                    <Input id="p-realm" placeholder="pam" {...register("realm")} />
                  </Field>
                  {passwordField}
                </>
              )}
            </>
          ) : (
            <>
              <fieldset className="space-y-2 sm:col-span-2">
                <legend className="text-sm font-medium text-slate-800">Sign in with</legend>
                <div className="flex flex-wrap gap-6 text-sm">
                  {(LOGINS[kind ?? "nova"] ?? []).map((l) => (
                    <label key={l.value} className="flex items-center gap-2">
                      <input type="radio" value={l.value} className="accent-indigo-600" {...register("authMode")} /> {l.label}
                    </label>
                  ))}
                </div>
                {errors.authMode?.message ? <p className="text-sm text-red-700">{errors.authMode.message}</p> : null}
              </fieldset>
              {authMode === "apiKey" ? (
                <div className="sm:col-span-2">
                  <Field id="p-apikey" label={`${PROVIDER_CATALOG[kind ?? "nova"].label} API key`} error={errors.apiKey?.message} hint={secretHint(storedFor("apiKey"), "key")}>
                    <Input id="p-apikey" type="password" autoComplete="new-password" placeholder={storedFor("apiKey") ? KEEP : ""} invalid={!!errors.apiKey} {...register("apiKey")} />
                  </Field>
                </div>
              ) : (
                <>
                  <Field id="p-user" label={kind === "nova" ? "Email" : "User name"} error={errors.username?.message}>
                    <Input id="p-user" autoComplete="off" placeholder={kind === "nova" ? "ops@example.com" : "hangar"} invalid={!!errors.username} {...register("username")} />
                  </Field>
                  {passwordField}
                </>
              )}
            </>
          )}
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="TLS and defaults" />
        <CardBody className="grid gap-5 sm:grid-cols-2">
          <div className="sm:col-span-2">
            <Checkbox id="p-verify" label="Verify the server's certificate" hint="Turn off only for self-signed lab clusters, or pin the certificate below." {...register("tlsVerify")} />
          </div>
          <Field id="p-fp" label="Certificate fingerprint (SHA-256)" error={errors.tlsFingerprint?.message} hint="Pins exactly this certificate. Optional.">
            <Input id="p-fp" className="font-mono text-xs" placeholder="AB:CD:…" invalid={!!errors.tlsFingerprint} {...register("tlsFingerprint")} />
          </Field>
          {PROVIDER_CATALOG[kind ?? "pve"].connectionSettingFields
            // VergeOS's passwordAuth is the "Sign in with" choice above.
            .filter((f) => !(kind === "vergeos" && f.key === "passwordAuth"))
            .map((f) => (
            <Field key={f.key} id={`p-setting-${f.key}`} label={f.label} error={errors.settings?.[f.key]?.message} hint={f.hint}>
              <Input id={`p-setting-${f.key}`} invalid={!!errors.settings?.[f.key]} {...register(`settings.${f.key}`)} />
            </Field>
          ))}
          <div className="sm:col-span-2">
            <Field id="p-ca" label="CA certificate (PEM)" error={errors.tlsCa?.message} hint="Trust this CA instead of the system's. Optional.">
              <Textarea id="p-ca" rows={3} className="font-mono text-xs" placeholder="-----BEGIN CERTIFICATE-----" invalid={!!errors.tlsCa} {...register("tlsCa")} />
            </Field>
          </div>
          <div className="sm:col-span-2">
            <Checkbox id="p-enabled" label="Enabled" hint="A disabled provider's templates are offered to no one." {...register("enabled")} />
          </div>
        </CardBody>
      </Card>

      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="flex gap-3">
        <Button type="submit" busy={formState.isSubmitting}>
          {editing ? "Save changes" : "Add provider"}
        </Button>
        <Button variant="secondary" onClick={() => router.push("/admin/providers")}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
