import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { TaskLive } from "@/components/tasks/task-live";
import { requireUser } from "@/lib/auth/guards";
import { isAppError } from "@/lib/errors";
import { getTask } from "@/lib/tasks/get-task";
import { pageId } from "@/lib/pages/params";
import { editRetryHref } from "@/lib/vms/wizard-data";

export const metadata: Metadata = { title: "Task" };

export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const user = await requireUser();
  const taskId = pageId((await params).taskId);
  const task = await getTask(user, taskId).catch((error: unknown) => {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  });
  return (
    <>
      <PageHeader title="Task" description="Each step as it happens, with the provider's own task ids and log." />
      <TaskLive initial={task} editHref={await editRetryHref(task.task_id)} />
    </>
  );
}
