import { bearerApi } from "@/lib/api/handler";
import { listVms } from "@/lib/vms/list-vms";

export const dynamic = "force-dynamic";

/** GET /api/v1/vms: the caller's VMs. */
export const GET = bearerApi(async ({ user }) => ({ data: await listVms(user.id) }));
