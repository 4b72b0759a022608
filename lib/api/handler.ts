import { randomUUID } from "node:crypto";
import { authenticateBearer } from "../auth/api-tokens";
import type { AuthenticatedUser } from "../auth/credentials";
import { can, type Permission } from "../auth/permissions";
import { sessionCookieFromHeader, userFromSessionCookie } from "../auth/session-cookie";
import { AppError } from "../errors";
import { isPlausibleId } from "./ids";
import { REQUEST_ID_HEADER } from "./request-id";
import { errorResponse, ok } from "./respond";

type Result = { data: unknown; message?: string; status?: number } | Response;
type Ctx<P> = { req: Request; params: P };

/**
 * Every /api/v1 handler has one shape: check the path's parameters → authenticate → (handler
 * parses) → one domain call → envelope. Errors of any kind become the envelope in errorResponse;
 * every answer carries the request id (`x-request-id`: the front door's, lib/server/http.ts, or a
 * new one) that a 500's log line carries too. A path parameter that cannot be an id (control
 * characters, broken Unicode, over 200 characters) is a 400 before anything else runs.
 */
export function publicApi<P = Record<string, string>>(fn: (ctx: Ctx<P>) => Promise<Result>) {
  return async (req: Request, context: { params: Promise<P> }) => {
    const requestId = req.headers.get(REQUEST_ID_HEADER) || randomUUID();
    let response: Response;
    try {
      const params = await context.params;
      checkParams(params);
      response = toResponse(await fn({ req, params }));
    } catch (error) {
      response = errorResponse(error, requestId);
    }
    try {
      response.headers.set(REQUEST_ID_HEADER, requestId);
    } catch {
      // an immutable Response from elsewhere: the front door's header still stands
    }
    return response;
  };
}

/** Throws a 400 naming the first path parameter that cannot be an id. */
function checkParams(params: unknown): void {
  if (!params || typeof params !== "object") return;
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && !isPlausibleId(v)) throw new AppError("bad_request", `Invalid ${name} in the path: not an id`);
    }
  }
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
