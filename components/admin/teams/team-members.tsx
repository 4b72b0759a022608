"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Controller, useForm } from "react-hook-form";
import type { z } from "zod";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { teamMembersSchema } from "@/lib/schemas/admin";
import { addTeamMembersAction, removeTeamMemberAction } from "@/app/(portal)/admin/teams/actions";
import { showRefusal } from "../action-result";
import { CheckboxList } from "../checkbox-list";

type Member = { id: string; email: string; name: string; role: string; disabled: boolean };
type Candidate = { id: string; email: string; name: string; currentTeam: string | null };

export function TeamMembers({ teamId, members, candidates }: { teamId: string; members: Member[]; candidates: Candidate[] }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const { control, handleSubmit, setError, reset, formState } = useForm<z.input<typeof teamMembersSchema>, unknown, z.output<typeof teamMembersSchema>>({
    resolver: zodResolver(teamMembersSchema),
    defaultValues: { teamId, userIds: [] },
  });

  async function onSubmit(values: z.output<typeof teamMembersSchema>) {
    setMessage(null);
    const result = await addTeamMembersAction(values);
    if (!result.ok) return setMessage({ tone: "error", text: showRefusal(result, setError) });
    setMessage({ tone: "success", text: `Added ${result.data.added} member${result.data.added === 1 ? "" : "s"}.` });
    reset({ teamId, userIds: [] });
    router.refresh();
  }

  function remove(m: Member) {
    startTransition(async () => {
      setMessage(null);
      const result = await removeTeamMemberAction({ teamId, userId: m.id });
      if (!result.ok) return setMessage({ tone: "error", text: result.error });
      setMessage({ tone: "success", text: `Removed ${m.email}.` });
      router.refresh();
    });
  }

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card>
        <CardHeader title="Members" description={`${members.length} member${members.length === 1 ? "" : "s"}`} />
        <CardBody>
          {members.length === 0 ? (
            <p className="text-sm text-slate-500">No members yet.</p>
          ) : (
            <ul aria-label="Members" className="divide-y divide-slate-100 rounded-md border border-slate-200">
              {members.map((m) => (
                <li key={m.id} className="flex items-center justify-between gap-3 px-3 py-2 text-sm">
                  <span>
                    <Link href={`/admin/users/${m.id}`} className="font-medium text-indigo-700 hover:underline">
                      {m.email}
                    </Link>{" "}
                    {m.role !== "user" ? <Badge tone={m.role === "admin" ? "blue" : "yellow"}>{m.role}</Badge> : null} {m.disabled ? <Badge tone="red">disabled</Badge> : null}
                    {m.name ? <span className="block text-xs text-slate-500">{m.name}</span> : null}
                  </span>
                  <Button variant="secondary" size="sm" disabled={pending} onClick={() => remove(m)} aria-label={`Remove ${m.email}`}>
                    Remove
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Add members" description="A user is in at most one team: adding someone from another team moves them." />
        <CardBody>
          <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-4">
            <Controller
              control={control}
              name="userIds"
              render={({ field, fieldState }) => (
                <CheckboxList
                  label="Users"
                  value={field.value}
                  onChange={field.onChange}
                  error={fieldState.error?.message}
                  options={candidates.map((u) => ({ value: u.id, label: u.email, hint: u.currentTeam ? `in ${u.currentTeam}` : u.name || undefined, search: `${u.email} ${u.name}` }))}
                  empty="Everyone is already in this team."
                />
              )}
            />
            <Button type="submit" busy={formState.isSubmitting}>
              Add to team
            </Button>
          </form>
        </CardBody>
      </Card>
      {message ? (
        <div className="lg:col-span-2">
          <Alert tone={message.tone}>{message.text}</Alert>
        </div>
      ) : null}
    </div>
  );
}
