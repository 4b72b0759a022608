import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { describeSignInError } from "@/lib/auth/sign-in-errors";
import { currentUser } from "@/lib/auth/guards";
import { env, oidcConfigured } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

/** Only same-origin paths (lib/auth/safe-redirect.ts), and never back to the sign-in page itself. */
function safeCallback(value: string | undefined): string {
  const path = safeRedirectPath(value, "/vms");
  return path === "/signin" || path.startsWith("/signin?") || path.startsWith("/signin/") ? "/vms" : path;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; callbackUrl?: string }> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentUser()) redirect(callbackUrl);
  const e = env();
  return (
    <SignInForm
      initialError={describeSignInError(params.error)}
      callbackUrl={callbackUrl}
      sso={oidcConfigured(e) ? { name: e.HANGAR_OIDC_NAME } : undefined}
    />
  );
}
