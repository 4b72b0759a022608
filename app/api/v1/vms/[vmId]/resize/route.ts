import { bearerApi } from "@/lib/api/handler";
import { idempotent } from "@/lib/api/idempotency";
import { readJson } from "@/lib/api/respond";
import { requestVmAction } from "@/lib/vms/vm-action";

export const dynamic = "force-dynamic";

/** POST /api/v1/vms/{vm_id}/resize `{cpuCores?, memorySize?, diskSize?}` (a task; quota checked on the increase). */
export const POST = bearerApi<{ vmId: string }>(idempotent(async ({ req, user, params }) => {
  const { task_id, message } = await requestVmAction(user, params.vmId, "resize", await readJson(req));
  return { message, data: { task_id } };
}));
