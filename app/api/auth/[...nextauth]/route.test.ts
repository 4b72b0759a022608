import { beforeEach, describe, expect, it, vi } from "vitest";

/**
 * The next-auth catch-all in front of next-auth: requests next-auth answers with a 500 of its own
 * (`GET /api/auth/callback/credentials`: "Callback for provider type credentials not supported")
 * or turns into log lines at the client's word (`POST /api/auth/_log`, any text at error level)
 * are answered before it: 4xx in the API envelope. next-auth itself is a stand-in here that
 * answers as the real one does for those requests.
 */
/** The requests that reached next-auth ("METHOD path"). */
const reached: string[] = [];
function nextAuthStandIn(req: Request): Response {
  const url = new URL(req.url);
  reached.push(`${req.method} ${url.pathname}`);
  if (req.method === "GET" && url.pathname === "/api/auth/callback/credentials") {
    return new Response("Error: Callback for provider type credentials not supported", { status: 500 });
  }
  return new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
}
vi.mock("next-auth", () => ({ default: (req: Request) => nextAuthStandIn(req) }));
vi.mock("@/lib/auth/next-auth-options", () => ({ authOptions: () => ({}) }));

const { GET, POST } = await import("./route");

function call(method: "GET" | "POST", path: string, body?: string) {
  const segments = path.replace(/^\/api\/auth\//, "").replace(/\?.*$/, "").split("/");
  const req = new Request(`http://localhost${path}`, {
    method,
    ...(body !== undefined && { body, headers: { "content-type": "application/x-www-form-urlencoded" } }),
  });
  return (method === "GET" ? GET : POST)(req, { params: Promise.resolve({ nextauth: segments }) });
}

beforeEach(() => {
  reached.length = 0;
});

describe("the next-auth route", () => {
  it.each(["/api/auth/callback/credentials", "/api/auth/callback/credentials?error=x"])("answers GET %s with a 405 (next-auth: 500)", async (path) => {
    const res = await call("GET", path);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(await res.json()).toMatchObject({ code: 405, data: null });
    expect(reached).toEqual([]);
  });

  it("does not let clients write log lines (POST /api/auth/_log): 404, nothing logged", async () => {
    const res = await call("POST", "/api/auth/_log", `level=error&code=${"x".repeat(10_000)}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 404, data: null });
    expect(reached).toEqual([]);
  });

  it("passes everything else to next-auth", async () => {
    for (const [method, path] of [
      ["GET", "/api/auth/session"],
      ["GET", "/api/auth/csrf"],
      ["POST", "/api/auth/callback/credentials"],
      ["GET", "/api/auth/callback/oidc"],
      ["POST", "/api/auth/signout"],
    ] as const) {
      expect((await call(method, path, method === "POST" ? "a=1" : undefined)).status, `${method} ${path}`).toBe(200);
    }
    expect(reached).toHaveLength(5);
  });
});
