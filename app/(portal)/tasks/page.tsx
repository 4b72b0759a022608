import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TaskTable } from "@/components/tasks/task-table";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage() {
  const user = await requireUser();
  const tasks = await db().task.findMany({ where: { userId: user.id }, orderBy: { createdAt: "desc" }, take: 100 });
  return (
    <>
      <PageHeader title="Tasks" description="Everything Hangar has done for you, newest first." />
      {tasks.length === 0 ? (
        <EmptyState title="No tasks yet" description="Creating, starting or deleting a VM runs a task; you will see each one here with its steps." />
      ) : (
        <TaskTable tasks={tasks} />
      )}
    </>
  );
}
