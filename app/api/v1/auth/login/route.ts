import { issueSessionToken } from "@/lib/auth/api-tokens";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { verifyCredentials } from "@/lib/auth/credentials";
import { publicApi } from "@/lib/api/handler";
import { parseWith, readJson, requireFields } from "@/lib/api/respond";
import { loginSchema } from "@/lib/schemas/user";

export const dynamic = "force-dynamic";

/** POST /api/v1/auth/login {email, password} → the seed's "session Bearer token". */
export const POST = publicApi(async ({ req }) => {
  const raw = await readJson(req);
  requireFields(raw, ["email", "password"]);
  const body = parseWith(loginSchema, raw);
  const user = await verifyCredentials(body.email, body.password, req.headers.get(CLIENT_IP_HEADER) ?? undefined);
  // Issued only while the checked password and role still hold (a change in between ends nothing otherwise).
  const { token, expiresAt } = await issueSessionToken(user.id, user.stamp);
  return { message: "Login successful", data: { token, expires_at: expiresAt.toISOString() } };
});
