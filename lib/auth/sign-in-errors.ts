// next-auth's own error codes, in words a person can act on. Other values are our own messages.
const knownErrors: Record<string, string> = {
  CredentialsSignin: "Invalid email or password",
  OAuthSignin: "Single sign-on could not start. Try again.",
  OAuthCallback: "Single sign-on failed. Try again.",
  OAuthAccountNotLinked: "This email is already linked to another sign-in method.",
  SessionRequired: "Please sign in to continue.",
  Callback: "Sign-in failed. Try again.",
  Default: "Sign-in failed. Try again.",
};

export function describeSignInError(code: string | undefined | null): string | undefined {
  if (!code) return undefined;
  return knownErrors[code] ?? code;
}
