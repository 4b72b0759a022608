import { bearerApi } from "@/lib/api/handler";
import { listTemplatesForApi } from "@/lib/vms/list-templates";

export const dynamic = "force-dynamic";

/** GET /api/v1/templates: the templates the caller may use, with the GPU offers of GPU templates. */
export const GET = bearerApi(async ({ user }) => ({ data: await listTemplatesForApi(user) }));
