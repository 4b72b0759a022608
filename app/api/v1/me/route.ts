import { bearerApi } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

/** GET /api/v1/me: who the Bearer token belongs to. */
export const GET = bearerApi(async ({ user }) => ({ data: { id: user.id, email: user.email, name: user.name, role: user.role } }));
