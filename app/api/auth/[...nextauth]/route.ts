import NextAuth from "next-auth";
import { fail } from "@/lib/api/respond";
import { authOptions } from "@/lib/auth/next-auth-options";

export const dynamic = "force-dynamic";

/**
 * Requests answered here instead of by next-auth: `GET /api/auth/callback/credentials` (next-auth
 * answers it with a 500: "Callback for provider type credentials not supported") → 405; and
 * `/api/auth/_log`, next-auth's endpoint for client-side log lines, which would let anyone write
 * any text into the server log at error level → 404 (the portal's pages do not use it).
 */
function refusal(method: string, segments: readonly string[]): Response | null {
  const [action, provider] = segments;
  if (action === "_log") return fail(404, "Not found");
  if (action === "callback" && provider === "credentials" && method !== "POST") {
    return fail(405, "Sign in with email and password by POST", null, { Allow: "POST" });
  }
  return null;
}

// Options are built per request: they read the environment the launcher prepared.
async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  const refused = refusal(req.method, (await ctx.params).nextauth ?? []);
  if (refused) return refused;
  return NextAuth(req as never, ctx as never, authOptions());
}

export { handler as GET, handler as POST };
