import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { LongId, Table, Td, Th } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import { taskKindLabel } from "@/lib/vms/action-rules";

const tones: Record<string, BadgeTone> = { pending: "gray", in_progress: "blue", completed: "green", failed: "red", cancelled: "yellow" };

type Row = { id: string; kind: string; status: string; progress: number; createdAt: Date; updatedAt?: Date; error: string | null; errorDetail?: string | null; user?: { email: string } };

export function TaskTable({ tasks, showUser = false, showError = false, stuckBefore }: { tasks: Row[]; showUser?: boolean; showError?: boolean; stuckBefore?: Date }) {
  return (
    <Table label="Tasks">
      <thead>
        <tr>
          <Th>Task</Th>
          {showUser ? <Th>User</Th> : null}
          <Th>Status</Th>
          <Th>Progress</Th>
          <Th>Started</Th>
          {showError ? <Th>Provider says</Th> : null}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {tasks.map((t) => {
          const stuck = stuckBefore && t.updatedAt && (t.status === "pending" || t.status === "in_progress") && t.updatedAt < stuckBefore;
          return (
            <tr key={t.id}>
              <Td label="Task" className="whitespace-normal">
                <Link href={`/tasks/${encodeURIComponent(t.id)}`} className="font-medium text-indigo-700 hover:underline">
                  {taskKindLabel(t.kind)}
                </Link>
                <LongId className="block text-slate-500">{t.id}</LongId>
              </Td>
              {showUser ? (
                <Td label="User" className="break-all whitespace-normal">
                  {t.user?.email}
                </Td>
              ) : null}
              <Td label="Status">
                <span className="flex gap-1">
                  <Badge tone={tones[t.status] ?? "gray"}>{t.status.replace("_", " ")}</Badge>
                  {stuck ? <Badge tone="yellow">stuck</Badge> : null}
                </span>
              </Td>
              <Td label="Progress">{t.progress}%</Td>
              <Td label="Started">
                <Time value={t.createdAt} relative />
              </Td>
              {/* showError is for support's monitor only: the provider's own words (errorDetail) are staff-only. */}
              {showError ? (
                <Td label="Provider says" className="max-w-sm whitespace-normal break-words text-red-700" title={t.error ?? undefined}>
                  {t.errorDetail ?? t.error ?? ""}
                </Td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
