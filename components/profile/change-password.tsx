"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { changePasswordSchema, type ChangePassword, type ChangePasswordInput } from "@/lib/schemas/credentials";
import { changePasswordAction } from "@/app/(portal)/profile/actions";

/** The profile's password change: signs the person out everywhere else. */
export function ChangePasswordForm() {
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const { register, handleSubmit, reset, setError, formState } = useForm<ChangePasswordInput, unknown, ChangePassword>({
    resolver: zodResolver(changePasswordSchema),
    defaultValues: { currentPassword: "", newPassword: "", keepApiTokens: false },
  });
  const errors = formState.errors;

  async function onSubmit(values: ChangePassword) {
    setMessage(null);
    const result = await changePasswordAction(values);
    if (!result.ok) {
      const fieldErrors = result.fieldErrors;
      if (fieldErrors?.currentPassword) setError("currentPassword", { type: "server", message: fieldErrors.currentPassword });
      return setMessage({ tone: "error", text: result.error });
    }
    reset();
    setMessage({ tone: "success", text: "Password changed. Your other sessions and API logins have ended." });
  }

  return (
    <Card>
      <CardHeader title="Password" description="Changing your password signs you out everywhere else: other browsers and API logins." />
      <CardBody>
        <form onSubmit={handleSubmit(onSubmit)} noValidate className="grid gap-5 sm:grid-cols-2">
          <Field id="pw-current" label="Current password" error={errors.currentPassword?.message}>
            <Input id="pw-current" type="password" autoComplete="current-password" invalid={!!errors.currentPassword} {...register("currentPassword")} />
          </Field>
          <Field id="pw-new" label="New password" error={errors.newPassword?.message}>
            <Input id="pw-new" type="password" autoComplete="new-password" invalid={!!errors.newPassword} {...register("newPassword")} />
          </Field>
          <div className="sm:col-span-2">
            <Checkbox
              id="pw-keep-tokens"
              label="Keep my personal API tokens"
              hint="Unless ticked, your personal API tokens are revoked too."
              {...register("keepApiTokens")}
            />
          </div>
          {message ? (
            <div className="sm:col-span-2">
              <Alert tone={message.tone}>{message.text}</Alert>
            </div>
          ) : null}
          <div className="sm:col-span-2">
            <Button type="submit" busy={formState.isSubmitting}>
              Change password
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
