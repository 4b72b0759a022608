import { bearerApi } from "@/lib/api/handler";
import { idempotent } from "@/lib/api/idempotency";
import { readJson } from "@/lib/api/respond";
import { createFromTemplate } from "@/lib/api/seed-create-from-template";

export const dynamic = "force-dynamic";

/** The seed API: POST /api/v1/vm/manage/createFromTemplate (see ../shared/seeds/portal-createFromTemplate.md). */
export const POST = bearerApi(idempotent(async ({ req, user }) => ({
  message: "VM created and configured successfully",
  data: await createFromTemplate(user, await readJson(req)),
})));
