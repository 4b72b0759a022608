import { appendFileSync } from "node:fs";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export type OidcServer = { issuer: string; close: () => Promise<void> };

/**
 * A real OpenID Connect provider (panva's oidc-provider) on a free loopback port, for the
 * "Continue with …" button. Its development interactions accept any login name (the password
 * is ignored) and then ask for consent. Every account `<id>` has the verified email `<id>@sso.example`
 * unless `accounts` says otherwise.
 */
export async function startOidcServer(options: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  logFile: string;
  /** Claims that replace the defaults for chosen login names, e.g. `{ mallory: { email: "admin@…", email_verified: false } }`. */
  accounts?: Record<string, Record<string, unknown>>;
  /** Put email and name in the ID token too (default: userinfo only, oidc-provider's strict default). */
  claimsInIdToken?: boolean;
}): Promise<OidcServer> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        // What next-auth 4 (openid-client 5) uses unless told otherwise.
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id}@sso.example`, email_verified: true, name: id.charAt(0).toUpperCase() + id.slice(1), ...options.accounts?.[id] }),
    }),
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    scopes: ["openid", "email", "profile"],
    // oidc-provider's strict default keeps email and name out of the ID token (userinfo only):
    // Hangar must then read them from the userinfo endpoint, which this proves.
    conformIdTokenClaims: !options.claimsInIdToken,
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    jwks: { keys: [{ ...signingKey, kid: "e2e", use: "sig", alg: "RS256" }] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  });
  const note = (event: string) => (...args: unknown[]) => {
    const err = args.find((a): a is Error => a instanceof Error);
    appendFileSync(options.logFile, `${new Date().toISOString()} ${event} ${err ? `${err.name}: ${err.message}` : ""}\n`);
  };
  for (const event of ["server_error", "authorization.error", "grant.error", "userinfo.error", "discovery.error", "jwks.error"]) provider.on(event, note(event));
  for (const event of ["authorization.success", "grant.success", "interaction.ended"]) provider.on(event, note(event));

  server.on("request", provider.callback());
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
