import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { env } from "../env";
import { getBoss, stopBoss } from "../jobs/boss";
import { startWorker } from "../jobs/worker";
import { log } from "../log";
import { DEMO_TOKEN_ID, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { useMigratedDatabase } from "../testing/test-db";
import { createPersonalToken, issueSessionToken } from "./api-tokens";
import { createSession } from "./sessions";

/**
 * Who may do what, for every API route (each exported method), every server action (each exported
 * function of a "use server" file) found on disk, against an expectation table: roles anonymous,
 * owner (of the VM, task, token and key used), another user, support and admin. A route, method
 * or action on disk without an entry in the table fails this test, as does an entry for something
 * that no longer exists. Pages are covered over HTTP by e2e/authorization.spec.ts.
 *
 * The API is called in process with a Bearer token, then with the browser's session cookie
 * (accepted for GET only) and with a bogus token (as anonymous). Server actions are called as
 * functions with next/headers answering the role's session cookie. The requests are chosen so
 * that a permitted role passes the guard and is then refused by a later check (a VM busy with a
 * task, a missing field), so the matrix writes nothing.
 *
 * Every response, action result and log line (the real logger, at debug level) is then searched
 * for secrets: the provider's token secret, passwords, their hashes, token and session hashes,
 * the stored (encrypted) credentials, the cloud-init password of a VM and the server's keys.
 */
const headerState = vi.hoisted(() => ({ cookie: undefined as string | undefined }));
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
vi.mock("next/headers", () => ({
  cookies: async () => {
    const all = headerState.cookie ? [{ name: "next-auth.session-token", value: headerState.cookie }] : [];
    return { get: (name: string) => all.find((c) => c.name === name), getAll: () => all, has: (name: string) => all.some((c) => c.name === name) };
  },
  headers: async () => new Headers({ "x-hangar-client-ip": "203.0.113.50", ...(headerState.cookie ? { cookie: `next-auth.session-token=${headerState.cookie}` } : {}) }),
}));

const ROLES = ["anonymous", "owner", "other", "support", "admin"] as const;
type Role = (typeof ROLES)[number];
type SignedIn = Exclude<Role, "anonymous">;
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

const PROVIDER_SECRET = "pve-probe-secret-7c1e0b94-d3aa-4f6e-9b21-5a8f3e2d1c70";
const CI_PASSWORD = "ci-probe-password-61f0c2";
const PASSWORDS: Record<SignedIn, string> = {
  owner: "owner-probe-password-a91f",
  other: "other-probe-password-b82e",
  support: "support-probe-password-c73d",
  admin: "admin-probe-password-d64c",
};

type Ids = { vm: string; busyVm: string; task: string; personalToken: string; sshKey: string; plan: string; userOwner: string };
type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;

/**
 * The expected HTTP status per role. `params` and `body` make the request; the VM is busy with
 * a task, so an action that passes authorization is refused with 409 and changes nothing.
 */
type ApiCase = {
  params?: (ids: Ids) => Record<string, unknown>;
  body?: unknown;
  expect: Record<Role, number>;
  /** Not callable in process (next-auth reads next/headers through require): checked over HTTP in this e2e spec instead. */
  overHttp?: string;
};
const everyone = (status: number): Record<Role, number> => ({ anonymous: status, owner: status, other: status, support: status, admin: status });
const signedIn = (status: number): Record<Role, number> => ({ ...everyone(status), anonymous: 401 });
const vmAction = (extra: Partial<ApiCase> = {}): ApiCase => ({
  params: (ids) => ({ vmId: ids.busyVm }),
  // Owner and admin may act (409: another task runs on it); support may look, not act; others are told there is no such VM.
  expect: { anonymous: 401, owner: 409, other: 404, support: 403, admin: 409 },
  ...extra,
});

const API: Record<string, ApiCase> = {
  "GET /api/health": { expect: everyone(200) },
  // next-auth's own endpoints (sign-in, callbacks, session): public by design; that the session
  // endpoint tells each role who it is, and nothing more, is checked over HTTP.
  "GET /api/auth/[...nextauth]": { expect: everyone(200), overHttp: "e2e/authorization.spec.ts" },
  "POST /api/auth/[...nextauth]": { expect: everyone(200), overHttp: "e2e/authorization.spec.ts" },
  // Public; an incomplete body (a wrong password would count towards the lockout).
  "POST /api/v1/auth/login": { body: { email: "nobody@example.com" }, expect: everyone(400) },
  "GET /api/v1/me": { expect: signedIn(200) },
  // Everyone signed in reads and marks their own notifications (an empty body is a 400 that writes nothing).
  "GET /api/v1/notifications": { expect: signedIn(200) },
  "POST /api/v1/notifications/read": { body: {}, expect: signedIn(400) },
  "GET /api/v1/openapi.json": { expect: everyone(200) },
  // Paths no route serves: a 404 in the API envelope for everyone, whatever the method.
  ...Object.fromEntries(["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => [`${m} /api/v1/[...path]`, { params: () => ({ path: ["no", "such"] }), expect: everyone(404) }])),
  "GET /api/v1/tasks/[taskId]": {
    params: (ids) => ({ taskId: ids.task }),
    // Support watches every task; another user is told it does not exist.
    expect: { anonymous: 401, owner: 200, other: 404, support: 200, admin: 200 },
  },
  // Everyone signed in searches (support and admins every task, users their own).
  "GET /api/v1/tasks": { expect: signedIn(200) },
  // Acting on a task: support, admins and its owner (409: the owner's task completed, nothing to
  // retry, cancel or mark failed); another user is told it does not exist.
  "POST /api/v1/tasks/[taskId]/retry": { params: (ids) => ({ taskId: ids.task }), expect: { anonymous: 401, owner: 409, other: 404, support: 409, admin: 409 } },
  "POST /api/v1/tasks/[taskId]/cancel": { params: (ids) => ({ taskId: ids.task }), expect: { anonymous: 401, owner: 409, other: 404, support: 409, admin: 409 } },
  "POST /api/v1/tasks/[taskId]/mark-failed": { params: (ids) => ({ taskId: ids.task }), expect: { anonymous: 401, owner: 409, other: 404, support: 409, admin: 409 } },
  // Request more: everyone signed in asks (an empty request is a 400 that writes nothing) and
  // reads their own; only admins decide (an unknown request: 404, or 400 for a missing reason).
  "GET /api/v1/quota-requests": { expect: signedIn(200) },
  "POST /api/v1/quota-requests": { body: {}, expect: signedIn(400) },
  "GET /api/v1/quota-requests/[requestId]": { params: () => ({ requestId: "no-such-request" }), expect: signedIn(404) },
  "POST /api/v1/quota-requests/[requestId]/approve": {
    params: () => ({ requestId: "no-such-request" }),
    body: {},
    expect: { anonymous: 401, owner: 403, other: 403, support: 403, admin: 404 },
  },
  "POST /api/v1/quota-requests/[requestId]/refuse": {
    params: () => ({ requestId: "no-such-request" }),
    body: {},
    expect: { anonymous: 401, owner: 403, other: 403, support: 403, admin: 400 },
  },
  "GET /api/v1/templates": { expect: signedIn(200) },
  // Showback CSV: support and admins only (without user or team: a 400 that reads nothing).
  "GET /api/v1/showback": { expect: { anonymous: 401, owner: 403, other: 403, support: 400, admin: 400 } },
  // Missing fields: every signed-in role may ask, nothing is made.
  "POST /api/v1/vm/manage/createFromTemplate": { body: { name: "x" }, expect: signedIn(400) },
  "GET /api/v1/vms": { expect: signedIn(200) },
  "GET /api/v1/vms/[vmId]": { params: (ids) => ({ vmId: ids.vm }), expect: { anonymous: 401, owner: 200, other: 404, support: 200, admin: 200 } },
  "DELETE /api/v1/vms/[vmId]": vmAction(),
  "POST /api/v1/vms/[vmId]/reboot": vmAction(),
  "POST /api/v1/vms/[vmId]/resize": vmAction({ body: { cpuCores: 2 } }),
  "POST /api/v1/vms/[vmId]/shutdown": vmAction(),
  "POST /api/v1/vms/[vmId]/start": vmAction(),
  "POST /api/v1/vms/[vmId]/stop": vmAction(),
};

/** What a server action did: "signin" (redirected), "404" (notFound), "ok", or "refused: <message>". */
type ActionCase = { args: (ids: Ids) => unknown[]; expect: Record<Role, string> };
const ADMIN_INVALID = "refused: Some fields need attention";
const adminOnly = (adminOutcome = ADMIN_INVALID): ActionCase => ({
  args: () => [{}],
  expect: { anonymous: "signin", owner: "404", other: "404", support: "404", admin: adminOutcome },
});
const BUSY = "refused: Another task is running on this VM";
const vmPageAction = (args: (ids: Ids) => unknown[]): ActionCase => ({
  args,
  expect: { anonymous: "signin", owner: BUSY, other: "refused: VM not found", support: "refused: Only the VM's owner or an admin may manage it", admin: BUSY },
});

const taskAction = (refused: string): ActionCase => ({
  args: (ids) => [ids.task],
  expect: { anonymous: "signin", owner: refused, other: "refused: Task not found", support: refused, admin: refused },
});

const ACTIONS: Record<string, ActionCase> = {
  "app/(portal)/admin/plans/actions.ts#savePlanAction": adminOnly(),
  "app/(portal)/admin/plans/actions.ts#assignPlanAction": adminOnly(),
  "app/(portal)/admin/plans/actions.ts#deletePlanAction": adminOnly(),
  "app/(portal)/admin/prices/actions.ts#savePricesAction": { args: () => [{ currency: 12 }], expect: adminOnly().expect },
  "app/(portal)/admin/providers/actions.ts#saveProviderAction": adminOnly(),
  "app/(portal)/admin/providers/actions.ts#testProviderAction": adminOnly(),
  "app/(portal)/admin/providers/actions.ts#importTemplatesAction": adminOnly(),
  "app/(portal)/admin/providers/actions.ts#deleteProviderAction": adminOnly(),
  "app/(portal)/admin/quota-requests/actions.ts#approveRequestAction": { args: () => ["no-such-request", {}], expect: adminOnly("refused: Quota request not found").expect },
  "app/(portal)/admin/quota-requests/actions.ts#refuseRequestAction": { args: () => ["no-such-request", {}], expect: adminOnly("refused: …").expect },
  "app/(portal)/admin/teams/actions.ts#saveTeamAction": adminOnly(),
  "app/(portal)/admin/teams/actions.ts#addTeamMembersAction": adminOnly(),
  "app/(portal)/admin/teams/actions.ts#removeTeamMemberAction": adminOnly(),
  "app/(portal)/admin/templates/actions.ts#saveTemplateAction": adminOnly(),
  "app/(portal)/admin/users/actions.ts#createUserAction": adminOnly(),
  "app/(portal)/admin/users/actions.ts#updateUserAction": adminOnly(),
  "app/(portal)/admin/users/actions.ts#saveQuotaOverridesAction": adminOnly(),
  "app/(portal)/admin/users/actions.ts#signOutEverywhereAction": adminOnly(),
  // Profile: each role acts on its own tokens and keys only. The owner's token and key are the
  // ones named; the owner goes last and really revokes and deletes them.
  "app/(portal)/profile/actions.ts#createTokenAction": {
    args: () => [{ name: "" }],
    expect: { anonymous: "signin", owner: "refused: name: Name is required", other: "refused: name: Name is required", support: "refused: name: Name is required", admin: "refused: name: Name is required" },
  },
  "app/(portal)/profile/actions.ts#changePasswordAction": {
    args: () => [{}],
    expect: { anonymous: "signin", owner: "refused", other: "refused", support: "refused", admin: "refused" },
  },
  "app/(portal)/profile/actions.ts#revokeTokenAction": {
    args: (ids) => [ids.personalToken],
    expect: { anonymous: "signin", other: "refused: Token not found", support: "refused: Token not found", admin: "refused: Token not found", owner: "ok" },
  },
  "app/(portal)/profile/actions.ts#addSshKeyAction": {
    args: () => [{}],
    expect: { anonymous: "signin", owner: "refused", other: "refused", support: "refused", admin: "refused" },
  },
  "app/(portal)/profile/actions.ts#deleteSshKeyAction": {
    args: (ids) => [ids.sshKey],
    expect: { anonymous: "signin", other: "refused: SSH key not found", support: "refused: SSH key not found", admin: "refused: SSH key not found", owner: "ok" },
  },
  // Notifications: each role marks its own read and chooses its own email kinds.
  "app/(portal)/notifications/actions.ts#markNotificationsReadAction": {
    args: () => [{ all: true }],
    expect: { anonymous: "signin", owner: "ok", other: "ok", support: "ok", admin: "ok" },
  },
  "app/(portal)/notifications/actions.ts#saveEmailPreferencesAction": {
    args: () => [{ task_failed: "yes" }],
    expect: { anonymous: "signin", owner: "refused: task_failed: task_failed must be true or false", other: "refused: task_failed: task_failed must be true or false", support: "refused: task_failed: task_failed must be true or false", admin: "refused: task_failed: task_failed must be true or false" },
  },
  // Acting on a task: support, admins and its owner reach the check (the owner's task completed:
  // nothing to retry, cancel or mark failed); another user is told it does not exist.
  "app/(portal)/tasks/[taskId]/actions.ts#retryTaskAction": taskAction("refused: Only a failed task can be retried; this one is completed"),
  "app/(portal)/tasks/[taskId]/actions.ts#cancelTaskAction": taskAction("refused: Only a pending or running task can be cancelled; this one is completed"),
  "app/(portal)/tasks/[taskId]/actions.ts#markTaskFailedAction": taskAction("refused: Only a pending or running task can be marked failed; this one is completed"),
  "app/(portal)/vms/[vmId]/actions.ts#vmAction": vmPageAction((ids) => [ids.busyVm, "start"]),
  "app/(portal)/vms/[vmId]/actions.ts#resizeVm": vmPageAction((ids) => [ids.busyVm, { cpuCores: 2 }]),
  // Request more and the wizard's "save this key": each role for itself; empty input is refused.
  "app/(portal)/quota/actions.ts#requestMoreAction": {
    args: () => [{}],
    expect: { anonymous: "signin", owner: "refused", other: "refused", support: "refused", admin: "refused" },
  },
  "app/(portal)/vms/new/actions.ts#saveSshKeyAction": {
    args: () => [{}],
    expect: { anonymous: "signin", owner: "refused", other: "refused", support: "refused", admin: "refused" },
  },
  "app/(portal)/vms/new/actions.ts#createVmAction": {
    args: () => [{ name: "x" }],
    expect: { anonymous: "signin", owner: "refused", other: "refused", support: "refused", admin: "refused" },
  },
  // The price of a GPU order before commit: every signed-in role may ask; an incomplete request is refused.
  "app/(portal)/vms/new/actions.ts#quoteGpuAction": {
    args: () => [{ template_id: "x" }],
    expect: {
      anonymous: "signin",
      owner: "refused: A quote needs template_id and diskSize (a whole number of GB)",
      other: "refused: A quote needs template_id and diskSize (a whole number of GB)",
      support: "refused: A quote needs template_id and diskSize (a whole number of GB)",
      admin: "refused: A quote needs template_id and diskSize (a whole number of GB)",
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Discovery: what is on disk.

const ROOT = process.cwd();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : walk(full);
    return [full];
  });
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** `app/(portal)/api/v1/x/[id]/route.ts` → `/api/v1/x/[id]` (route groups leave the URL). */
function urlOf(file: string): string {
  const segments = rel(file).split("/").slice(1, -1).filter((s) => !/^\(.*\)$/.test(s));
  return `/${segments.join("/")}`;
}

const routeFiles = walk(path.join(ROOT, "app")).filter((f) => f.endsWith(`${path.sep}route.ts`) || f.endsWith(`${path.sep}route.tsx`));
/** Files whose first statement is "use server": every export is a server action. */
const actionFiles = ["app", "components", "lib"].flatMap((d) => walk(path.join(ROOT, d))).filter((f) => /\.tsx?$/.test(f) && /^\s*(\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*["']use server["']/.test(readFileSync(f, "utf8")));

async function discoverRoutes(): Promise<Map<string, Handler>> {
  const found = new Map<string, Handler>();
  for (const file of routeFiles) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) if (typeof mod[method] === "function") found.set(`${method} ${urlOf(file)}`, mod[method] as Handler);
  }
  return found;
}

async function discoverActions(): Promise<Map<string, (...args: unknown[]) => Promise<unknown>>> {
  const found = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  for (const file of actionFiles) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (typeof value === "function") found.set(`${rel(file)}#${name}`, value as (...args: unknown[]) => Promise<unknown>);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Set-up: users of each role, a VM and its task made through the real API and worker, a second
// VM of the owner busy with a task, the owner's personal token and SSH key.

let database: { url: string; drop: () => Promise<void> };
let sim: PveSimulator;
const bearer: Partial<Record<SignedIn, string>> = {};
const cookie: Partial<Record<SignedIn, string>> = {};
const userIds: Partial<Record<SignedIn, string>> = {};
let ids: Ids;
let routes: Map<string, Handler>;
let actions: Map<string, (...args: unknown[]) => Promise<unknown>>;

/** Everything that reached a client (responses, action results) and every log line. */
const seen: { where: string; text: string }[] = [];
const logStream = (log as unknown as Record<symbol, { write: (s: string) => unknown }>)[pino.symbols.streamSym]!;
const originalWrite = logStream.write;
const originalLevel = log.level;

beforeAll(async () => {
  log.level = "debug";
  logStream.write = (chunk: string) => seen.push({ where: "log", text: String(chunk) });
  process.env.HANGAR_TASK_HEARTBEAT_SECONDS = "10";
  process.env.HANGAR_JOB_MONITOR_SECONDS = "2";
  database = await useMigratedDatabase();
  sim = await startPveSimulator(
    demoClusterOptions({
      authFailureDelayMs: 0,
      agentDelayMs: 100,
      taskDurationMs: { qmclone: 200, qmstart: 100, qmstop: 100, qmdestroy: 100, resize: 100, qmconfig: 50 },
      tokens: [{ tokenId: DEMO_TOKEN_ID, secret: PROVIDER_SECRET }],
    }),
  );
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: PROVIDER_SECRET, tls: { verify: true } }],
    templates: [{ name: "ubuntu-24.04", provider: "lab", node: "pve1", vmid: 9000, public: true, ciuser: "ubuntu", minCpuCores: 1, minMemoryMb: 1024, minDiskGb: 32 }],
    plans: [{ name: "small", default: true, perVm: { cpuCores: 4, memoryMb: 8192, diskGb: 100 }, total: { cpuCores: 16, memoryMb: 32768, diskGb: 500, vms: 5 } }],
    users: [
      { email: "owner@example.com", password: PASSWORDS.owner, role: "user", plan: "small" },
      { email: "other@example.com", password: PASSWORDS.other, role: "user", plan: "small" },
      { email: "support@example.com", password: PASSWORDS.support, role: "support", plan: "small" },
      { email: "admin@example.com", password: PASSWORDS.admin, role: "admin", plan: "small" },
    ],
  });
  for (const role of ROLES.filter((r): r is SignedIn => r !== "anonymous")) {
    const user = await db().user.findUniqueOrThrow({ where: { email: `${role}@example.com` } });
    userIds[role] = user.id;
    bearer[role] = (await issueSessionToken(user.id)).token;
    const { sid } = await createSession(user.id);
    cookie[role] = await encode({ token: { sid, uid: user.id, email: user.email }, secret: env().NEXTAUTH_SECRET! });
  }
  routes = await discoverRoutes();
  actions = await discoverActions();

  // The owner's VM, made as a user makes one (with a cloud-init password that must stay secret).
  await startWorker();
  const create = routes.get("POST /api/v1/vm/manage/createFromTemplate")!;
  const made = await create(
    new Request("http://hangar.test/api/v1/vm/manage/createFromTemplate", {
      method: "POST",
      headers: { authorization: `Bearer ${bearer.owner}`, "content-type": "application/json" },
      body: JSON.stringify({ template_id: "ubuntu-24.04", name: "owned", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32, cipassword: CI_PASSWORD }),
    }),
    { params: Promise.resolve({}) },
  );
  const madeText = await made.text();
  seen.push({ where: "create response", text: madeText });
  expect(made.status, madeText).toBe(200);
  const taskId = (JSON.parse(madeText) as { data: { task_id: string } }).data.task_id;
  for (let waited = 0; (await db().task.findUniqueOrThrow({ where: { id: taskId } })).status !== "completed"; waited += 200) {
    if (waited > 30_000) throw new Error(`the owner's create task did not complete: ${JSON.stringify(await db().task.findUnique({ where: { id: taskId }, include: { steps: true } }))}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopBoss();
  const vm = await db().vm.findFirstOrThrow({ where: { name: "owned" } });

  // A second VM of the owner with a task still pending: every action on it is refused with 409.
  const busy = await db().vm.create({ data: { name: "busy", ownerId: vm.ownerId, providerId: vm.providerId, templateId: vm.templateId, providerRef: { node: "pve1", vmid: 4242 }, providerRefId: String(4242), cpuCores: 1, memoryMb: 1024, diskGb: 32, status: "running" } });
  await db().task.create({ data: { id: `start-busy-${Date.now()}`, kind: "vm.start", status: "pending", userId: vm.ownerId, vmId: busy.id } });
  const personal = await createPersonalToken(vm.ownerId, { name: "probe", expiresInDays: 7 });
  const key = await db().sshKey.create({ data: { userId: vm.ownerId, name: "laptop", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8v+Kq0aWZr4m8y2kz7Yh1n0Wq3e5t6u7i8o9p0a1b2 owner@laptop", fingerprint: "SHA256:probe" } });
  const plan = await db().plan.findFirstOrThrow({ where: { name: "small" } });
  ids = { vm: vm.id, busyVm: busy.id, task: taskId, personalToken: personal.view.id, sshKey: key.id, plan: plan.id, userOwner: vm.ownerId };
  // getBoss is started again by the actions' acceptance code; no worker runs from here on.
  await getBoss();
}, 120_000);

afterAll(async () => {
  logStream.write = originalWrite;
  log.level = originalLevel;
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

// ---------------------------------------------------------------------------------------------

type Credential = { kind: "bearer" | "cookie" | "bogus" | "none"; role: Role };

async function callRoute(key: string, credential: Credential): Promise<{ status: number; text: string; location: string | null }> {
  const [method, url] = key.split(" ") as [string, string];
  const spec = API[key]!;
  const params = spec.params?.(ids) ?? {};
  const concrete = url.replace(/\[\.\.\.(\w+)\]|\[(\w+)\]/g, (_, rest: string | undefined, one: string | undefined) => {
    const value = params[(rest ?? one)!];
    return Array.isArray(value) ? value.join("/") : String(value);
  });
  const headers = new Headers({ "x-hangar-client-ip": "203.0.113.50" });
  const role = credential.role;
  if (credential.kind === "bearer" && role !== "anonymous") headers.set("authorization", `Bearer ${bearer[role]}`);
  if (credential.kind === "cookie" && role !== "anonymous") headers.set("cookie", `next-auth.session-token=${cookie[role]}`);
  if (credential.kind === "bogus") headers.set("authorization", "Bearer hgr_s_bogus-token-that-was-never-issued");
  headerState.cookie = credential.kind === "cookie" && role !== "anonymous" ? cookie[role] : undefined;
  const body = spec.body === undefined || method === "GET" || method === "HEAD" ? undefined : JSON.stringify(spec.body);
  if (body) headers.set("content-type", "application/json");
  const { NextRequest } = await import("next/server");
  const req = new NextRequest(`http://hangar.test${concrete}`, { method, headers, body });
  try {
    const res = await routes.get(key)!(req, { params: Promise.resolve(params) });
    const text = await res.text();
    seen.push({ where: `${key} as ${role} (${credential.kind})`, text: `${text}\n${[...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}` });
    return { status: res.status, text, location: res.headers.get("location") };
  } finally {
    headerState.cookie = undefined;
  }
}

async function callAction(key: string, role: Role): Promise<string> {
  headerState.cookie = role === "anonymous" ? undefined : cookie[role];
  try {
    const result = (await actions.get(key)!(...ACTIONS[key]!.args(ids))) as { ok: boolean; error?: string };
    seen.push({ where: `${key} as ${role}`, text: JSON.stringify(result) });
    return result.ok ? "ok" : `refused: ${result.error}`;
  } catch (error) {
    const digest = String((error as { digest?: unknown }).digest ?? "");
    if (digest.startsWith("NEXT_REDIRECT") && digest.includes(";/signin;")) return "signin";
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;404") return "404";
    throw error;
  } finally {
    headerState.cookie = undefined;
  }
}

/** "refused" alone in the table accepts any refusal (the message is not the point there). */
function matches(expected: string, actual: string): boolean {
  return expected === "refused" ? actual.startsWith("refused: ") : expected.endsWith("…") ? actual.startsWith(expected.slice(0, -1)) : actual === expected;
}

describe("authorization matrix", () => {
  it("every API route and method on disk has an entry, and every entry is on disk", () => {
    expect(routeFiles.length).toBeGreaterThan(10);
    const onDisk = [...routes.keys()].sort();
    const inTable = Object.keys(API).sort();
    expect(onDisk.filter((k) => !inTable.includes(k)), "routes without an expectation: add them to API in this file").toEqual([]);
    expect(inTable.filter((k) => !onDisk.includes(k)), "expectations for routes that no longer exist").toEqual([]);
  });

  it("every server action on disk has an entry, and every entry is on disk", () => {
    expect(actionFiles.length).toBeGreaterThan(5);
    const onDisk = [...actions.keys()].sort();
    const inTable = Object.keys(ACTIONS).sort();
    expect(onDisk.filter((k) => !inTable.includes(k)), "server actions without an expectation: add them to ACTIONS in this file").toEqual([]);
    expect(inTable.filter((k) => !onDisk.includes(k)), "expectations for server actions that no longer exist").toEqual([]);
  });

  it("API: each role gets the expected status with a Bearer token; a bogus token is anonymous", async () => {
    const before = { vms: await db().vm.count(), tasks: await db().task.count() };
    const got: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const key of Object.keys(API).filter((k) => routes.has(k) && !API[k]!.overHttp)) {
      got[key] = {};
      want[key] = { ...API[key]!.expect, bogus: API[key]!.expect.anonymous };
      for (const role of ROLES) got[key]![role] = (await callRoute(key, { kind: role === "anonymous" ? "none" : "bearer", role })).status;
      got[key]!.bogus = (await callRoute(key, { kind: "bogus", role: "anonymous" })).status;
    }
    expect(got).toEqual(want);
    expect({ vms: await db().vm.count(), tasks: await db().task.count() }).toEqual(before);
  });

  it("API: the browser's session cookie works for reads only (a write with a cookie alone is anonymous)", async () => {
    const got: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const key of Object.keys(API).filter((k) => routes.has(k) && !API[k]!.overHttp)) {
      const read = key.startsWith("GET ");
      got[key] = {};
      want[key] = {};
      for (const role of ROLES.filter((r) => r !== "anonymous")) {
        want[key]![role] = read ? API[key]!.expect[role] : API[key]!.expect.anonymous;
        got[key]![role] = (await callRoute(key, { kind: "cookie", role })).status;
      }
    }
    expect(got).toEqual(want);
  });

  it("server actions: each role gets the expected outcome, and nothing is written on a refusal", async () => {
    const before = { vms: await db().vm.count(), tasks: await db().task.count(), plans: await db().plan.count(), users: await db().user.count(), audit: await db().auditEvent.count() };
    const got: Record<string, Record<string, string>> = {};
    const mismatches: string[] = [];
    // The owner last: its own token and key are really revoked and deleted.
    const order: Role[] = ["anonymous", "other", "support", "admin", "owner"];
    for (const key of Object.keys(ACTIONS).filter((k) => actions.has(k))) {
      got[key] = {};
      for (const role of order) {
        const outcome = await callAction(key, role);
        got[key]![role] = outcome;
        if (!matches(ACTIONS[key]!.expect[role], outcome)) mismatches.push(`${key} as ${role}: expected ${ACTIONS[key]!.expect[role]}, got ${outcome}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect({ vms: await db().vm.count(), tasks: await db().task.count(), plans: await db().plan.count(), users: await db().user.count(), audit: await db().auditEvent.count() }).toEqual(before);
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: ids.personalToken } })).revokedAt).not.toBeNull();
    expect(await db().sshKey.count({ where: { id: ids.sshKey } })).toBe(0);
  });
});

describe("secrets", () => {
  it("no response, action result or log line carries a secret", async () => {
    const users = await db().user.findMany();
    const tokens = await db().apiToken.findMany();
    const sessions = await db().session.findMany();
    const providers = await db().providerConnection.findMany();
    const secrets: Record<string, string> = {
      "provider token secret": PROVIDER_SECRET,
      "cloud-init password": CI_PASSWORD,
      "HANGAR_SECRET_KEY": env().HANGAR_SECRET_KEY!,
      "NEXTAUTH_SECRET": env().NEXTAUTH_SECRET!,
      ...Object.fromEntries(Object.entries(PASSWORDS).map(([role, pw]) => [`${role}'s password`, pw])),
      ...Object.fromEntries(users.filter((u) => u.passwordHash).map((u) => [`${u.email}'s password hash`, u.passwordHash!])),
      ...Object.fromEntries(users.filter((u) => u.passwordHash).map((u) => [`${u.email}'s password hash (its digest)`, u.passwordHash!.split("$").pop()!])),
      ...Object.fromEntries(tokens.map((t) => [`API token hash ${t.prefix}`, t.tokenHash])),
      ...Object.fromEntries(sessions.map((s) => [`session hash ${s.id}`, s.tokenHash])),
      ...Object.fromEntries(providers.map((p) => [`stored credentials of ${p.name}`, p.credentials])),
      // Bearer tokens and session cookies are sent by clients and must never be echoed or logged.
      ...Object.fromEntries(Object.entries(bearer).map(([role, token]) => [`${role}'s Bearer token`, token!])),
      ...Object.fromEntries(Object.entries(cookie).map(([role, value]) => [`${role}'s session cookie`, value!])),
    };
    expect(Object.keys(secrets).length).toBeGreaterThan(15);
    // What was seen: the matrix above, plus the provider's own log lines (the worker ran a real create).
    expect(seen.filter((s) => s.where === "log").length).toBeGreaterThan(5);
    expect(seen.filter((s) => s.where !== "log").length).toBeGreaterThan(100);
    const leaks: string[] = [];
    for (const { where, text } of seen) {
      for (const [what, secret] of Object.entries(secrets)) if (secret && secret.length >= 8 && text.includes(secret)) leaks.push(`${what} in ${where}`);
    }
    expect(leaks).toEqual([]);
  });
});
