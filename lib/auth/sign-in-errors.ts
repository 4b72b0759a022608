// next-auth's own error codes, in words a person can act on. Other values are our own messages.
const knownErrors: Record<string, string> = {
  CredentialsSignin: "Invalid email or password",
  OAuthSignin: "Single sign-on could not start. Try again.",
  OAuthCallback: "Single sign-on failed. Try again.",
  OAuthAccountNotLinked: "This email is already linked to another sign-in method.",
  SessionRequired: "Please sign in to continue.",
  Callback: "Sign-in failed. Try again.",
  Default: "Sign-in failed. Try again.",
  // Single sign-on refusals (lib/auth/oidc.ts, SSO_ERROR).
  SsoEmailNotVerified: "Your identity provider has not verified your email address, so it cannot be used to sign in here. Verify it with the provider, or sign in with your password.",
  SsoNoEmail: "Your identity provider did not share an email address. Ask an administrator for help.",
  SsoWrongIssuer: "Single sign-on answered from an identity provider this portal does not trust.",
  SsoLinkedElsewhere: "This account is already linked to another single sign-on identity. Sign in with that identity or your password.",
  SsoAccountDisabled: "This account is disabled. Ask an administrator to enable it.",
  SsoAccountLocked: "This account is locked after too many failed sign-ins. Try again later.",
};

export function describeSignInError(code: string | undefined | null): string | undefined {
  if (!code) return undefined;
  return knownErrors[code] ?? code;
}
