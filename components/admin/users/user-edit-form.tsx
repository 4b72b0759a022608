"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { userEditSchema, type UserEdit, type UserEditInput } from "@/lib/schemas/credentials";
import { updateUserAction } from "@/app/(portal)/admin/users/actions";
import { showRefusal } from "../action-result";

type Options = { plans: { id: string; name: string; isDefault: boolean }[]; teams: { id: string; name: string }[] };

export function UserEditForm({ start, options, self }: { start: UserEditInput; options: Options; self: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const { register, handleSubmit, setError, setValue, formState } = useForm<UserEditInput, unknown, UserEdit>({
    resolver: zodResolver(userEditSchema),
    defaultValues: { newPassword: "", keepApiTokens: false, ...start },
  });
  const errors = formState.errors;

  async function onSubmit(values: UserEdit) {
    setMessage(null);
    const result = await updateUserAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    setValue("newPassword", "");
    setMessage({ tone: "success", text: values.newPassword ? "Saved. The new password is set and the user's sessions have ended." : "Saved." });
    router.refresh();
  }

  return (
    <Card>
      <CardHeader title="Account" description="Role, plan and team take effect at once, also for sessions already signed in." />
      <CardBody>
        <form onSubmit={handleSubmit(onSubmit)} noValidate className="grid gap-5 sm:grid-cols-2">
          <Field id="ue-name" label="Name" error={errors.name?.message}>
            <Input id="ue-name" invalid={!!errors.name} {...register("name")} />
          </Field>
          <Field id="ue-role" label="Role" error={errors.role?.message}>
            <Select id="ue-role" invalid={!!errors.role} {...register("role")}>
              <option value="user">user</option>
              <option value="support">support</option>
              <option value="admin">admin</option>
            </Select>
          </Field>
          <Field id="ue-plan" label="Plan" error={errors.planId?.message}>
            <Select id="ue-plan" invalid={!!errors.planId} {...register("planId")}>
              <option value="">No plan (cannot create VMs)</option>
              {options.plans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                  {p.isDefault ? " (default)" : ""}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="ue-team" label="Team" error={errors.teamId?.message}>
            <Select id="ue-team" invalid={!!errors.teamId} {...register("teamId")}>
              <option value="">No team</option>
              {options.teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </Select>
          </Field>
          <div className="sm:col-span-2">
            <Checkbox
              id="ue-disabled"
              label="Disabled"
              hint={self ? "You cannot disable your own account." : "A disabled user cannot sign in; their sessions and API tokens stop working at once."}
              error={errors.disabled?.message}
              {...register("disabled")}
            />
          </div>
          <Field id="ue-password" label="New password" hint="Leave empty to keep the current one. A new password signs the user out everywhere." error={errors.newPassword?.message}>
            <Input id="ue-password" type="password" autoComplete="new-password" invalid={!!errors.newPassword} {...register("newPassword")} />
          </Field>
          <div className="sm:col-span-2">
            <Checkbox
              id="ue-keep-tokens"
              label="Keep personal API tokens"
              hint="Setting a new password or disabling the user revokes their personal API tokens unless this is ticked. Browser sessions and API logins end either way, also when the role is lowered."
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
              Save changes
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
