import { authenticateBearer } from "../auth/api-tokens";
import type { AuthenticatedUser } from "../auth/credentials";
import { can, type Permission } from "../auth/permissions";
import { sessionCookieFromHeader, userFromSessionCookie } from "../auth/session-cookie";
import { AppError } from "../errors";
import { errorResponse, ok } from "./respond";

type Result = { data: unknown; message?: string; status?: number } | Response;
type Ctx<P> = { req: Request; params: P };

/**
 * Every /api/v1 handler has one shape: authenticate → (handler parses) → one domain call →
 * envelope. Errors of any kind become the envelope in errorResponse.
 */
export function publicApi<P = Record<string, string>>(fn: (ctx: Ctx<P>) => Promise<Result>) {
  return async (req: Request, context: { params: Promise<P> }) => {
    try {
      return toResponse(await fn({ req, params: await context.params }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}

export function bearerApi<P = Record<string, string>>(
  fn: (ctx: Ctx<P> & { user: AuthenticatedUser }) => Promise<Result>,
  permission: Permission = "vms.own",
) {
  return publicApi<P>(async (ctx) => {
    // Bearer tokens everywhere; the browser's session cookie only for reads (no CSRF exposure).
    const bearer = ctx.req.headers.get("authorization");
    const user = bearer
      ? await authenticateBearer(bearer)
      : ctx.req.method === "GET"
        ? await userFromSessionCookie(sessionCookieFromHeader(ctx.req.headers.get("cookie")))
        : null;
    if (!user) throw new AppError("unauthorized", "Authentication required: send a valid Bearer token");
    if (!can(user.role, permission)) throw new AppError("forbidden", "You do not have permission to do this");
    return fn({ ...ctx, user });
  });
}

function toResponse(result: Result): Response {
  if (result instanceof Response) return result;
  return ok(result.data, result.message ?? "OK", result.status ?? 200);
}
