import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import pg from "pg";
import { DEMO_PASSWORD, DEMO_TOKEN_SECRET } from "../lib/providers/pve/simulator/demo";
import { readState } from "./helpers";
import { ROOT } from "./state";

/**
 * Pages × roles over HTTP against the production build, and secrets in what the server sends and
 * writes. Every page.tsx on disk must have an entry in PAGES (a new page without one fails); the
 * API routes and server actions have their matrix in lib/auth/authorization-matrix.int.test.ts,
 * whose next-auth entries are checked here.
 *
 * Roles: anonymous; the owner of a VM and its task, and another user (both made here with
 * `hangar apply`, as is a provider whose token secret is recognisable); the demo's support and
 * admin. Each signs in through next-auth's credentials endpoint with its own cookie jar.
 *
 * Secrets (provider token secrets, passwords and their hashes, token and session hashes, the
 * stored credentials, the secret key, a VM's cloud-init password, the cookies and tokens in use)
 * are then searched in every page and response body, in the client bundle (.next/static) and in
 * the server's log.
 */
const ROLES = ["anonymous", "owner", "other", "support", "admin"] as const;
type Role = (typeof ROLES)[number];
type SignedIn = Exclude<Role, "anonymous">;

/** What a role gets: a status, or a redirect to a path. */
type Outcome = 200 | 404 | "→/signin" | "→/vms";
type Ids = { vm: string; task: string; plan: string; provider: string; demoProvider: string; team: string; template: string; user: string };
type PageCase = { path: (ids: Ids) => string; expect: Record<Role, Outcome> };

const signedInAll = (): Record<Role, Outcome> => ({ anonymous: "→/signin", owner: 200, other: 200, support: 200, admin: 200 });
const adminOnly = (): Record<Role, Outcome> => ({ anonymous: "→/signin", owner: 404, other: 404, support: 404, admin: 200 });
/** Someone else's VM or task: support and admins may look, another user is told it does not exist. */
const ownedByOwner = (): Record<Role, Outcome> => ({ anonymous: "→/signin", owner: 200, other: 404, support: 200, admin: 200 });

const PAGES: Record<string, PageCase> = {
  "/": { path: () => "/", expect: { anonymous: "→/signin", owner: "→/vms", other: "→/vms", support: "→/vms", admin: "→/vms" } },
  "/signin": { path: () => "/signin", expect: { anonymous: 200, owner: "→/vms", other: "→/vms", support: "→/vms", admin: "→/vms" } },
  "/vms": { path: () => "/vms", expect: signedInAll() },
  "/vms/new": { path: () => "/vms/new", expect: signedInAll() },
  "/vms/[vmId]": { path: (ids) => `/vms/${ids.vm}`, expect: ownedByOwner() },
  "/tasks": { path: () => "/tasks", expect: signedInAll() },
  "/tasks/[taskId]": { path: (ids) => `/tasks/${ids.task}`, expect: ownedByOwner() },
  "/quota": { path: () => "/quota", expect: signedInAll() },
  "/profile": { path: () => "/profile", expect: signedInAll() },
  "/notifications": { path: () => "/notifications", expect: signedInAll() },
  "/support/tasks": { path: () => "/support/tasks", expect: { anonymous: "→/signin", owner: 404, other: 404, support: 200, admin: 200 } },
  "/support/showback": { path: () => "/support/showback", expect: { anonymous: "→/signin", owner: 404, other: 404, support: 200, admin: 200 } },
  "/admin": { path: () => "/admin", expect: adminOnly() },
  "/admin/audit": { path: () => "/admin/audit", expect: adminOnly() },
  "/admin/plans": { path: () => "/admin/plans", expect: adminOnly() },
  "/admin/plans/new": { path: () => "/admin/plans/new", expect: adminOnly() },
  "/admin/plans/[id]": { path: (ids) => `/admin/plans/${ids.plan}`, expect: adminOnly() },
  "/admin/prices": { path: () => "/admin/prices", expect: adminOnly() },
  "/admin/providers": { path: () => "/admin/providers", expect: adminOnly() },
  "/admin/providers/new": { path: () => "/admin/providers/new", expect: adminOnly() },
  "/admin/providers/[id]": { path: (ids) => `/admin/providers/${ids.provider}`, expect: adminOnly() },
  "/admin/providers/[id]/discover": { path: (ids) => `/admin/providers/${ids.demoProvider}/discover`, expect: adminOnly() },
  "/admin/teams": { path: () => "/admin/teams", expect: adminOnly() },
  "/admin/teams/new": { path: () => "/admin/teams/new", expect: adminOnly() },
  "/admin/teams/[id]": { path: (ids) => `/admin/teams/${ids.team}`, expect: adminOnly() },
  "/admin/templates": { path: () => "/admin/templates", expect: adminOnly() },
  "/admin/templates/[id]": { path: (ids) => `/admin/templates/${ids.template}`, expect: adminOnly() },
  "/admin/users": { path: () => "/admin/users", expect: adminOnly() },
  "/admin/vms": { path: () => "/admin/vms", expect: adminOnly() },
  "/admin/quota-requests": { path: () => "/admin/quota-requests", expect: adminOnly() },
  "/admin/users/new": { path: () => "/admin/users/new", expect: adminOnly() },
  "/admin/users/[id]": { path: (ids) => `/admin/users/${ids.user}`, expect: adminOnly() },
};

const RUN = `${Date.now().toString(36)}`;
const PROBE_SECRET = `probe-token-secret-${RUN}-5b0e93c1d7a4`;
const CI_PASSWORD = `ci-probe-${RUN}-e41f`;
const PASSWORDS = { owner: `owner-pw-${RUN}-a1b2c3`, other: `other-pw-${RUN}-d4e5f6` };
const EMAILS = { owner: `owner-${RUN}@e2e.test`, other: `other-${RUN}@e2e.test` };

/** `app/(portal)/vms/[vmId]/page.tsx` → `/vms/[vmId]`. */
function pagesOnDisk(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name === "page.tsx" ? [path.join(dir, e.name)] : []));
  return walk(path.join(ROOT, "app")).map((file) => {
    const segments = path.relative(path.join(ROOT, "app"), path.dirname(file)).split(path.sep).filter((s) => s && !/^\(.*\)$/.test(s));
    return `/${segments.join("/")}`;
  });
}

function databaseUrl(): string {
  const { database } = readState();
  const url = new URL(database.adminUrl);
  url.pathname = `/${database.name}`;
  return url.toString();
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Signs in through next-auth's credentials endpoint, as the sign-in form does; the context keeps the cookie. */
async function signIn(ctx: APIRequestContext, email: string, password: string): Promise<string> {
  const { csrfToken } = (await (await ctx.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await ctx.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, callbackUrl: "/vms", json: "true" }, maxRedirects: 0 });
  expect(res.status(), `sign-in of ${email}`).toBeLessThan(400);
  const session = (await ctx.storageState()).cookies.find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session, `session cookie of ${email}`).toBeTruthy();
  return session!.value;
}

function outcomeOf(status: number, location: string | null): Outcome | string {
  if (status >= 300 && status < 400 && location) return `→${new URL(location, "http://x").pathname}`;
  return status as Outcome;
}

/** Everything the server sent during this spec: page HTML, response bodies. */
const sent: { where: string; text: string }[] = [];
const contexts: Partial<Record<Role, APIRequestContext>> = {};
const cookies: Partial<Record<SignedIn, string>> = {};
const bearers: Partial<Record<SignedIn, string>> = {};
let ids: Ids;
let pageVisits: Promise<Record<string, Record<string, string | number>>> | undefined;

/**
 * Every page as every role, once per worker (the page matrix and the secrets test share it, and
 * each works alone, e.g. after the other failed). Bodies and headers go to `sent`.
 */
function visitPages(): Promise<Record<string, Record<string, string | number>>> {
  pageVisits ??= (async () => {
    const got: Record<string, Record<string, string | number>> = {};
    for (const [pattern, spec] of Object.entries(PAGES)) {
      got[pattern] = {};
      for (const role of ROLES) {
        const res = await contexts[role]!.get(spec.path(ids), { maxRedirects: 0 });
        got[pattern]![role] = outcomeOf(res.status(), res.headers()["location"] ?? null);
        sent.push({ where: `${pattern} as ${role}`, text: `${await res.text()}\n${JSON.stringify(res.headers())}` });
      }
    }
    return got;
  })();
  return pageVisits;
}

test.describe("authorization and secrets over HTTP", () => {
  test.beforeAll(async ({ playwright }) => {
    test.setTimeout(90_000);
    const state = readState();
    // A provider with a recognisable secret, a team, and two users, applied as an operator would.
    const config = {
      providers: [{ name: `probe-${RUN}`, kind: "pve", url: "https://127.0.0.1:9", tokenId: "root@pam!probe", secret: PROBE_SECRET, enabled: false }],
      plans: [{ name: `probe-plan-${RUN}`, perVm: { cpuCores: 2, memoryMb: 4096, diskGb: 64 }, total: { cpuCores: 4, memoryMb: 8192, diskGb: 128, vms: 2 } }],
      teams: [{ name: `probe-team-${RUN}`, plan: `probe-plan-${RUN}` }],
      users: [
        { email: EMAILS.owner, password: PASSWORDS.owner, role: "user", plan: `probe-plan-${RUN}` },
        { email: EMAILS.other, password: PASSWORDS.other, role: "user", plan: `probe-plan-${RUN}`, team: `probe-team-${RUN}` },
      ],
    };
    const file = path.join(os.tmpdir(), `hangar-e2e-authz-${RUN}.json`);
    writeFileSync(file, JSON.stringify(config));
    const applied = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), ["lib/cli/main.ts", "apply", file], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl(), HANGAR_DATA_DIR: state.dataDir, HANGAR_DEMO: "off", LOG_LEVEL: "warn" },
      encoding: "utf8",
    });
    expect(applied.status, `${applied.stdout}\n${applied.stderr}`).toBe(0);

    const credentials: Record<SignedIn, { email: string; password: string }> = {
      owner: { email: EMAILS.owner, password: PASSWORDS.owner },
      other: { email: EMAILS.other, password: PASSWORDS.other },
      support: state.credentials.find((c) => c.role === "support")!,
      admin: state.credentials.find((c) => c.role === "admin")!,
    };
    contexts.anonymous = await playwright.request.newContext({ baseURL: state.baseURL });
    for (const role of ["owner", "other", "support", "admin"] as const) {
      const ctx = await playwright.request.newContext({ baseURL: state.baseURL });
      contexts[role] = ctx;
      cookies[role] = await signIn(ctx, credentials[role].email, credentials[role].password);
      const login = await contexts.anonymous.post("/api/v1/auth/login", { data: credentials[role] });
      expect(login.status()).toBe(200);
      bearers[role] = ((await login.json()) as { data: { token: string } }).data.token;
    }

    // The owner's VM on the demo cluster, with a cloud-init password that must stay secret.
    const auth = { authorization: `Bearer ${bearers.owner}` };
    const created = await contexts.anonymous.post("/api/v1/vm/manage/createFromTemplate", {
      headers: auth,
      data: { template_id: "ubuntu-24.04", name: `authz-${RUN}`, target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32, cipassword: CI_PASSWORD },
    });
    const createdText = await created.text();
    sent.push({ where: "create", text: createdText });
    expect(created.status(), createdText).toBe(200);
    const taskId = (JSON.parse(createdText) as { data: { task_id: string } }).data.task_id;
    const vms = (await (await contexts.anonymous.get("/api/v1/vms", { headers: auth })).json()) as { data: { id: string; name: string }[] };
    const vm = vms.data.find((v) => v.name === `authz-${RUN}`)!;

    const [plan] = await query<{ id: string }>(`SELECT id FROM "Plan" WHERE name = $1`, [`probe-plan-${RUN}`]);
    const [provider] = await query<{ id: string }>(`SELECT id FROM "ProviderConnection" WHERE name = $1`, [`probe-${RUN}`]);
    const [demoProvider] = await query<{ id: string; providerId: string }>(`SELECT t.id, t."providerId" FROM "Template" t WHERE t.name = 'ubuntu-24.04'`);
    const [team] = await query<{ id: string }>(`SELECT id FROM "Team" WHERE name = $1`, [`probe-team-${RUN}`]);
    const [owner] = await query<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [EMAILS.owner]);
    ids = { vm: vm.id, task: taskId, plan: plan!.id, provider: provider!.id, demoProvider: demoProvider!.providerId, team: team!.id, template: demoProvider!.id, user: owner!.id };
  });

  test.afterAll(async () => {
    for (const ctx of Object.values(contexts)) await ctx?.dispose();
  });

  test("every page on disk has an entry in the page matrix, and every entry is on disk", () => {
    const onDisk = pagesOnDisk().sort();
    expect(onDisk.length).toBeGreaterThan(20);
    expect(onDisk.filter((p) => !(p in PAGES)), "pages without an expectation: add them to PAGES in this file").toEqual([]);
    expect(Object.keys(PAGES).filter((p) => !onDisk.includes(p)), "expectations for pages that no longer exist").toEqual([]);
  });

  test("each role gets each page as the matrix says", async () => {
    const got = await visitPages();
    expect(got).toEqual(Object.fromEntries(Object.entries(PAGES).map(([pattern, spec]) => [pattern, spec.expect])));
  });

  test("next-auth: the session endpoint names only the caller; a sign-out without the CSRF token ends nothing", async () => {
    for (const role of ROLES) {
      const res = await contexts[role]!.get("/api/auth/session");
      expect(res.status()).toBe(200);
      const text = await res.text();
      sent.push({ where: `session as ${role}`, text });
      const session = JSON.parse(text) as { user?: Record<string, unknown> };
      if (role === "anonymous") expect(session).toEqual({});
      else {
        expect(Object.keys(session.user ?? {}).sort()).toEqual(["email", "name"]);
        expect(session.user?.email).toBe(role === "owner" ? EMAILS.owner : role === "other" ? EMAILS.other : readState().credentials.find((c) => c.role === role)!.email);
      }
    }
    for (const what of ["csrf", "providers"]) {
      const res = await contexts.anonymous!.get(`/api/auth/${what}`);
      expect(res.status(), what).toBe(200);
      sent.push({ where: `/api/auth/${what}`, text: await res.text() });
    }
    const forged = await contexts.other!.post("/api/auth/signout", { form: { callbackUrl: "/signin" }, maxRedirects: 0 });
    expect(forged.status()).toBeLessThan(500);
    const still = (await (await contexts.other!.get("/api/auth/session")).json()) as { user?: { email?: string } };
    expect(still.user?.email).toBe(EMAILS.other);
  });

  test("no secret in any page, response, client bundle file or server log line", async () => {
    const state = readState();
    const users = await query<{ email: string; passwordHash: string | null }>(`SELECT email, "passwordHash" FROM "User"`);
    const tokens = await query<{ prefix: string; tokenHash: string }>(`SELECT prefix, "tokenHash" FROM "ApiToken"`);
    const sessions = await query<{ id: string; tokenHash: string }>(`SELECT id, "tokenHash" FROM "Session"`);
    const providers = await query<{ name: string; credentials: string }>(`SELECT name, credentials FROM "ProviderConnection"`);
    const keyFile = path.join(state.dataDir, "secret.key");
    const demoPasswords = Object.fromEntries(state.credentials.map((c) => [`demo ${c.role}'s password`, c.password]));
    const secrets: Record<string, string> = {
      "probe provider's token secret": PROBE_SECRET,
      "demo cluster's token secret": DEMO_TOKEN_SECRET,
      "demo cluster's root password": DEMO_PASSWORD,
      "cloud-init password": CI_PASSWORD,
      "owner's password": PASSWORDS.owner,
      "other's password": PASSWORDS.other,
      ...(existsSync(keyFile) ? { "secret key": readFileSync(keyFile, "utf8").trim() } : {}),
      ...Object.fromEntries(users.filter((u) => u.passwordHash).map((u) => [`${u.email}'s password hash`, u.passwordHash!.split("$").pop()!])),
      ...Object.fromEntries(tokens.map((t) => [`token hash ${t.prefix}`, t.tokenHash])),
      ...Object.fromEntries(sessions.map((s) => [`session hash ${s.id}`, s.tokenHash])),
      ...Object.fromEntries(providers.map((p) => [`stored credentials of ${p.name}`, p.credentials])),
      ...Object.fromEntries(Object.entries(bearers).map(([role, t]) => [`${role}'s Bearer token`, t!])),
      ...Object.fromEntries(Object.entries(cookies).map(([role, c]) => [`${role}'s session cookie`, c!])),
    };
    // next-auth renews the session cookie (e.g. on /api/auth/session): the values held now count too.
    for (const role of ["owner", "other", "support", "admin"] as const) {
      for (const c of (await contexts[role]!.storageState()).cookies) if (c.name.includes("session-token")) secrets[`${role}'s current session cookie`] = c.value;
    }
    expect(Object.keys(secrets).length).toBeGreaterThan(20);
    const leaks: string[] = [];
    const search = (where: string, text: string, extra: Record<string, string> = {}) => {
      for (const [what, secret] of Object.entries({ ...secrets, ...extra })) if (secret.length >= 8 && text.includes(secret)) leaks.push(`${what} in ${where}`);
    };

    // Pages and responses (the pages a role was allowed to see are among them, admin's provider page too).
    await visitPages();
    expect(sent.length).toBeGreaterThan(ROLES.length * Object.keys(PAGES).length);
    for (const { where, text } of sent) search(where, text, demoPasswords);

    // The client bundle: everything the browser may download.
    const staticDir = path.join(ROOT, ".next", "static");
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const bundle = walk(staticDir);
    expect(bundle.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(5);
    for (const file of bundle) {
      const text = readFileSync(file, "utf8");
      search(path.relative(ROOT, file), text, demoPasswords);
      // Server-only code in the bundle would carry these: the argon2 hash format, the database client, the key's variable.
      for (const marker of ["$argon2id$", "passwordHash", "tokenHash", "HANGAR_SECRET_KEY", "NEXTAUTH_SECRET", "@prisma/client"]) {
        if (text.includes(marker)) leaks.push(`server-only marker ${marker} in ${path.relative(ROOT, file)}`);
      }
    }

    // The server's log: stdout and stderr of the app since it started. The demo banner shows the
    // demo passwords once by design; no other line may.
    // The runner copies the app's output into the file as it comes: wait until it stops growing.
    for (let size = -1, waited = 0; waited < 10_000; waited += 700) {
      const now = statSync(state.serverLog).size;
      if (now === size) break;
      size = now;
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
    const logLines = readFileSync(state.serverLog, "utf8").split("\n");
    expect(logLines.length).toBeGreaterThan(5);
    const banner = /^\s+(admin|support|user|gpu-user)\s+\S+@\S+\s+\S+\s*$/;
    logLines.forEach((line, i) => search(`server log line ${i + 1}`, line, banner.test(line) ? {} : demoPasswords));

    expect(leaks).toEqual([]);
  });
});
