import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/quota-requests/route";
import { GET as getRoute } from "@/app/api/v1/quota-requests/[requestId]/route";
import { POST as approveRoute } from "@/app/api/v1/quota-requests/[requestId]/approve/route";
import { POST as refuseRoute } from "@/app/api/v1/quota-requests/[requestId]/refuse/route";
import { issueSessionToken } from "../auth/api-tokens";
import type { AuthenticatedUser } from "../auth/credentials";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { isAppError } from "../errors";
import { stopBoss } from "../jobs/boss";
import { createFromTemplate } from "../api/seed-create-from-template";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions, startPveSimulator, type PveSimulator } from "../providers/pve/simulator";
import { quotaContext } from "../quota/context";
import { reserveVm } from "../quota/reserve";
import { useMigratedDatabase } from "../testing/test-db";
import { approveQuotaRequest, createQuotaRequest } from ".";

/**
 * "Request more" (issue 14) against a real database, through the API routes: a request's
 * lifecycle (create → approve → grants counted by the quota checks → expiry; refuse with a
 * reason), who may do what (only admins decide, never their own; others' requests are 404),
 * bad input (400, nothing written), the audit records and notifications, and the 50-against-3
 * race with an approved grant: the grant goes through the same locked check.
 */
let database: { drop: () => Promise<void> };
let sim: PveSimulator;
const users: Record<"ada" | "bob" | "root" | "root2" | "tia", AuthenticatedUser> = {} as never;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  database = await useMigratedDatabase();
  sim = await startPveSimulator(demoClusterOptions({ authFailureDelayMs: 0 }));
  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: sim.url, tokenId: DEMO_TOKEN_ID, secret: DEMO_TOKEN_SECRET }],
    templates: [{ name: "debian", provider: "lab", node: "pve2", vmid: 9001, public: true, minDiskGb: 20 }],
    plans: [
      { name: "one", perVm: { cpuCores: 2, memoryMb: 4096, diskGb: 50 }, total: { cpuCores: 100, memoryMb: 100000, diskGb: 1000, vms: 1 } },
      { name: "roomy", perVm: { cpuCores: 2, memoryMb: 4096, diskGb: 50 }, total: { cpuCores: 100, memoryMb: 100000, diskGb: 1000, vms: 100 } },
    ],
    users: [
      { email: "ada@example.com", password: "long-enough-pw", plan: "one" },
      { email: "bob@example.com", password: "long-enough-pw", plan: "one" },
      { email: "tia@example.com", password: "long-enough-pw", plan: "roomy" },
      { email: "root@example.com", password: "long-enough-pw", plan: "one", role: "admin" },
      { email: "root2@example.com", password: "long-enough-pw", plan: "one", role: "admin" },
    ],
  });
  const team = await db().team.create({ data: { name: "lab-team", plan: { connect: { name: "one" } } } });
  await db().user.update({ where: { email: "tia@example.com" }, data: { teamId: team.id } });
  for (const name of ["ada", "bob", "root", "root2", "tia"] as const) {
    const u = await db().user.findUniqueOrThrow({ where: { email: `${name}@example.com` } });
    users[name] = { id: u.id, email: u.email, name: u.name, role: u.role };
    tokens[name] = (await issueSessionToken(u.id)).token;
  }
}, 60_000);

afterAll(async () => {
  await stopBoss();
  await sim?.stop();
  await database?.drop();
});

type Envelope = { code: number; message: string; data: Record<string, unknown> & { id?: string } };

async function call(
  handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>,
  who: string | null,
  url: string,
  init: { method?: string; body?: unknown } = {},
  params: Record<string, string> = {},
): Promise<Envelope> {
  const req = new Request(`http://hangar.test${url}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
  const res = await handler(req, { params: Promise.resolve(params) });
  const body = (await res.json()) as Envelope;
  expect(body.code).toBe(res.status);
  return body;
}

const create = (who: string, body: unknown) => call(createRoute, who, "/api/v1/quota-requests", { body });
const approve = (who: string, id: string, body: unknown = {}) => call(approveRoute as never, who, `/api/v1/quota-requests/${id}/approve`, { body }, { requestId: id });
const refuse = (who: string, id: string, body: unknown) => call(refuseRoute as never, who, `/api/v1/quota-requests/${id}/refuse`, { body }, { requestId: id });
const vmBody = (i: number) => ({ template_id: "debian", name: `vm-${i}`, target: "pve2", cpuCores: 1, memorySize: 1024, diskSize: 20 });
const counts = async () => ({ requests: await db().quotaRequest.count(), grants: await db().quotaGrant.count(), audit: await db().auditEvent.count({ where: { targetType: "quota_request" } }) });
const clearVms = () => db().vm.updateMany({ where: { deletedAt: null }, data: { deletedAt: new Date() } });

describe("quota requests", () => {
  it("refuses bad input with 400 and a message naming the field, writing nothing", async () => {
    const before = await counts();
    const cases: [unknown, RegExp][] = [
      [{ items: [], reason: "I need one more VM for the demo" }, /items: ask for at least one limit/],
      [{ items: [{ limit: "maxCores", amount: 1 }], reason: "I need one more VM for the demo" }, /items\.0\.limit: limit must be one of/],
      [{ items: [{ limit: "maxVms", amount: 0 }], reason: "I need one more VM for the demo" }, /amount must be greater than 0/],
      [{ items: [{ limit: "maxVms", amount: 1.5 }], reason: "I need one more VM for the demo" }, /amount must be a whole number/],
      [{ items: [{ limit: "maxMonthlySpend", amount: 1.234 }], reason: "I need one more VM for the demo" }, /at most 2 decimals/],
      [{ items: [{ limit: "maxVms", amount: 1 }] }, /reason is required/],
      [{ items: [{ limit: "maxVms", amount: 1 }], reason: "   because   " }, /reason must say why, in at least 10 characters/],
      [{ items: [{ limit: "maxVms", amount: 1 }], reason: "x".repeat(1001) }, /reason at most 1000 characters/],
      [{ items: [{ limit: "maxVms", amount: 1 }], reason: "I need one more VM for the demo", days: 400 }, /days: at most 365/],
      [{ items: [{ limit: "maxVms", amount: 1 }, { limit: "maxVms", amount: 2 }], reason: "I need one more VM for the demo" }, /asked twice/],
      [{ items: [{ limit: "maxVms", amount: 1 }], reason: "I need one more VM for the demo", extra: 1 }, /extra|Unrecognized/i],
      [{ items: [{ scope: "team", limit: "maxVms", amount: 1 }], reason: "I need one more VM for the demo" }, /items\.0\.scope: you are in no team with a plan/],
      [{ items: [{ scope: "team", limit: "maxCpuCoresPerVm", amount: 1 }], reason: "I need one more VM for the demo" }, /per-VM limit/],
      ["not json", /valid JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await create("ada", body);
      expect(res.code, JSON.stringify(body)).toBe(400);
      expect(res.message).toMatch(message);
    }
    expect(await counts()).toEqual(before);
  });

  it("lifecycle: denied → request → admin approves → the same create succeeds; the requester is told; all audited", async () => {
    await clearVms();
    await createFromTemplate(users.ada, vmBody(1));
    const denied = await createFromTemplate(users.ada, vmBody(2)).catch((e: unknown) => e);
    expect(isAppError(denied) && denied.message).toBe("Requested resources exceed the available limits of your compute resource plan");

    const sent = await create("ada", { items: [{ limit: "maxVms", amount: 1 }], reason: "  A second box for the load test  ", days: 7 });
    expect(sent.code).toBe(200);
    expect(sent.data).toMatchObject({ status: "pending", user: { email: "ada@example.com" }, team: null, items: [{ scope: "user", limit: "maxVms", amount: 1, label: "Number of VMs" }], reason: "A second box for the load test", days: 7, grants: [] });
    const id = sent.data.id!;

    // Only admins decide (403), never their own; others' requests are invisible (404); admins see the queue.
    expect((await approve("bob", id)).code).toBe(403);
    expect((await call(getRoute as never, "bob", `/api/v1/quota-requests/${id}`, {}, { requestId: id })).code).toBe(404);
    expect((await call(listRoute, "bob", "/api/v1/quota-requests?all=true")).code).toBe(403);
    expect((await call(listRoute, "bob", "/api/v1/quota-requests")).data).toEqual({ requests: [], pending_count: 0 });
    const queue = await call(listRoute, "root", "/api/v1/quota-requests?all=true&status=pending");
    expect((queue.data.requests as { id: string }[]).map((r) => r.id)).toEqual([id]);
    expect(queue.data.pending_count).toBe(1);
    expect((await call(listRoute, "root", "/api/v1/quota-requests?status=maybe")).code).toBe(400);
    expect((await approve("root", id, { days: 0 })).code).toBe(400);
    expect(await db().quotaGrant.count()).toBe(0);

    const approved = await approve("root", id, { note: "ok for the test" });
    expect(approved.code).toBe(200);
    expect(approved.data).toMatchObject({ status: "approved", decided_by: "root@example.com", decision_reason: "ok for the test", grants: [{ scope: "user", limit: "maxVms", amount: 1, active: true }] });
    const grant = (approved.data.grants as { starts_at: string; ends_at: string }[])[0]!;
    expect(Date.parse(grant.ends_at) - Date.parse(grant.starts_at)).toBe(7 * 86_400_000);
    // Decided once: a second decision is a 409.
    expect((await approve("root2", id)).code).toBe(409);
    expect((await refuse("root2", id, { reason: "too late" })).code).toBe(409);

    // Exactly that limit, for that user: bob (same plan) is not raised, ada's other limits are not.
    const ctx = await quotaContext(db(), users.ada.id);
    expect(ctx.user!.limits.total.vms).toBe(2);
    expect(ctx.user!.limits.total.cpuCores).toBe(100);
    expect(ctx.perVm).toEqual({ cpuCores: 2, memoryMb: 4096, diskGb: 50, gpus: 0 });
    expect((await quotaContext(db(), users.bob.id)).user!.limits.total.vms).toBe(1);
    await expect(createFromTemplate(users.ada, vmBody(2))).resolves.toMatchObject({ task_id: expect.any(String) });
    await expect(createFromTemplate(users.ada, vmBody(3))).rejects.toThrow(/available limits/);

    // Told in the portal, with a link to My Quota.
    const told = await db().notification.findMany({ where: { userId: users.ada.id, kind: "quota_request_decided" } });
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ title: "Your request for more quota was approved", link: "/quota" });
    expect(told[0]!.body).toMatch(/Number of VMs \+1, for 7 days/);
    // Audited: the request by its requester, the decision by the admin.
    const audit = await db().auditEvent.findMany({ where: { targetId: id }, orderBy: { at: "asc" } });
    expect(audit.map((a) => [a.action, a.actorEmail])).toEqual([
      ["quota_request.create", "ada@example.com"],
      ["quota_request.approve", "root@example.com"],
    ]);

    // The grant ends by itself: once past its end it no longer counts, and a reservation that
    // read its limits while the grant still counted reads them again under the lock.
    await clearVms();
    await createFromTemplate(users.ada, vmBody(4));
    await db().quotaGrant.updateMany({ where: { requestId: id }, data: { endsAt: new Date(Date.now() + 400) } });
    const readBefore = await quotaContext(db(), users.ada.id);
    expect(readBefore.user!.limits.total.vms).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect((await quotaContext(db(), users.ada.id)).user!.limits.total.vms).toBe(1);
    const providerId = (await db().providerConnection.findFirstOrThrow()).id;
    await expect(
      db().$transaction((tx) => reserveVm(tx, { userId: users.ada.id, context: readBefore, data: { name: "stale", providerId, cpuCores: 1, memoryMb: 1024, diskGb: 20 } })),
    ).rejects.toThrow(/available limits/);
    expect((await call(getRoute as never, "ada", `/api/v1/quota-requests/${id}`, {}, { requestId: id })).data).toMatchObject({ status: "approved", grants: [{ active: false }] });
  });

  it("refuse: needs a reason; the requester is told why; nothing is granted", async () => {
    const sent = await create("bob", { items: [{ limit: "maxCpuCoresPerVm", amount: 2 }], reason: "Compiling needs four cores" });
    const id = sent.data.id!;
    expect((await refuse("root", id, {})).code).toBe(400);
    expect((await refuse("root", id, { reason: "  " })).code).toBe(400);
    const refused = await refuse("root", id, { reason: "Use a build server instead" });
    expect(refused.data).toMatchObject({ status: "refused", decision_reason: "Use a build server instead", grants: [] });
    expect(await db().quotaGrant.count({ where: { requestId: id } })).toBe(0);
    const told = await db().notification.findFirstOrThrow({ where: { userId: users.bob.id, kind: "quota_request_decided" } });
    expect(told.title).toBe("Your request for more quota was refused");
    expect(told.body).toMatch(/CPU cores per VM \+2\. root@example\.com: Use a build server instead/);
    expect(await db().auditEvent.count({ where: { targetId: id, action: "quota_request.refuse", actorEmail: "root@example.com" } })).toBe(1);
  });

  it("an admin cannot decide their own request; at most 5 wait at once", async () => {
    const own = await create("root", { items: [{ limit: "maxVms", amount: 1 }], reason: "Admins need test VMs too" });
    expect(await approve("root", own.data.id!)).toMatchObject({ code: 403, message: expect.stringMatching(/cannot decide your own request/) });
    expect((await refuse("root", own.data.id!, { reason: "no" })).code).toBe(403);
    expect((await db().quotaRequest.findUniqueOrThrow({ where: { id: own.data.id! } })).status).toBe("pending");
    for (let i = 0; i < 4; i++) expect((await create("root", { items: [{ limit: "maxVms", amount: 1 }], reason: `Admins need test VMs ${i}` })).code).toBe(200);
    const sixth = await create("root", { items: [{ limit: "maxVms", amount: 1 }], reason: "One request too many" });
    expect(sixth.code).toBe(409);
    expect(sixth.message).toMatch(/already have 5 requests waiting/);
  });

  it("a team grant raises the team's shared limit, not the member's own", async () => {
    const sent = await create("tia", { items: [{ scope: "team", limit: "maxVms", amount: 2 }], reason: "The team runs a workshop" });
    expect(sent.data).toMatchObject({ team: { name: "lab-team" } });
    await approve("root", sent.data.id!);
    const ctx = await quotaContext(db(), users.tia.id);
    expect(ctx.team!.limits.total.vms).toBe(3);
    expect(ctx.user!.limits.total.vms).toBe(100);
  });

  it("50 simultaneous creates with room for 1 + an approved grant of 2: exactly 3 accepted", async () => {
    const sent = await createQuotaRequest(users.bob, { items: [{ limit: "maxVms", amount: 2 }], reason: "Race test: two more VMs" });
    await approveQuotaRequest(users.root, sent.id, {});
    for (let r = 0; r < 3; r++) {
      await clearVms();
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, async (_, i) => {
          await new Promise((res) => setTimeout(res, Math.random() * 25));
          return createFromTemplate(users.bob, vmBody(100 + i));
        }),
      );
      expect(results.filter((x) => x.status === "fulfilled").length, `round ${r}`).toBe(3);
      expect(await db().vm.count({ where: { ownerId: users.bob.id, deletedAt: null } })).toBe(3);
    }
  }, 240_000);
});
