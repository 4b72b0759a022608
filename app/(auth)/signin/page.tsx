import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { describeSignInError } from "@/lib/auth/sign-in-errors";
import { currentUser } from "@/lib/auth/guards";
import { env, oidcConfigured } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

function safeCallback(value: string | undefined): string {
  // Only same-site paths: never send people to another origin after sign-in.
  if (!value) return "/vms";
  try {
    const url = new URL(value, "http://hangar.invalid");
    return url.origin === "http://hangar.invalid" && url.pathname.startsWith("/") && !url.pathname.startsWith("/signin") ? url.pathname + url.search : "/vms";
  } catch {
    return "/vms";
  }
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
