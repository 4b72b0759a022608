"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useToast } from "@/components/ui/toast";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { teamFormSchema, type TeamForm as TeamValues, type TeamFormInput } from "@/lib/schemas/admin";
import { saveTeamAction } from "@/app/(portal)/admin/teams/actions";
import { showRefusal } from "../action-result";

export function TeamForm({ start, plans }: { start: TeamFormInput; plans: { id: string; name: string }[] }) {
  const router = useRouter();
  const toast = useToast();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const editing = Boolean(start.id);
  const { register, handleSubmit, setError, formState } = useForm<TeamFormInput, unknown, TeamValues>({ resolver: zodResolver(teamFormSchema), defaultValues: start });
  const errors = formState.errors;

  async function onSubmit(values: TeamValues) {
    setMessage(null);
    const result = await saveTeamAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    // Edits say "Saved." beside the form; a creation moves to the new page, so it is told by a toast.
    if (!editing) {
      toast(`Team ${values.name} created.`);
      return router.push(`/admin/teams/${result.data.id}`);
    }
    setMessage({ tone: "success", text: "Saved." });
    router.refresh();
  }

  return (
    <Card>
      <CardHeader title="Team" description="Members share the team plan's aggregate limits, on top of their own plan's." />
      <CardBody>
        <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-5">
          <div className="grid gap-5 sm:grid-cols-2">
            <Field id="tm-name" label="Name" error={errors.name?.message}>
              <Input id="tm-name" invalid={!!errors.name} {...register("name")} />
            </Field>
            <Field id="tm-plan" label="Team plan" error={errors.planId?.message} hint="None: only each member's own plan applies.">
              <Select id="tm-plan" invalid={!!errors.planId} {...register("planId")}>
                <option value="">None</option>
                {plans.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
              </Select>
            </Field>
            <div className="sm:col-span-2">
              <Field id="tm-desc" label="Description" error={errors.description?.message}>
                <Input id="tm-desc" invalid={!!errors.description} {...register("description")} />
              </Field>
            </div>
          </div>
          {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
          <div className="flex gap-3">
            <Button type="submit" busy={formState.isSubmitting}>
              {editing ? "Save changes" : "Create team"}
            </Button>
            {editing ? null : (
              <Button variant="secondary" onClick={() => router.push("/admin/teams")}>
                Cancel
              </Button>
            )}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
