import { describe, expect, it, vi } from "vitest";
import { bearerApi, publicApi } from "./handler";

vi.mock("../log", () => ({ log: { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() } }));
vi.mock("../auth/api-tokens", () => ({ authenticateBearer: vi.fn(async () => null) }));
vi.mock("../auth/sessions", () => ({ validateSession: vi.fn(async () => null) }));

const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });

describe("publicApi / bearerApi", () => {
  it("answers with the front door's request id, or a new one", async () => {
    const handler = publicApi(async () => ({ data: 1 }));
    const res = await handler(new Request("http://h/api/v1/x", { headers: { "x-request-id": "rid-1" } }), ctx({}));
    expect(res.headers.get("x-request-id")).toBe("rid-1");
    const fresh = await handler(new Request("http://h/api/v1/x"), ctx({}));
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers an unexpected fault with a 500 whose envelope and header carry the same request id", async () => {
    const res = await publicApi(async () => {
      throw new Error("database went away");
    })(new Request("http://h/api/v1/x"), ctx({}));
    const body = (await res.json()) as { code: number; message: string; data: { request_id: string } };
    expect(res.status).toBe(500);
    expect(body.data.request_id).toBe(res.headers.get("x-request-id"));
    expect(body.message).not.toContain("database");
  });

  it.each([["\u0000"], ["abc\u0000"], ["\ufffd"], ["\ud800"], ["a\nb"], ["x".repeat(201)]])("answers a path id that cannot be an id (%j) with 400 before the handler runs", async (vmId) => {
    const fn = vi.fn(async () => ({ data: null }));
    const res = await publicApi<{ vmId: string }>(fn)(new Request("http://h/api/v1/vms/x"), ctx({ vmId }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 400, message: "Invalid vmId in the path: not an id", data: null });
    expect(fn).not.toHaveBeenCalled();
  });

  it.each(["theme=100%", "a=%E0%A4%A; next-auth.session-token=%zz", "=;;;=", "next-auth.session-token"])(
    "answers a malformed cookie without a token with 401, not 500 (%j)",
    async (cookie) => {
      const res = await bearerApi(async () => ({ data: 1 }))(new Request("http://h/api/v1/vms", { headers: { cookie } }), ctx({}));
      expect(res.status).toBe(401);
    },
  );
});
