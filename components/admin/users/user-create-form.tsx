"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { userCreateSchema, type UserCreate, type UserCreateInput } from "@/lib/schemas/admin";
import { createUserAction } from "@/app/(portal)/admin/users/actions";
import { showRefusal } from "../action-result";

type Options = { plans: { id: string; name: string; isDefault: boolean }[]; teams: { id: string; name: string }[] };

export function UserCreateForm({ options }: { options: Options }) {
  const [created, setCreated] = useState<{ id: string; email: string; password: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const defaults: UserCreateInput = { email: "", name: "", role: "user", planId: options.plans.find((p) => p.isDefault)?.id ?? "", teamId: "", password: "" };
  const form = useForm<UserCreateInput, unknown, UserCreate>({ resolver: zodResolver(userCreateSchema), defaultValues: defaults });
  const { register, handleSubmit, reset, formState } = form;
  const errors = formState.errors;

  async function onSubmit(values: UserCreate) {
    setError(null);
    const result = await createUserAction(values);
    if (!result.ok) return setError(showRefusal(result, form.setError));
    setCreated({ id: result.data.id, email: values.email, password: result.data.generatedPassword });
    reset(defaults);
  }

  return (
    <div className="space-y-6">
      {created ? (
        <Alert tone="success" title={`Created ${created.email}.`}>
          {created.password ? (
            <>
              Their password is shown only now: pass it on safely.
              <code className="mt-1 block break-all rounded bg-white/70 px-2 py-1 font-mono text-xs" data-testid="generated-password">
                {created.password}
              </code>
            </>
          ) : (
            "They sign in with the password you chose."
          )}{" "}
          <Link href={`/admin/users/${created.id}`} className="font-medium underline">
            Open their page
          </Link>
        </Alert>
      ) : null}
      <Card>
        <CardHeader title="New user" description="They can sign in at once; with single sign-on, the account is linked by email on their first SSO sign-in." />
        <CardBody>
          <form onSubmit={handleSubmit(onSubmit)} noValidate className="grid gap-5 sm:grid-cols-2">
            <Field id="u-email" label="Email" error={errors.email?.message}>
              <Input id="u-email" type="email" autoComplete="off" invalid={!!errors.email} {...register("email")} />
            </Field>
            <Field id="u-name" label="Name" error={errors.name?.message}>
              <Input id="u-name" autoComplete="off" invalid={!!errors.name} {...register("name")} />
            </Field>
            <Field id="u-role" label="Role" error={errors.role?.message} hint="Support watches every task; admins run the portal.">
              <Select id="u-role" {...register("role")}>
                <option value="user">user</option>
                <option value="support">support</option>
                <option value="admin">admin</option>
              </Select>
            </Field>
            <Field id="u-plan" label="Plan" error={errors.planId?.message}>
              <Select id="u-plan" {...register("planId")}>
                <option value="">No plan (cannot create VMs)</option>
                {options.plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                    {p.isDefault ? " (default)" : ""}
                  </option>
                ))}
              </Select>
            </Field>
            <Field id="u-team" label="Team" error={errors.teamId?.message}>
              <Select id="u-team" {...register("teamId")}>
                <option value="">No team</option>
                {options.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field id="u-password" label="Initial password" error={errors.password?.message} hint="At least 8 characters. Empty: Hangar generates one and shows it once.">
              <Input id="u-password" type="password" autoComplete="new-password" invalid={!!errors.password} {...register("password")} />
            </Field>
            {error ? (
              <div className="sm:col-span-2">
                <Alert tone="error">{error}</Alert>
              </div>
            ) : null}
            <div className="sm:col-span-2">
              <Button type="submit" busy={formState.isSubmitting}>
                Create user
              </Button>
            </div>
          </form>
        </CardBody>
      </Card>
    </div>
  );
}
