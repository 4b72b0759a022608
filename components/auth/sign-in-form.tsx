"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { safeRedirectPath } from "@/lib/auth/safe-redirect";
import { describeSignInResult } from "@/lib/auth/sign-in-errors";

const schema = z.object({
  email: z.string().trim().min(1, "Enter your email address").email("Enter a valid email address"),
  password: z.string().min(1, "Enter your password"),
});
type Values = z.infer<typeof schema>;

export function SignInForm({ initialError, callbackUrl: requested, sso }: { initialError?: string; callbackUrl: string; sso?: { name: string } }) {
  // Checked again here: the form navigates on its own after a sign-in without a redirect.
  const callbackUrl = safeRedirectPath(requested, "/vms");
  const router = useRouter();
  const [error, setError] = useState<string | undefined>(initialError);
  const { register, handleSubmit, formState } = useForm<Values>({ resolver: zodResolver(schema) });

  async function onSubmit(values: Values) {
    setError(undefined);
    const result = await signIn("credentials", { ...values, redirect: false, callbackUrl });
    if (!result || result.error) {
      setError(describeSignInResult(result?.error));
      return;
    }
    router.replace(callbackUrl);
    router.refresh();
  }

  return (
    <Card>
      <CardBody className="space-y-5 p-6">
        <div>
          <h1 className="text-lg font-semibold text-slate-900">Sign in</h1>
          <p className="text-sm text-slate-500">Use the account your administrator gave you.</p>
        </div>
        {error ? <Alert tone="error">{error}</Alert> : null}
        <form onSubmit={handleSubmit(onSubmit)} noValidate className="space-y-4">
          <Field id="email" label="Email" error={formState.errors.email?.message}>
            <Input id="email" type="email" autoComplete="username" autoFocus invalid={!!formState.errors.email} {...register("email")} />
          </Field>
          <Field id="password" label="Password" error={formState.errors.password?.message}>
            <Input id="password" type="password" autoComplete="current-password" invalid={!!formState.errors.password} {...register("password")} />
          </Field>
          <Button type="submit" className="w-full" busy={formState.isSubmitting}>
            {formState.isSubmitting ? "Signing in…" : "Sign in"}
          </Button>
        </form>
        {sso ? (
          <>
            <div className="flex items-center gap-3 text-xs text-slate-500">
              <span className="h-px flex-1 bg-slate-200" />
              or
              <span className="h-px flex-1 bg-slate-200" />
            </div>
            <Button variant="secondary" className="w-full" onClick={() => void signIn("oidc", { callbackUrl })}>
              Continue with {sso.name}
            </Button>
          </>
        ) : null}
      </CardBody>
    </Card>
  );
}
