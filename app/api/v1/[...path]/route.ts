import { publicApi } from "@/lib/api/handler";
import { fail } from "@/lib/api/respond";

export const dynamic = "force-dynamic";

/**
 * Any /api/v1 path no route serves: a 404 in the API's `{code, message, data}` envelope (not
 * the portal's HTML not-found page), whatever the method. Needs no sign-in: it reveals nothing
 * but that the path does not exist.
 */
const notFound = publicApi<{ path: string[] }>(async ({ req }) => fail(404, `No API endpoint at ${new URL(req.url).pathname.slice(0, 200)}; see /api/v1/openapi.json`));

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
