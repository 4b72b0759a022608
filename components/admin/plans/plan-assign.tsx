"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import type { z } from "zod";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { planAssignSchema, type PlanAssignInput } from "@/lib/schemas/admin";
import { assignPlanAction } from "@/app/(portal)/admin/plans/actions";
import { showRefusal } from "../action-result";
import { CheckboxList } from "../checkbox-list";

type Candidates = {
  users: { id: string; email: string; name: string; planName: string | null }[];
  teams: { id: string; name: string; planName: string | null }[];
};

/** Moves users and teams onto this plan from whatever plan they have now. */
export function PlanAssign({ planId, planName, candidates }: { planId: string; planName: string; candidates: Candidates }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const { control, handleSubmit, setError, reset, formState } = useForm<PlanAssignInput, unknown, z.output<typeof planAssignSchema>>({
    resolver: zodResolver(planAssignSchema),
    defaultValues: { planId, userIds: [], teamIds: [] },
  });

  async function onSubmit(values: z.output<typeof planAssignSchema>) {
    setMessage(null);
    const result = await assignPlanAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    const { users, teams } = result.data;
    setMessage({ tone: "success", text: `Moved ${users} user${users === 1 ? "" : "s"} and ${teams} team${teams === 1 ? "" : "s"} to ${planName}.` });
    reset({ planId, userIds: [], teamIds: [] });
    router.refresh();
  }

  const now = (plan: string | null) => (plan ? `now on ${plan}` : "no plan now");
  return (
    <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-4">
      <div className="grid gap-5 md:grid-cols-2">
        <Controller
          control={control}
          name="userIds"
          render={({ field, fieldState }) => (
            <CheckboxList
              label="Users"
              value={field.value}
              onChange={field.onChange}
              error={fieldState.error?.message}
              options={candidates.users.map((u) => ({ value: u.id, label: u.email, hint: now(u.planName), search: `${u.email} ${u.name}` }))}
              empty="Every user is on this plan."
            />
          )}
        />
        <Controller
          control={control}
          name="teamIds"
          render={({ field, fieldState }) => (
            <CheckboxList
              label="Teams"
              value={field.value}
              onChange={field.onChange}
              error={fieldState.error?.message}
              options={candidates.teams.map((t) => ({ value: t.id, label: t.name, hint: now(t.planName) }))}
              empty="No other teams."
            />
          )}
        />
      </div>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <Button type="submit" busy={formState.isSubmitting}>
        Assign to {planName}
      </Button>
    </form>
  );
}
