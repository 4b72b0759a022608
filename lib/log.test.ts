import pino from "pino";
import { afterEach, beforeEach, expect, it } from "vitest";
import { log } from "./log";

/**
 * The logger the portal really uses (lib/log.ts's `log`, and its children), not one built here
 * with the same options: its destination stream is captured for each test, so that a logger
 * that loses its redaction fails these tests.
 */
type Stream = { write: (chunk: string) => unknown };
const stream = (log as unknown as Record<symbol, Stream>)[pino.symbols.streamSym]!;
const originalWrite = stream.write;
let lines: string[] = [];
let level: pino.LevelWithSilentOrString;

beforeEach(() => {
  lines = [];
  level = log.level;
  log.level = "info";
  stream.write = (chunk: string) => lines.push(String(chunk));
});
afterEach(() => {
  stream.write = originalWrite;
  log.level = level;
});

const SECRETS = {
  password: "pw-4f1c9e-password",
  cipassword: "ci-7a2b-cipassword",
  secret: "sec-93d1-secret",
  token: "hgr_s_tok-55e0-token",
  passwordHash: "$argon2id$v=19$hash-8c1d",
  authorization: "Bearer hgr_p_auth-2b7f",
  cookie: "next-auth.session-token=cookie-0e4a",
  apiKey: "key-6d3c-apikey",
  credentials: "cred-1a9f-credentials",
  tokenHash: "th-77aa-tokenhash",
  clientSecret: "cs-31bb-clientsecret",
};

function nestAt(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let obj: Record<string, unknown> = leaf;
  for (let d = 0; d < depth; d++) obj = { [`level${d}`]: obj };
  return obj;
}

function output(): string {
  expect(lines.length).toBeGreaterThan(0);
  return lines.join("");
}

function expectNoSecret(out: string): void {
  for (const [key, value] of Object.entries(SECRETS)) expect(out, `${key} leaked`).not.toContain(value);
  expect(out).toContain("[redacted]");
}

it("the exported logger writes JSON lines to its destination (the capture works)", () => {
  log.info({ vmId: "vm-1" }, "hello");
  const line = JSON.parse(output()) as Record<string, unknown>;
  expect(line).toMatchObject({ msg: "hello", vmId: "vm-1", app: "hangar" });
});

it("redacts secrets at the top level and at every depth up to eight, in objects and arrays", () => {
  for (let depth = 0; depth <= 8; depth++) {
    lines = [];
    log.info(nestAt(depth, { ...SECRETS, harmless: `visible-${depth}` }), "nested");
    const out = output();
    expectNoSecret(out);
    expect(out).toContain(`visible-${depth}`);
  }
  lines = [];
  log.warn({ providers: [{ name: "lab", settings: [{ auth: { ...SECRETS } }] }] }, "in arrays");
  expectNoSecret(output());
});

it("redacts keys whatever their case or spelling (Authorization, x-api-key style, cookies in headers)", () => {
  log.info({ req: { headers: { Authorization: SECRETS.authorization, Cookie: SECRETS.cookie, "x-api-key": SECRETS.apiKey } }, body: { newPassword: SECRETS.password, client_secret: SECRETS.clientSecret, sessionToken: SECRETS.token } }, "request");
  expectNoSecret(output());
});

it("redacts in child loggers' bindings and in logged errors' properties", () => {
  log.child({ provider: { name: "lab", credentials: { tokenId: "root@pam!hangar", secret: SECRETS.secret } } }).error({ err: Object.assign(new Error("refused"), { details: { config: { password: SECRETS.password, headers: { authorization: SECRETS.authorization } } } }) }, "provider call failed");
  const out = output();
  expect(out).not.toContain(SECRETS.secret);
  expect(out).not.toContain(SECRETS.password);
  expect(out).not.toContain(SECRETS.authorization);
  expect(out).toContain("refused");
});

it("does not alter the object that was logged", () => {
  const logged = { user: { email: "a@example.com", password: SECRETS.password } };
  log.info(logged, "x");
  expect(logged.user.password).toBe(SECRETS.password);
});
