// next-auth's and our own sign-in error codes, in words a person can act on (code → text).
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

/**
 * The text for `/signin?error=<code>`: only known codes have words; anything else (a link anyone
 * can craft) shows the generic "Default" text, never the value itself. undefined: no error.
 */
export function describeSignInError(code: string | undefined | null): string | undefined {
  if (!code) return undefined;
  return known(code) ?? DEFAULT_TEXT;
}

/**
 * The text for the error of the form's own sign-in request (next-auth's `signIn()` answer, which
 * carries the server's message, e.g. a lockout's wait): a known code's words, else that message.
 * Never for values from the URL.
 */
export function describeSignInResult(error: string | undefined | null): string {
  if (!error) return DEFAULT_TEXT;
  return known(error) ?? error.slice(0, 300);
}

const DEFAULT_TEXT = "Sign-in failed. Try again.";

function known(code: string): string | undefined {
  return Object.hasOwn(knownErrors, code) ? knownErrors[code] : undefined;
}
