import type { Instrumentation } from "next";

/**
 * Next calls this for every error a page, route handler or server action did not handle (the 500s
 * that are our own faults). Logged once through the portal's redacting logger with the request id
 * the front door put on the request and on the answer (lib/server/http.ts, `x-request-id`) and
 * the digest the error page shows as its reference, so support can find it from either.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { log } = await import("./lib/log");
  const requestId = request.headers["x-request-id"];
  log.error(
    {
      err: error,
      requestId: Array.isArray(requestId) ? requestId[0] : requestId,
      digest: (error as { digest?: string } | null)?.digest,
      method: request.method,
      path: request.path.split("?")[0]?.slice(0, 200),
      route: context.routePath,
      routeType: context.routeType,
    },
    "unhandled request error",
  );
};
