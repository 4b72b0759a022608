import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as loginRoute } from "@/app/api/v1/auth/login/route";
import { GET as taskRoute } from "@/app/api/v1/tasks/[taskId]/route";
import { POST as createRoute } from "@/app/api/v1/vm/manage/createFromTemplate/route";
import { POST as resizeRoute } from "@/app/api/v1/vms/[vmId]/resize/route";
import { GET as vmRoute } from "@/app/api/v1/vms/[vmId]/route";
import { GET as vmsRoute } from "@/app/api/v1/vms/route";
import { startApiFixture, type ApiFixture } from "../testing/api-fixture";

/**
 * Issue 7, findings 6 (bad input → 500), 7 (no size limits) and 8 (loose types), through the real
 * route handlers on a migrated database: each case is a 4xx in the envelope that names the field,
 * and writes nothing.
 */
let fx: ApiFixture;

beforeAll(async () => {
  fx = await startApiFixture();
}, 120_000);
afterAll(async () => fx?.stop());

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Reply = { status: number; body: { code: number; message: string; data: unknown }; headers: Headers };

async function call(handler: Handler, init: { method?: string; body?: BodyInit; headers?: Record<string, string>; params?: Record<string, string>; token?: string | null }): Promise<Reply> {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? fx.tokens.ada}`;
  const res = await handler(
    new Request("http://hangar.test/api/v1/x", { method: init.method ?? "POST", body: init.body, headers, duplex: "half" } as RequestInit),
    { params: Promise.resolve(init.params ?? {}) },
  );
  return { status: res.status, body: (await res.json()) as Reply["body"], headers: res.headers };
}

/** Calls and checks that no table changed. */
async function unchanged<T>(run: () => Promise<T>): Promise<T> {
  const before = await fx.rowCounts();
  const result = await run();
  expect(await fx.rowCounts()).toEqual(before);
  return result;
}

const good = { template_id: "ubuntu-24.04", name: "web-1", target: "pve1", cpuCores: 1, memorySize: 1024, diskSize: 32 };

describe("finding 6: malformed input is a 4xx, not a 500", () => {
  it.each([
    [vmRoute, "GET", { vmId: "\u0000" }, "Invalid vmId in the path: not an id"],
    [taskRoute, "GET", { taskId: "\u0000" }, "Invalid taskId in the path: not an id"],
    [resizeRoute, "POST", { vmId: "a\u0000b" }, "Invalid vmId in the path: not an id"],
  ] as const)("a NUL in a path id (%#)", async (handler, method, params, message) => {
    const res = await unchanged(() => call(handler as Handler, { method, params, body: method === "POST" ? JSON.stringify({ cpuCores: 2 }) : undefined }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 400, message, data: null });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it.each(["template_id", "name", "target", "storage", "ciuser", "cipassword", "ssh_key_id"])("a NUL in the JSON string field %s", async (field) => {
    const res = await unchanged(() => call(createRoute as Handler, { body: JSON.stringify({ ...good, [field]: "ubuntu\u0000-24.04" }) }));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`${field}: must not contain NUL or other control characters`);
  });

  it.each(["theme=100%", "next-auth.session-token=%E0%A4%A", "a=b; =; ;c"])("a malformed cookie on an API call without a token (%j) is a 401", async (cookie) => {
    const res = await call(vmsRoute as Handler, { method: "GET", token: null, headers: { cookie } });
    expect(res.status).toBe(401);
  });

  it("a 256-character email on login is a 400 naming the field, not a database error", async () => {
    const email = `${"a".repeat(244)}@example.com`;
    expect(email.length).toBe(256);
    const res = await unchanged(() => call(loginRoute as Handler, { token: null, body: JSON.stringify({ email, password: "whatever-pw" }) }));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("email: at most 254 characters");
  });

  it.each(["9223372036854775808", "99999999999999999999999", "-1", "1e3"])("logs_after=%s (not a bigint log id) is a 400", async (after) => {
    const res = await taskRoute(new Request(`http://hangar.test/api/v1/tasks/${fx.taskId}?logs_after=${after}`, { headers: { authorization: `Bearer ${fx.tokens.ada}` } }), {
      params: Promise.resolve({ taskId: fx.taskId }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 400, message: "logs_after must be a log line id (a whole number)", data: null });
  });

  it("a login body that is not UTF-8 is a 400", async () => {
    const res = await call(loginRoute as Handler, { token: null, body: new Uint8Array([0x7b, 0x22, 0x65, 0xff, 0x22, 0x3a, 0x31, 0x7d]) });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Request body must be UTF-8 encoded JSON");
  });
});

describe("finding 7: size limits", () => {
  it("an anonymous 100 MB login body is refused with 413 after reading at most the limit", async () => {
    let pulled = 0;
    const chunk = new TextEncoder().encode(`{"email":"${"a".repeat(64 * 1024)}`);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 100 * 1024 * 1024) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const res = await unchanged(() => call(loginRoute as Handler, { token: null, body }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 413, message: "Request body too large (limit 65536 bytes)", data: null });
    expect(pulled).toBeLessThan(1024 * 1024);
  });

  it("a 1 MB storage value is not stored: 413 for the body", async () => {
    const res = await unchanged(() => call(createRoute as Handler, { body: JSON.stringify({ ...good, storage: "a".repeat(1024 * 1024) }) }));
    expect(res.status).toBe(413);
  });

  it.each([
    ["storage", 101, "storage: at most 100 characters"],
    ["template_id", 201, "template_id: at most 200 characters"],
    ["cipassword", 129, "cipassword: at most 128 characters"],
    ["ciuser", 33, "ciuser: at most 32 characters"],
    ["ssh_key_id", 201, "ssh_key_id: at most 200 characters"],
  ])("a long %s is a 400 naming the field and its limit", async (field, length, message) => {
    const res = await unchanged(() => call(createRoute as Handler, { body: JSON.stringify({ ...good, [field]: "a".repeat(length) }) }));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });
});

describe("finding 8: numbers are JSON numbers, strings are JSON strings", () => {
  it.each([
    ["cpuCores", true],
    ["cpuCores", [2]],
    ["cpuCores", "0x400"],
    ["memorySize", "0x400"],
    ["diskSize", "3.2e1"],
    ["cpuCores", "2"],
    ["cpuCores", 2.5],
    ["memorySize", { value: 1024 }],
  ])("%s: %j is a 400 naming the field", async (field, value) => {
    const res = await unchanged(() => call(createRoute as Handler, { body: JSON.stringify({ ...good, [field]: value }) }));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(new RegExp(`^${field}: ${field} must be a (whole )?number`));
  });

  it.each([
    ["template_id", ["ubuntu-24.04"]],
    ["template_id", 42],
    ["target", ["pve1"]],
    ["storage", ["NFS"]],
    ["cipassword", 12345678],
  ])("%s: %j is a 400 naming the field", async (field, value) => {
    const res = await unchanged(() => call(createRoute as Handler, { body: JSON.stringify({ ...good, [field]: value }) }));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`${field}: must be a string`);
  });

  it("a name that is not a string keeps the seed's 'Invalid VM name' form", async () => {
    const res = await unchanged(() => call(createRoute as Handler, { body: JSON.stringify({ ...good, name: ["web"] }) }));
    expect(res.body).toEqual({ code: 400, message: "Invalid VM name: name must be a string", data: null });
  });

  it("the seed's own messages stay verbatim: absent, null and empty fields are 'Missing required fields'", async () => {
    const { cpuCores: _c, diskSize: _d, ...missing } = good;
    const res = await unchanged(() => call(createRoute as Handler, { body: JSON.stringify({ ...missing, target: "" }) }));
    expect(res.body).toEqual({ code: 400, message: "Missing required fields: target, cpuCores, diskSize", data: null });
  });

  it.each([
    ["cpuCores", true],
    ["memorySize", "2048"],
    ["diskSize", [64]],
  ])("resize: %s %j is a 400 naming the field", async (field, value) => {
    const res = await unchanged(() => call(resizeRoute as Handler, { params: { vmId: fx.vmId }, body: JSON.stringify({ [field]: value }) }));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(new RegExp(`^${field}: ${field} must be a (whole )?number`));
  });
});
