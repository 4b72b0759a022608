import { bearerApi } from "@/lib/api/handler";
import { idempotent } from "@/lib/api/idempotency";
import { requestVmAction } from "@/lib/vms/vm-action";

export const dynamic = "force-dynamic";

/** POST /api/v1/vms/{vm_id}/stop: hard stop, like pulling the plug (a task). */
export const POST = bearerApi<{ vmId: string }>(idempotent(async ({ user, params }) => {
  const { task_id, message } = await requestVmAction(user, params.vmId, "stop");
  return { message, data: { task_id } };
}));
