import { bearerApi } from "@/lib/api/handler";
import { idempotent } from "@/lib/api/idempotency";
import { getVm } from "@/lib/vms/get-vm";
import { requestVmAction } from "@/lib/vms/vm-action";

export const dynamic = "force-dynamic";

/** GET /api/v1/vms/{vm_id}: one VM, with the task running on it and the actions it accepts now. */
export const GET = bearerApi<{ vmId: string }>(async ({ user, params }) => ({ data: await getVm(user, params.vmId) }));

/** DELETE /api/v1/vms/{vm_id}: stop and destroy the VM with its disks (a task). */
export const DELETE = bearerApi<{ vmId: string }>(idempotent(async ({ user, params }) => {
  const { task_id, message } = await requestVmAction(user, params.vmId, "delete");
  return { message, data: { task_id } };
}));
