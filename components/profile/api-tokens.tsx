"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { personalTokenSchema } from "@/lib/schemas/user";
import { createTokenAction, revokeTokenAction } from "@/app/(portal)/profile/actions";

type TokenRow = { id: string; name: string; prefix: string; createdAt: string; expiresAt: string | null; lastUsedAt: string | null };
type FormValues = z.input<typeof personalTokenSchema>;


export function ApiTokens({ tokens }: { tokens: TokenRow[] }) {
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const { register, handleSubmit, reset, formState } = useForm<FormValues>({
    resolver: zodResolver(personalTokenSchema),
    defaultValues: { name: "", expiresInDays: null },
  });

  async function onSubmit(values: FormValues) {
    setError(null);
    const result = await createTokenAction({ ...values, expiresInDays: values.expiresInDays || null });
    if (!result.ok) return setError(result.error);
    setCreated(result.data.token);
    reset();
  }

  function revoke(id: string) {
    startTransition(async () => {
      const result = await revokeTokenAction(id);
      if (!result.ok) setError(result.error);
    });
  }

  return (
    <Card>
      <CardHeader
        title="API tokens"
        description={
          <>
            For scripts: send one as <code className="font-mono text-xs">Authorization: Bearer …</code> to <code className="font-mono text-xs">/api/v1</code>.
          </>
        }
      />
      <CardBody className="space-y-5">
        {created ? (
          <Alert tone="success" title="Token created. Copy it now: it will not be shown again.">
            <code className="mt-1 block break-all rounded bg-white/70 px-2 py-1 font-mono text-xs" data-testid="new-token">
              {created}
            </code>
          </Alert>
        ) : null}
        {error ? <Alert tone="error">{error}</Alert> : null}
        <form onSubmit={handleSubmit(onSubmit)} noValidate className="flex flex-wrap items-end gap-3">
          <div className="min-w-48 flex-1">
            <Field id="token-name" label="Name" error={formState.errors.name?.message}>
              <Input id="token-name" placeholder="e.g. ci-pipeline" invalid={!!formState.errors.name} {...register("name")} />
            </Field>
          </div>
          <div className="w-40">
            <Field id="token-days" label="Expires in (days)" error={formState.errors.expiresInDays?.message}>
              <Input id="token-days" type="number" min={1} placeholder="never" {...register("expiresInDays")} />
            </Field>
          </div>
          <Button type="submit" busy={formState.isSubmitting}>
            Create token
          </Button>
        </form>
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-500">You have no API tokens.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
            {tokens.map((t) => (
              <li key={t.id} className="flex items-center justify-between gap-4 px-4 py-3 text-sm">
                <div>
                  <p className="font-medium text-slate-900">{t.name}</p>
                  <p className="text-xs text-slate-500">
                    <span className="font-mono">{t.prefix}…</span> · created <Time value={t.createdAt} /> · expires {t.expiresAt ? <Time value={t.expiresAt} /> : "never"} · last used{" "}
                    {t.lastUsedAt ? <Time value={t.lastUsedAt} relative /> : "never"}
                  </p>
                </div>
                <Button variant="secondary" size="sm" disabled={pending} onClick={() => revoke(t.id)} aria-label={`Revoke ${t.name}`}>
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
