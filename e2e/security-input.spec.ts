import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { demoCredential, mainNav, readState, signInAs } from "./helpers";
import { ROOT } from "./state";

/**
 * Issue 7 over real HTTP against `npm start`'s server in Chromium: no open redirect after
 * sign-in (finding 2), malformed URLs, headers and bodies are 4xx (findings 6, 7), security
 * headers with a CSP under which the pages still work, and only known sign-in error texts (12).
 */

/** A raw request (Node's http: no URL normalisation, any header size): status, headers and body. */
function raw(path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const base = new URL(readState().baseURL);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path, method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

test.describe("finding 2: no open redirect after sign-in", () => {
  for (const callbackUrl of ["/.//evil.example/x", "/%2e//evil.example/x", "//evil.example/x", "/\\evil.example/x", "https://evil.example/x", "javascript:alert(1)"]) {
    test(`signed in, /signin?callbackUrl=${callbackUrl} stays on the portal`, async ({ page }) => {
      await signInAs(page, "user");
      const res = await page.request.get(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`, { maxRedirects: 0 });
      const location = res.headers()["location"] ?? "";
      expect(location, `Location for ${callbackUrl}`).toMatch(/^\/(?![\\/])/);
      expect(location).not.toContain("evil.example");
    });
  }

  test("a real sign-in with a hostile callbackUrl lands on the portal", async ({ page }) => {
    const { email, password } = demoCredential("user");
    await page.goto(`/signin?callbackUrl=${encodeURIComponent("/.//evil.example/x")}`);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(mainNav(page)).toBeVisible();
    expect(new URL(page.url()).origin).toBe(new URL(readState().baseURL).origin);
  });
});

test.describe("finding 12: headers and sign-in errors", () => {
  test("pages carry the security headers and still work under the CSP", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content[- ]Security[- ]Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto("/signin");
    const headers = res!.headers();
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["strict-transport-security"], "no HSTS over plain HTTP").toBeUndefined();
    expect(headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    await signInAs(page, "admin"); // the form's client-side validation and submit need the scripts
    await page.goto("/vms/new");
    await page.goto("/admin/audit");
    await expect(mainNav(page)).toBeVisible();
    expect(violations).toEqual([]);
  });

  test("/signin?error= shows only known codes' texts", async ({ page }) => {
    await page.goto(`/signin?error=${encodeURIComponent("Your account is suspended. Call +1 555 0100")}`);
    await expect(page.getByRole("alert").filter({ hasText: "Sign-in failed. Try again." })).toBeVisible();
    await expect(page.getByText("555 0100")).toHaveCount(0);
    await page.goto("/signin?error=CredentialsSignin");
    await expect(page.getByRole("alert").filter({ hasText: "Invalid email or password" })).toBeVisible();
  });
});

test.describe("findings 6 and 7: malformed requests are 4xx", () => {
  test("malformed paths are 400: the API's envelope, a page elsewhere", async () => {
    for (const path of ["/api/v1/vms/%ff", "/api/v1/vms/%00", "/api/v1/tasks/%00"]) {
      const res = await raw(path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body), path).toMatchObject({ code: 400, data: null });
      expect(res.headers["x-request-id"]).toBeTruthy();
    }
    for (const path of ["/tasks/%00", "/vms/%ff", "/admin/audit?actor=%00"]) {
      const res = await raw(path);
      expect(res.status, path).toBe(400);
      expect(res.headers["content-type"]).toContain("text/html");
    }
  });

  test("an unknown API path is a 404 and a method a route lacks a 405, both in the API envelope", async () => {
    for (const [method, path, status] of [["GET", "/api/v1/no-such-thing", 404], ["POST", "/api/v1/vms/x/y/z", 404], ["DELETE", "/api/v1/me", 405], ["PUT", "/api/v1/templates", 405]] as const) {
      const res = await raw(path, { method });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers["content-type"], `${method} ${path}`).toContain("application/json");
      expect(JSON.parse(res.body), `${method} ${path}`).toMatchObject({ code: status, data: null });
    }
  });

  test("a malformed cookie is no session: 401 from the API, the sign-in page for pages", async () => {
    const res = await raw("/api/v1/vms", { headers: { cookie: "theme=100%" } });
    expect(res.status).toBe(401);
    for (const cookie of ["theme=100%", "next-auth.session-token=%E0%A4%A", "next-auth.session-token=x.y.z; a"]) {
      const page = await raw("/vms", { headers: { cookie } });
      expect(page.status, cookie).toBeLessThan(500);
    }
  });

  test("a 100 KB header is a 431, a 2 MB body a 413, also on next-auth's routes", async () => {
    expect((await raw("/signin", { headers: { "x-big": "a".repeat(100 * 1024) } })).status).toBe(431);
    const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
    expect((await raw("/api/v1/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: big })).status).toBe(413);
    expect((await raw("/api/auth/callback/credentials", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big })).status).toBe(413);
  });

  test("next-auth's credentials callback answers malformed sign-ins without a 5xx", async () => {
    const csrf = await raw("/api/auth/csrf");
    const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
    const cookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
    for (const email of [`${"a".repeat(244)}@example.com`, "ada\u0000@example.com", "%ff"]) {
      const body = new URLSearchParams({ csrfToken, email, password: "x".repeat(2000), json: "true" }).toString();
      const res = await raw("/api/auth/callback/credentials", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body });
      expect(res.status, JSON.stringify(email).slice(0, 40)).toBeLessThan(500);
    }
  });
});

test.describe("other cases of the same kinds (second attack round)", () => {
  test("a request target that is not a path is a 400, never a redirect to another origin", async () => {
    for (const [method, target] of [["GET", "http://evil.example/vms"], ["OPTIONS", "*"]] as const) {
      const res = await raw(target, { method });
      expect(res.status, target).toBe(400);
      expect(res.headers.location).toBeUndefined();
    }
  });

  test("next-auth's GET credentials callback is a 405 and its client log endpoint a 404, not a 500 or a log line", async () => {
    expect((await raw("/api/auth/callback/credentials")).status).toBe(405);
    const log = await raw("/api/auth/_log", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "level=error&code=FORGED" });
    expect(log.status).toBe(404);
  });

  test("a server action whose arguments cannot be decoded is a 400 for anyone, not a 500", async () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, ".next", "server", "server-reference-manifest.json"), "utf8")) as { node: unknown };
    // An action of the page it is posted to (Next would otherwise not decode it at all).
    const manifestEntries = Object.entries(manifest.node as Record<string, { workers: Record<string, unknown> }>);
    const action = manifestEntries.find(([, v]) => Object.keys(v.workers).some((w) => w.endsWith("/profile/page")))?.[0];
    expect(action, "a server action of the Profile page").toBeTruthy();
    const bodies: [string, string][] = [
      ["text/plain;charset=UTF-8", ""],
      ["text/plain;charset=UTF-8", "{{"],
      ["text/plain;charset=UTF-8", `${"[".repeat(5000)}${"]".repeat(5000)}`],
      ["text/plain;charset=UTF-8", '["$@1"]'],
      ["multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="0"\r\n\r\n{{\r\n--x--\r\n'],
      ["multipart/form-data", "abc"],
    ];
    for (const [type, body] of bodies) {
      const res = await raw("/profile", { method: "POST", headers: { "next-action": action!, "content-type": type }, body });
      expect(res.status, `${type} ${body.slice(0, 20)}`).toBe(400);
    }
  });
});
