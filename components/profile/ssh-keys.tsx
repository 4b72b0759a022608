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
import { sshKeySchema } from "@/lib/schemas/ssh-key";
import { addSshKeyAction, deleteSshKeyAction } from "@/app/(portal)/profile/actions";

type KeyRow = { id: string; name: string; fingerprint: string; createdAt: string };
type FormValues = z.input<typeof sshKeySchema>;

export function SshKeys({ keys }: { keys: KeyRow[] }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const { register, handleSubmit, reset, formState } = useForm<FormValues>({ resolver: zodResolver(sshKeySchema), defaultValues: { name: "", publicKey: "" } });

  async function onSubmit(values: FormValues) {
    setError(null);
    const result = await addSshKeyAction(values);
    if (!result.ok) return setError(result.error);
    reset();
  }

  return (
    <Card>
      <CardHeader title="SSH keys" description="Public keys you can install on new VMs with cloud-init." />
      <CardBody className="space-y-5">
        {error ? <Alert tone="error">{error}</Alert> : null}
        {keys.length === 0 ? (
          <p className="text-sm text-slate-500">You have no SSH keys yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
            {keys.map((k) => (
              <li key={k.id} className="flex items-center justify-between gap-4 px-4 py-3 text-sm">
                <div>
                  <p className="font-medium text-slate-900">{k.name}</p>
                  <p className="font-mono text-xs text-slate-500">{k.fingerprint}</p>
                </div>
                <Button
                  variant="secondary"
                  size="sm"
                  disabled={pending}
                  aria-label={`Delete ${k.name}`}
                  onClick={() =>
                    startTransition(async () => {
                      const result = await deleteSshKeyAction(k.id);
                      if (!result.ok) setError(result.error);
                    })
                  }
                >
                  Delete
                </Button>
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-3">
          <Field id="key-name" label="Name" hint="Optional: defaults to the key's comment." error={formState.errors.name?.message}>
            <Input id="key-name" placeholder="e.g. laptop" {...register("name")} />
          </Field>
          <Field id="key-text" label="Public key" error={formState.errors.publicKey?.message}>
            <textarea
              id="key-text"
              rows={3}
              placeholder="ssh-ed25519 AAAA… you@host"
              className="block w-full rounded-md border-0 px-3 py-2 font-mono text-xs text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-indigo-600"
              {...register("publicKey")}
            />
          </Field>
          <Button type="submit" busy={formState.isSubmitting}>
            Add key
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}
