import net from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/v1/notifications/route";
import { POST } from "@/app/api/v1/notifications/read/route";
import { issueSessionToken } from "../auth/api-tokens";
import { applyConfig } from "../config/apply";
import { db } from "../db/client";
import { resetEnvCache } from "../env";
import { getBoss, stopBoss } from "../jobs/boss";
import { queues } from "../jobs/queues";
import { composeEmail, sendNotificationEmail, startEmailWorker } from "../jobs/send-email";
import { log } from "../log";
import { useMigratedDatabase } from "../testing/test-db";
import { DEFAULT_EMAIL_PREFERENCES } from "./kinds";
import { emailPreferences, listNotifications, markRead, notify, setEmailPreferences, unreadCount } from "./notify";
import { checkQuotaThresholds, quotaLevel } from "./quota";
import { notifyTaskFinished } from "./task-finished";

/**
 * Notifications (issue 12, item 5) against a real database: notify, the list with keyset
 * pagination and the unread count, marking read, email preferences, the API routes, emails sent
 * through a real SMTP server started here (smtp-server) by the pg-boss job, SMTP failures and the
 * send deadline, quota thresholds told once per crossing, and what a finished task says.
 */

const SMTP_USER = "hangar-mailer";
const SMTP_PASSWORD = "smtp-probe-password-5b1e9c";
const PROVIDER_DETAIL = "pve: 500 storage 'NFS' is full at https://pve-internal.example:8006/api2/json";

type Received = { from: string; to: string[]; raw: string };
const inbox: Received[] = [];
let smtp: SMTPServer;
let smtpPort: number;
let database: { drop: () => Promise<void> };
const ids: Record<"ada" | "bob" | "cleo" | "dan" | "eve", string> = { ada: "", bob: "", cleo: "", dan: "", eve: "" };
let providerId: string;
let adaToken: string;

function useSmtp(password = SMTP_PASSWORD, port = smtpPort) {
  process.env.HANGAR_SMTP_URL = `smtp://${SMTP_USER}:${password}@127.0.0.1:${port}`;
  process.env.HANGAR_SMTP_FROM = "Hangar <hangar@example.com>";
  resetEnvCache();
}

function noSmtp() {
  delete process.env.HANGAR_SMTP_URL;
  delete process.env.HANGAR_SMTP_FROM;
  delete process.env.HANGAR_SMTP_TIMEOUT_SECONDS;
  resetEnvCache();
}

/** The decoded text of a received message (quoted-printable or base64 body). */
function decoded(raw: string): { headers: string; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, " ");
  let body = raw.slice(split + 4);
  if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
    body = Buffer.from(body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
  } else if (/content-transfer-encoding:\s*base64/i.test(headers)) {
    body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  }
  return { headers, body };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  database = await useMigratedDatabase();
  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
  smtpPort = (smtp.server.address() as net.AddressInfo).port;

  await applyConfig({
    providers: [{ name: "lab", kind: "pve", url: "https://pve.example.test:8006", tokenId: "root@pam!hangar", secret: "provider-secret-not-used", tls: { verify: true } }],
    plans: [
      { name: "tight", default: true, perVm: { cpuCores: 8, memoryMb: 65536, diskGb: 1000 }, total: { cpuCores: 10, memoryMb: 1_000_000, diskGb: 10_000, vms: 20 } },
      { name: "team-plan", perVm: { cpuCores: 8, memoryMb: 65536, diskGb: 1000 }, total: { cpuCores: 100, memoryMb: 1_000_000, diskGb: 10_000, vms: 5 } },
    ],
    teams: [{ name: "lab-team", plan: "team-plan" }],
    users: [
      { email: "ada@example.com", password: "long-enough-pw", role: "user", plan: "tight" },
      { email: "bob@example.com", password: "long-enough-pw", role: "user", plan: "tight" },
      { email: "cleo@example.com", password: "long-enough-pw", role: "user", plan: "tight" },
      { email: "dan@example.com", password: "long-enough-pw", role: "user", plan: "tight", team: "lab-team" },
      { email: "eve@example.com", password: "long-enough-pw", role: "user", plan: "tight" },
    ],
  });
  for (const name of Object.keys(ids) as (keyof typeof ids)[]) ids[name] = (await db().user.findUniqueOrThrow({ where: { email: `${name}@example.com` } })).id;
  providerId = (await db().providerConnection.findFirstOrThrow()).id;
  adaToken = (await issueSessionToken(ids.ada)).token;
}, 60_000);

afterEach(() => noSmtp());

afterAll(async () => {
  await stopBoss();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await database?.drop();
});

const vm = (ownerId: string, name: string, cpuCores: number, status = "running") =>
  db().vm.create({ data: { name, ownerId, providerId, providerRef: { node: "pve1", vmid: 7 }, providerRefId: String(Math.floor(Math.random() * 1e6)), cpuCores, memoryMb: 1024, diskGb: 10, status } });

describe("in-app notifications", () => {
  it("stores a notification; lists newest first with keyset pagination, the unread filter and count; marks read", async () => {
    for (let i = 1; i <= 5; i++) await notify(ids.bob, { kind: "task_completed", title: `n${i}`, body: `body ${i}`, link: `/vms/x${i}` });
    await notify(ids.ada, { kind: "task_failed", title: "ada's", body: "" });

    const first = await listNotifications(ids.bob, { unread: false, limit: 2 });
    expect(first.notifications.map((n) => n.title)).toEqual(["n5", "n4"]);
    expect(first.unread_count).toBe(5);
    expect(first.notifications[0]).toMatchObject({ kind: "task_completed", body: "body 5", link: "/vms/x5", read: false, read_at: null });
    const second = await listNotifications(ids.bob, { unread: false, limit: 2, cursor: first.next_cursor! });
    expect(second.notifications.map((n) => n.title)).toEqual(["n3", "n2"]);
    const third = await listNotifications(ids.bob, { unread: false, limit: 2, cursor: second.next_cursor! });
    expect(third.notifications.map((n) => n.title)).toEqual(["n1"]);
    expect(third.next_cursor).toBeNull();

    const n4 = first.notifications[1]!.id;
    const adas = (await listNotifications(ids.ada)).notifications[0]!.id;
    // Another user's id is ignored.
    expect(await markRead(ids.bob, { ids: [n4, adas] })).toEqual({ updated: 1 });
    expect(await unreadCount(ids.ada)).toBe(1);
    expect(await unreadCount(ids.bob)).toBe(4);
    const unread = await listNotifications(ids.bob, { unread: true });
    expect(unread.notifications.map((n) => n.title)).toEqual(["n5", "n3", "n2", "n1"]);
    expect((await listNotifications(ids.bob)).notifications.find((n) => n.id === n4)).toMatchObject({ read: true });

    expect(await markRead(ids.bob, { all: true })).toEqual({ updated: 4 });
    expect(await unreadCount(ids.bob)).toBe(0);
    expect(await unreadCount(ids.ada)).toBe(1);
  });

  it("pages through rows with the same timestamp without losing or repeating any", async () => {
    const at = new Date("2026-11-01T10:00:00.000Z");
    await db().notification.createMany({ data: Array.from({ length: 7 }, (_, i) => ({ userId: ids.eve, kind: "quota_near", title: `same ${i}`, createdAt: at })) });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listNotifications(ids.eve, { unread: false, limit: 3, cursor });
      seen.push(...page.notifications.map((n) => n.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    await db().notification.deleteMany({ where: { userId: ids.eve } });
  });

  it("refuses an unknown kind and a link that is not a portal path", async () => {
    await expect(notify(ids.bob, { kind: "nonsense" as "task_failed", title: "x" })).rejects.toThrow(/unknown notification kind/);
    for (const link of ["https://evil.example/", "//evil.example/x", "/\\evil", "vms/1"]) {
      await expect(notify(ids.bob, { kind: "task_failed", title: "x", link })).rejects.toThrow(/portal path/);
    }
  });

  it("email preferences: defaults, then the user's choices (partial updates keep the rest)", async () => {
    expect(await emailPreferences(ids.cleo)).toEqual(DEFAULT_EMAIL_PREFERENCES);
    expect(DEFAULT_EMAIL_PREFERENCES).toMatchObject({ task_completed: false, task_failed: true });
    await setEmailPreferences(ids.cleo, { task_completed: true, quota_near: false });
    const after = await setEmailPreferences(ids.cleo, { task_failed: false });
    expect(after).toEqual({ ...DEFAULT_EMAIL_PREFERENCES, task_completed: true, quota_near: false, task_failed: false });
    expect(await emailPreferences(ids.ada)).toEqual(DEFAULT_EMAIL_PREFERENCES);
  });

  it("without SMTP configured nothing is queued for email", async () => {
    noSmtp();
    const { id, emailQueued } = await notify(ids.ada, { kind: "task_failed", title: "no smtp" });
    expect(emailQueued).toBe(false);
    expect((await db().notification.findUniqueOrThrow({ where: { id } })).emailStatus).toBeNull();
  });
});

describe("API", () => {
  const call = async (handler: typeof GET, url: string, init: RequestInit = {}) => {
    const res = await handler(new Request(`http://hangar.test${url}`, { ...init, headers: { authorization: `Bearer ${adaToken}`, "content-type": "application/json", ...(init.headers ?? {}) } }), { params: Promise.resolve({}) });
    return { status: res.status, body: (await res.json()) as { code: number; message: string; data: Record<string, unknown> } };
  };

  it("GET /api/v1/notifications: the envelope, unread filter, limit, cursor and unread_count; bad queries are 400s naming the field", async () => {
    await db().notification.deleteMany({ where: { userId: ids.ada } });
    for (let i = 1; i <= 3; i++) await notify(ids.ada, { kind: "task_completed", title: `api ${i}`, link: "/vms" });
    const page1 = await call(GET, "/api/v1/notifications?unread=true&limit=2");
    expect(page1.status).toBe(200);
    expect(page1.body.code).toBe(200);
    expect(page1.body.data.unread_count).toBe(3);
    const list = page1.body.data.notifications as { id: string; title: string; created_at: string; read: boolean }[];
    expect(list.map((n) => n.title)).toEqual(["api 3", "api 2"]);
    const page2 = await call(GET, `/api/v1/notifications?unread=true&limit=2&cursor=${page1.body.data.next_cursor as string}`);
    expect((page2.body.data.notifications as { title: string }[]).map((n) => n.title)).toEqual(["api 1"]);
    expect(page2.body.data.next_cursor).toBeNull();

    expect(await call(GET, "/api/v1/notifications?limit=0")).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^limit: /) } });
    expect(await call(GET, "/api/v1/notifications?limit=101")).toMatchObject({ status: 400 });
    expect(await call(GET, "/api/v1/notifications?unread=yes")).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^unread: /) } });
    expect(await call(GET, "/api/v1/notifications?cursor=not-a-cursor")).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^cursor: /) } });
    const anon = await GET(new Request("http://hangar.test/api/v1/notifications"), { params: Promise.resolve({}) });
    expect(anon.status).toBe(401);
  });

  it("POST /api/v1/notifications/read: ids or all; malformed bodies are 400s that change nothing", async () => {
    const [newest] = (await listNotifications(ids.ada, { unread: true })).notifications;
    const bobs = await notify(ids.bob, { kind: "task_completed", title: "bob's" });
    for (const body of [{}, { ids: "x" }, { ids: [] }, { ids: [1] }, { all: false }, { all: "true" }, { ids: [newest!.id], all: true }, { ids: ["a\u0000b"] }]) {
      const res = await call(POST, "/api/v1/notifications/read", { method: "POST", body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await unreadCount(ids.ada)).toBe(3);
    expect(await call(POST, "/api/v1/notifications/read", { method: "POST", body: JSON.stringify({ ids: [newest!.id, bobs.id] }) })).toMatchObject({ status: 200, body: { data: { updated: 1 } } });
    expect((await db().notification.findUniqueOrThrow({ where: { id: bobs.id } })).readAt).toBeNull();
    expect(await call(POST, "/api/v1/notifications/read", { method: "POST", body: JSON.stringify({ all: true }) })).toMatchObject({ status: 200, body: { data: { updated: 2 } } });
    expect(await unreadCount(ids.ada)).toBe(0);
  });
});

describe("email through a real SMTP server", () => {
  it("a failed task's notification reaches the user's inbox by the pg-boss job: to, subject, body, link; no secrets, no provider details", async () => {
    useSmtp();
    process.env.NEXTAUTH_URL = "https://hangar.example.com";
    resetEnvCache();
    try {
      await startEmailWorker(await getBoss());
      const web = await vm(ids.ada, "web-7", 1, "failed");
      await db().task.create({
        data: { id: "clone-email-1", kind: "vm.create", status: "failed", userId: ids.ada, vmId: web.id, error: "The provider's storage is full; choose another storage", errorDetail: PROVIDER_DETAIL, finishedAt: new Date() },
      });
      const id = await notifyTaskFinished("clone-email-1");
      expect(id).toBeTruthy();
      const mail = await waitFor("the email", async () => inbox.find((m) => m.to.includes("ada@example.com") && m.raw.includes("web-7")));
      const { headers, body } = decoded(mail.raw);
      expect(mail.from).toBe("hangar@example.com");
      expect(mail.to).toEqual(["ada@example.com"]);
      expect(headers).toMatch(/^Subject: \[Hangar\] Creating your VM web-7 failed$/m);
      expect(headers).toMatch(/^To: ada@example.com$/m);
      expect(body).toContain("The provider's storage is full; choose another storage");
      expect(body).toContain("Open in Hangar: https://hangar.example.com/tasks/clone-email-1");
      for (const secret of [SMTP_PASSWORD, PROVIDER_DETAIL, "pve-internal", "provider-secret-not-used"]) expect(mail.raw).not.toContain(secret);
      const stored = await waitFor("emailStatus sent", async () => {
        const n = await db().notification.findUniqueOrThrow({ where: { id: id! } });
        return n.emailStatus === "sent" ? n : null;
      });
      expect(stored.emailedAt).not.toBeNull();
    } finally {
      delete process.env.NEXTAUTH_URL;
    }
  });

  it("a kind the user turned off is not emailed (but still shown in the portal); a kind turned on is", async () => {
    useSmtp();
    await setEmailPreferences(ids.bob, { task_failed: false, task_completed: true });
    const off = await notify(ids.bob, { kind: "task_failed", title: "bob: off" });
    const on = await notify(ids.bob, { kind: "task_completed", title: "bob: on" });
    expect(off.emailQueued).toBe(false);
    expect(on.emailQueued).toBe(true);
    expect((await db().notification.findUniqueOrThrow({ where: { id: off.id } })).emailStatus).toBeNull();
    await waitFor("bob's email", async () => inbox.find((m) => m.raw.includes("bob: on")));
    expect(inbox.some((m) => m.raw.includes("bob: off"))).toBe(false);
  });

  it("inside a transaction: the email job exists only if the caller's transaction commits", async () => {
    useSmtp();
    const jobs = async () => Number((await db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM pgboss.job WHERE name = $1`, queues.sendEmail.name))[0]!.n);
    const before = await jobs();
    await expect(
      db().$transaction(async (tx) => {
        await notify(ids.cleo, { kind: "quota_reached", title: "rolled back" }, { tx });
        throw new Error("the caller's transaction fails");
      }),
    ).rejects.toThrow(/caller's transaction fails/);
    expect(await db().notification.count({ where: { title: "rolled back" } })).toBe(0);
    expect(await jobs()).toBe(before);
    await db().$transaction(async (tx) => {
      await notify(ids.cleo, { kind: "quota_reached", title: "committed in a transaction" }, { tx });
    });
    expect(await jobs()).toBe(before + 1);
    await waitFor("cleo's email", async () => inbox.find((m) => m.raw.includes("committed in a transaction")));
  });

  it("a refused SMTP login: retried while retries remain, then marked failed and logged without the SMTP password", async () => {
    const warn = vi.spyOn(log, "warn");
    try {
      noSmtp();
      const { id } = await notify(ids.eve, { kind: "task_failed", title: "login refused" });
      useSmtp("wrong-password-8d2f1a");
      await db().notification.update({ where: { id }, data: { emailStatus: "queued" } });
      await expect(sendNotificationEmail(id, { final: false })).rejects.toThrow(/email not sent/);
      expect(await sendNotificationEmail(id, { final: true })).toBe("failed");
      expect((await db().notification.findUniqueOrThrow({ where: { id } })).emailStatus).toBe("failed");
      const logged = JSON.stringify(warn.mock.calls);
      expect(logged).toContain("notification email failed");
      expect(logged).toContain("EAUTH");
      expect(logged).not.toContain("wrong-password-8d2f1a");
      expect(inbox.some((m) => m.raw.includes("login refused"))).toBe(false);
      // Already failed: a late retry sends nothing.
      expect(await sendNotificationEmail(id, { final: true })).toBe("skipped");
    } finally {
      warn.mockRestore();
    }
  });

  it("a server that never answers: the send gives up at HANGAR_SMTP_TIMEOUT_SECONDS", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    try {
      noSmtp();
      const { id } = await notify(ids.eve, { kind: "task_failed", title: "silent server" });
      await db().notification.update({ where: { id }, data: { emailStatus: "queued" } });
      useSmtp(SMTP_PASSWORD, (silent.address() as net.AddressInfo).port);
      process.env.HANGAR_SMTP_TIMEOUT_SECONDS = "1";
      resetEnvCache();
      const started = Date.now();
      expect(await sendNotificationEmail(id, { final: true })).toBe("failed");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("composeEmail: a relative link without NEXTAUTH_URL, the preference hint", () => {
    noSmtp();
    const mail = composeEmail({ title: "T", body: "B", link: "/vms/1" }, "x@example.com");
    expect(mail).toEqual({ to: "x@example.com", subject: "[Hangar] T", text: expect.stringContaining("B\n\nOpen in Hangar: /vms/1") });
  });
});

describe("quota thresholds", () => {
  it("levels: 80 % near, 100 % reached, none without a limit", () => {
    expect([quotaLevel(7.9, 10), quotaLevel(8, 10), quotaLevel(9.99, 10), quotaLevel(10, 10), quotaLevel(12, 10), quotaLevel(5, null), quotaLevel(0, 0)]).toEqual([0, 80, 80, 100, 100, 0, 0]);
  });

  it("tells each crossing once: near at 80 %, reached at 100 %, silent on repeats, re-armed when use falls", async () => {
    const user = ids.cleo;
    const quota = () => db().notification.findMany({ where: { userId: user, link: "/quota" }, orderBy: { createdAt: "asc" } });
    const a = await vm(user, "q-a", 4);
    expect(await checkQuotaThresholds(user)).toEqual([]);
    // A request still being created counts (its reservation).
    const b = await vm(user, "q-b", 4, "creating");
    expect(await checkQuotaThresholds(user)).toHaveLength(1);
    expect(await checkQuotaThresholds(user)).toEqual([]);
    let told = await quota();
    expect(told.map((n) => [n.kind, n.title, n.link])).toEqual([["quota_near", "Your vCPU cores quota is 80 % used", "/quota"]]);
    expect(told[0]!.body).toBe("You have used 8 of 10 cores (80 %).");

    const c = await vm(user, "q-c", 2);
    expect(await checkQuotaThresholds(user)).toHaveLength(1);
    expect(await checkQuotaThresholds(user)).toEqual([]);
    told = await quota();
    expect(told.map((n) => n.kind)).toEqual(["quota_near", "quota_reached"]);
    expect(told[1]!.title).toBe("Your vCPU cores quota is used up");

    // From 100 % back to 80 %: nothing to tell (no "near" after "reached"); reaching 100 % again is a new crossing.
    await db().vm.update({ where: { id: c.id }, data: { deletedAt: new Date() } });
    expect(await checkQuotaThresholds(user)).toEqual([]);
    const c2 = await vm(user, "q-c2", 2);
    expect(await checkQuotaThresholds(user)).toHaveLength(1);
    expect((await quota()).map((n) => n.kind)).toEqual(["quota_near", "quota_reached", "quota_reached"]);

    // Falling below 80 % says nothing and re-arms; crossing again is told again.
    await db().vm.update({ where: { id: b.id }, data: { deletedAt: new Date() } });
    await db().vm.update({ where: { id: c2.id }, data: { deletedAt: new Date() } });
    expect(await checkQuotaThresholds(user)).toEqual([]);
    expect(await db().quotaAlert.findUniqueOrThrow({ where: { userId_scope_dimension: { userId: user, scope: "user", dimension: "cpuCores" } } })).toMatchObject({ level: 0 });
    await vm(user, "q-d", 4);
    expect(await checkQuotaThresholds(user)).toHaveLength(1);
    expect((await quota()).map((n) => n.kind)).toEqual(["quota_near", "quota_reached", "quota_reached", "quota_near"]);
    expect(a).toBeTruthy();
  });

  it("concurrent checks tell a crossing once", async () => {
    const user = ids.eve;
    await vm(user, "c-a", 8);
    const results = await Promise.all(Array.from({ length: 6 }, () => checkQuotaThresholds(user)));
    expect(results.flat()).toHaveLength(1);
    expect(await db().notification.count({ where: { userId: user, kind: "quota_near" } })).toBe(1);
  });

  it("a team's shared quota is told to the member whose use is checked, naming the team", async () => {
    const user = ids.dan;
    for (let i = 0; i < 4; i++) await vm(user, `t-${i}`, 1);
    expect(await checkQuotaThresholds(user)).toHaveLength(1);
    const n = await db().notification.findFirstOrThrow({ where: { userId: user, kind: "quota_near" } });
    expect(n.title).toBe("Team lab-team: VMs quota 80 % used");
    expect(n.body).toBe("Your team lab-team has used 4 of 5 VMs (80 %).");
  });
});

describe("notifyTaskFinished", () => {
  it("completed: \"Your VM web-1 is running\" linking to the VM; told once", async () => {
    const web = await db().vm.create({ data: { name: "web-1", ownerId: ids.bob, providerId, providerRef: { node: "pve1", vmid: 101 }, providerRefId: "101", cpuCores: 1, memoryMb: 1024, diskGb: 10, status: "running", ipAddress: "10.0.0.5" } });
    await db().task.create({ data: { id: "clone-done-1", kind: "vm.create", status: "completed", progress: 100, userId: ids.bob, vmId: web.id, finishedAt: new Date() } });
    const id = await notifyTaskFinished("clone-done-1");
    const n = await db().notification.findUniqueOrThrow({ where: { id: id! } });
    expect(n).toMatchObject({ userId: ids.bob, kind: "task_completed", title: "Your VM web-1 is running", link: `/vms/${web.id}` });
    expect(n.body).toContain("10.0.0.5");
    expect(await notifyTaskFinished("clone-done-1")).toBeNull();
    expect(await db().notification.count({ where: { userId: ids.bob, title: "Your VM web-1 is running" } })).toBe(1);
  });

  it("failed: the user-facing error (never the provider's details) linking to the task page", async () => {
    const web = await db().vm.create({ data: { name: "web-2", ownerId: ids.bob, providerId, cpuCores: 1, memoryMb: 1024, diskGb: 10, status: "failed" } });
    await db().task.create({
      data: { id: "clone-failed-1", kind: "vm.create", status: "failed", userId: ids.bob, vmId: web.id, error: "The provider's storage is full; choose another storage", errorDetail: PROVIDER_DETAIL, finishedAt: new Date() },
    });
    const id = await notifyTaskFinished("clone-failed-1");
    const n = await db().notification.findUniqueOrThrow({ where: { id: id! } });
    expect(n).toMatchObject({ kind: "task_failed", title: "Creating your VM web-2 failed", body: "The provider's storage is full; choose another storage", link: "/tasks/clone-failed-1" });
    expect(JSON.stringify(n)).not.toContain("pve-internal");
  });

  it("actions on a VM, a deleted VM, and tasks that are not finished", async () => {
    const web = await db().vm.create({ data: { name: "web-3", ownerId: ids.bob, providerId, cpuCores: 1, memoryMb: 1024, diskGb: 10, status: "stopped" } });
    await db().task.create({ data: { id: "stop-1", kind: "vm.stop", status: "completed", userId: ids.bob, vmId: web.id, finishedAt: new Date() } });
    await db().task.create({ data: { id: "start-1", kind: "vm.start", status: "in_progress", userId: ids.bob, vmId: web.id } });
    await db().task.create({ data: { id: "start-2", kind: "vm.start", status: "cancelled", userId: ids.bob, vmId: web.id, finishedAt: new Date() } });
    const stopped = await db().notification.findUniqueOrThrow({ where: { id: (await notifyTaskFinished("stop-1"))! } });
    expect(stopped).toMatchObject({ title: "Your VM web-3 is stopped", link: `/vms/${web.id}` });
    expect(await notifyTaskFinished("start-1")).toBeNull();
    expect(await notifyTaskFinished("start-2")).toBeNull();
    expect(await notifyTaskFinished("no-such-task")).toBeNull();
    await db().vm.update({ where: { id: web.id }, data: { deletedAt: new Date(), status: "deleted" } });
    await db().task.create({ data: { id: "delete-1", kind: "vm.delete", status: "completed", userId: ids.bob, vmId: web.id, finishedAt: new Date() } });
    const deleted = await db().notification.findUniqueOrThrow({ where: { id: (await notifyTaskFinished("delete-1"))! } });
    expect(deleted).toMatchObject({ title: "Your VM web-3 was deleted", link: "/vms" });
  });
});
