import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CLIENT_IP_HEADER } from "../auth/client-ip";
import { log } from "../log";
import { createFrontDoor, MAX_BODY_BYTES, securityHeaders } from "./http";

vi.mock("../log", () => ({ log: { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() } }));

/** The front door around a stand-in for Next: it echoes what it was given, or throws on /boom. */
let server: http.Server;
let base: string;
const seen: { url?: string; requestId?: string; ip?: string; headers?: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createFrontDoor(
    (req, res) => {
      if (req.url === "/boom") throw new Error("handler fault");
      // What Next does for a method a route does not export, or for a bodiless answer of a handler.
      const bare = /^\/(api\/v1|page)\/bare-(\d+)$/.exec(req.url ?? "");
      if (bare) {
        // Next: writeHead(405) then end() with nothing (its stand-in here also flushes first).
        res.writeHead(Number(bare[2]));
        res.flushHeaders();
        res.end();
        return;
      }
      seen.push({ url: req.url, requestId: req.headers["x-request-id"] as string, ip: req.headers[CLIENT_IP_HEADER] as string, headers: { ...req.headers } });
      res.setHeader("content-type", "text/plain");
      if (req.headers["next-action"]) {
        // A server action: echo the body Next would decode.
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => res.end(`handled ${Buffer.concat(chunks).toString("utf8")}`));
        return;
      }
      res.end("handled");
    },
    { trustProxy: false },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw HTTP/1.1 exchange (fetch would normalise the URL): the status line, headers and body. */
function raw(request: string | Buffer, write?: (socket: net.Socket) => void): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const port = (server.address() as AddressInfo).port;
    const socket = net.connect(port, "127.0.0.1", () => {
      if (write) write(socket);
      else socket.write(request);
    });
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = data.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body: rest.join("\r\n\r\n") });
    });
  });
}

const get = (target: string, extra = "") => raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`);

describe("the front door", () => {
  it("passes good requests on with a fresh request id and the client IP, and answers with the id and security headers", async () => {
    const res = await fetch(`${base}/vms?x=1`, { headers: { "x-request-id": "forged", [CLIENT_IP_HEADER]: "6.6.6.6" } });
    expect(await res.text()).toBe("handled");
    const last = seen.at(-1)!;
    expect(last.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-request-id")).toBe(last.requestId);
    expect(last.ip).toBe("127.0.0.1");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  it("sends HSTS behind a trusted proxy that says HTTPS, never on the strength of an untrusted header", async () => {
    const proxied = createFrontDoor((_req, res) => res.end("ok"), { trustProxy: true });
    await new Promise<void>((resolve) => proxied.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(proxied.address() as AddressInfo).port}/vms`;
      expect((await fetch(url, { headers: { "x-forwarded-proto": "https" } })).headers.get("strict-transport-security")).toMatch(/max-age=/);
      expect((await fetch(url)).headers.get("strict-transport-security")).toBeNull();
    } finally {
      await new Promise<void>((resolve) => proxied.close(() => resolve()));
    }
    expect((await fetch(`${base}/vms`, { headers: { "x-forwarded-proto": "https" } })).headers.get("strict-transport-security")).toBeNull();
  });

  it("drops a client's X-Forwarded-* and Forwarded headers unless a proxy is trusted (next-auth builds its redirects from them)", async () => {
    // Without this, `X-Forwarded-Host: evil.example` made next-auth answer sign-in, sign-out and
    // its errors with `Location: https://evil.example/…` while HANGAR_TRUST_PROXY was off.
    const forged = {
      "x-forwarded-host": "evil.example",
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      "x-forwarded-for": "6.6.6.6",
      forwarded: "for=6.6.6.6;host=evil.example;proto=https",
    };
    await fetch(`${base}/api/auth/signout`, { headers: forged });
    const last = seen.at(-1)!;
    for (const name of Object.keys(forged)) expect(last.headers?.[name], name).toBeUndefined();
    expect(last.ip).toBe("127.0.0.1");

    const forwardedSeen: http.IncomingHttpHeaders[] = [];
    const proxied = createFrontDoor(
      (req, res) => {
        forwardedSeen.push({ ...req.headers });
        res.end("ok");
      },
      { trustProxy: true },
    );
    await new Promise<void>((resolve) => proxied.listen(0, "127.0.0.1", resolve));
    try {
      await fetch(`http://127.0.0.1:${(proxied.address() as AddressInfo).port}/api/auth/signout`, { headers: forged });
      expect(forwardedSeen[0]?.["x-forwarded-host"]).toBe("evil.example");
      expect(forwardedSeen[0]?.[CLIENT_IP_HEADER]).toBe("6.6.6.6");
    } finally {
      await new Promise<void>((resolve) => proxied.close(() => resolve()));
    }
  });

  it("sends HSTS only for HTTPS (via a trusted proxy)", () => {
    expect(securityHeaders({ https: true, dev: false })["Strict-Transport-Security"]).toMatch(/max-age=\d+/);
    expect(securityHeaders({ https: false, dev: false })["Strict-Transport-Security"]).toBeUndefined();
  });

  it.each([
    ["/api/v1/vms/%ff", "percent-encoding"],
    ["/api/v1/vms/%E0%A4%A", "percent-encoding"],
    ["/api/v1/vms/%00", "control characters"],
    ["/api/v1/tasks/%00", "control characters"],
    ["/api/v1/vms/a%0d%0aSet-Cookie:x=1", "control characters"],
  ])("answers a malformed API path (%s) with a 400 envelope, without calling the handler", async (target, words) => {
    const before = seen.length;
    const res = await get(target);
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(res.body)).toMatchObject({ code: 400, message: expect.stringContaining(words), data: null });
    expect(res.headers).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(seen.length).toBe(before);
  });

  it.each(["/tasks/%00", "/vms/%ff", "/admin/audit?actor=%00", "/vms?x=%0a"])("answers a malformed page URL (%s) with a 400 page", async (target) => {
    const res = await get(target);
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: text\/html/i);
    expect(res.body).toContain("Malformed URL");
  });

  it("answers headers above the limit with 431, not a reset connection", async () => {
    const res = await get("/vms", `X-Big: ${"a".repeat(100 * 1024)}\r\n`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toMatchObject({ code: 431 });
  });

  it.each([
    ["headers above the limit (431)", () => get("/vms", `X-Big: ${"a".repeat(100 * 1024)}\r\n`)],
    ["an unparseable request (400)", () => raw("GARBAGE\r\n\r\n")],
  ])("answers %s with the security headers too", async (_what, send) => {
    // These answers are written by the front door on the raw socket, before any request exists.
    const res = await send();
    expect(res.headers).toMatch(/^x-content-type-options: nosniff$/im);
    expect(res.headers).toMatch(/^x-frame-options: DENY$/im);
    expect(res.headers).toMatch(/^content-security-policy: .*frame-ancestors 'none'/im);
    expect(res.headers).toMatch(/^referrer-policy: /im);
  });

  it("answers a declared body above the limit with 413 before reading it", async () => {
    const before = seen.length;
    const res = await raw("", (socket) => {
      socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
      socket.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ code: 413, message: `Request body too large (limit ${MAX_BODY_BYTES} bytes)` });
    expect(seen.length).toBe(before);
  });

  it("answers a 2 MB body with 413 without resetting the sender (the body is read and dropped)", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${base}/api/auth/callback/credentials`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } }, (r) => {
          let body = "";
          r.on("data", (c: Buffer) => (body += c.toString()));
          r.on("end", () => resolve({ status: r.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end(Buffer.alloc(2 * 1024 * 1024, 0x61));
      });
      expect(res.status).toBe(413);
    }
  });

  it("answers `Expect: 100-continue` with 413 before the body is sent", async () => {
    const res = await raw(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: ${50 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
    expect(res.status).toBe(413);
    expect(res.headers).not.toContain("100 Continue");
  });

  it("wants a Content-Length for bodies outside /api/v1 (whose handlers stream with a limit)", async () => {
    const res = await raw(`POST /api/auth/callback/credentials HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
    expect(res.status).toBe(411);
    const api = await raw(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`);
    expect(api.status).toBe(200);
  });

  it("gives a bodiless API refusal (Next's 405 for a method a route lacks) the API envelope; leaves other answers alone", async () => {
    const refused = await raw(`DELETE /api/v1/bare-405 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(refused.status).toBe(405);
    expect(refused.headers).toMatch(/^content-type: application\/json/im);
    expect(JSON.parse(refused.body)).toEqual({ code: 405, message: "Method DELETE is not allowed on /api/v1/bare-405", data: null });
    // A bodiless success, and a page (not API) refusal, are not rewritten.
    expect((await get("/api/v1/bare-204")).body).toBe("");
    const page = await get("/page/bare-405");
    expect(page.status).toBe(405);
    expect(page.body).not.toContain("code");
    // A handler's own body is never replaced.
    expect((await get("/api/v1/anything")).body).toBe("handled");
  });

  it("answers a handler's crash with a 500 that carries the request id", async () => {
    const res = await get("/boom");
    expect(res.status).toBe(500);
    const id = /x-request-id: ([0-9a-f-]{36})/i.exec(res.headers)?.[1];
    expect(id).toBeDefined();
    expect(res.body).toContain(id);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ requestId: id, path: "/boom" }), "request failed");
  });

  it.each([
    ["GET", "http://evil.example/vms"],
    ["GET", "HTTP://evil.example"],
    ["GET", "https://127.0.0.1/api/v1/me"],
    ["OPTIONS", "*"],
  ])("answers a request target that is not a path (%s %s: absolute or asterisk form) with a 400, without calling the handler", async (method, target) => {
    // Next answers an absolute-form target with a 308 to that other origin, and `OPTIONS *` with a bare 500.
    const before = seen.length;
    const res = await raw(`${method} ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(400);
    expect(res.headers).not.toMatch(/^location:/im);
    expect(res.body).toContain("Malformed URL");
    expect(seen.length).toBe(before);
  });

  describe("server action arguments (Next decodes them before the action runs and answered what it cannot decode with a 500)", () => {
    const action = (body: string | Buffer, contentType = "text/plain;charset=UTF-8") =>
      fetch(`${base}/profile`, { method: "POST", headers: { "next-action": "40aa", "content-type": contentType }, body: typeof body === "string" ? body : new Uint8Array(body) });

    it.each([
      ["an empty body", ""],
      ["not JSON", "{{"],
      ["not an argument list", '{"a":1}'],
      ["invalid UTF-8", Buffer.from([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d])],
      ["nesting beyond 32 levels", `${"[".repeat(40)}${"]".repeat(40)}`],
      ["nesting of 5000 levels", `${"[".repeat(5000)}${"]".repeat(5000)}`],
      ["a reference to a part that is not there", '["$@1"]'],
      ["a map reference", '[{"a":"$Q2"}]'],
      ["a symbol", '["$Sfoo"]'],
      ["a server reference", '["$F1"]'],
    ])("answers %s with a 400, without calling Next", async (_what, body) => {
      const before = seen.length;
      const res = await action(body);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("server action");
      expect(seen.length).toBe(before);
    });

    it.each([
      ["no boundary", "multipart/form-data", "abc"],
      ["no root part", "multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="1"\r\n\r\n[]\r\n--x--\r\n'],
      ["a root part that is not JSON", "multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="0"\r\n\r\n{{\r\n--x--\r\n'],
      ["no closing boundary", "multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="0"\r\n\r\n[]\r\n'],
    ])("answers a multipart body with %s with a 400", async (_what, contentType, body) => {
      const before = seen.length;
      expect((await action(body, contentType)).status).toBe(400);
      expect(seen.length).toBe(before);
    });

    it.each([
      ["plain arguments", '[{"name":"web","cpu":2,"tags":["a","$$escaped"],"none":"$undefined","when":"$D2026-11-30T00:00:00.000Z","n":"$n12"},null,1.5,true]'],
      ["no arguments", "[]"],
      ["32 levels", `${"[".repeat(32)}${"]".repeat(32)}`],
      ["unicode", JSON.stringify([{ name: "Zoë ✓ 日本" }])],
    ])("passes %s on to Next with the body intact", async (_what, body) => {
      const res = await action(body);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`handled ${body}`);
    });

    it("passes a well-formed multipart body (references to its own parts, form fields, files) on intact", async () => {
      const body = [
        "--x",
        'Content-Disposition: form-data; name="0"',
        "",
        '["$K1",{"m":"$Q2"}]',
        "--x",
        'Content-Disposition: form-data; name="1_title"',
        "",
        "{not json: a form field}",
        "--x",
        'Content-Disposition: form-data; name="2"',
        "",
        '[["k","v"]]',
        "--x",
        'Content-Disposition: form-data; name="3"; filename="a.bin"',
        "Content-Type: application/octet-stream",
        "",
        "\u0000binary{{",
        "--x--",
        "",
      ].join("\r\n");
      const res = await action(body, "multipart/form-data; boundary=x");
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(`handled ${body}`);
    });

    it("leaves requests without the Next-Action header alone", async () => {
      const res = await fetch(`${base}/profile`, { method: "POST", headers: { "content-type": "text/plain" }, body: "{{" });
      expect(await res.text()).toBe("handled");
    });
  });

  it("answers an unparseable request with 400", async () => {
    const res = await raw("GARBAGE\r\n\r\n");
    expect(res.status).toBe(400);
  });
});
