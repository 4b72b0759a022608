import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { NovaClient, jwtExpiry } from "./client";
import { NovaError } from "./errors";
import { selfSignedCert } from "./test-helpers";

type Seen = { method: string; path: string; headers: http.IncomingHttpHeaders; body: unknown; raw: string };
type Reply = { status?: number; body?: unknown; headers?: Record<string, string> };
type Handler = (req: Seen) => Reply | Promise<Reply>;

async function stub(handler: Handler, tls?: { key: string; cert: string }) {
  const seen: Seen[] = [];
  let connections = 0;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const s: Seen = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: raw ? JSON.parse(raw) : undefined, raw };
        seen.push(s);
        const out = await handler(s);
        const payload = out.body === undefined ? "" : JSON.stringify(out.body);
        res.writeHead(out.status ?? 200, { "Content-Type": "application/json", ...out.headers });
        res.end(payload);
      })();
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const VM = { id: "3c90c3cc-0d44-4b50-8888-8dd25736052a", status: "creating", vmid: 101, gpu_type: "4090", gpu_count: 2 };
const validCreate = { node: "vm01", gpu_type: "4090", gpu_count: 2, storage_gb: 100, template_vmid: 102, rental_type: "on_demand" as const, auth_method: "ssh_key" as const, ssh_key_id: "k1" };

function fakeJwt(expSeconds: number, tag = "a"): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${enc({ alg: "HS256" })}.${enc({ exp: expSeconds, tag })}.sig`;
}

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function withStub(handler: Handler, tls?: { key: string; cert: string }) {
  const s = await stub(handler, tls);
  closers.push(s.close);
  return s;
}
function client(url: string, extra: Partial<ConstructorParameters<typeof NovaClient>[0]> = {}) {
  const c = new NovaClient({ baseUrl: url, auth: { type: "api_key", apiKey: "nv_test_123" }, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...extra });
  closers.push(async () => c.close());
  return c;
}

describe("request shapes", () => {
  it("POST /vms sends exactly the documented fields as JSON, with the API key as Bearer", async () => {
    const s = await withStub(() => ({ status: 201, body: VM }));
    const vm = await client(s.url).createVm({ ...validCreate, rental_type: "reserved", reservation_months: 3 });
    expect(vm.id).toBe(VM.id);
    const req = s.seen[0];
    expect(req?.method).toBe("POST");
    expect(req?.path).toBe("/vms");
    expect(req?.headers.authorization).toBe("Bearer nv_test_123");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.body).toEqual({ node: "vm01", gpu_type: "4090", gpu_count: 2, storage_gb: 100, template_vmid: 102, rental_type: "reserved", reservation_months: 3, auth_method: "ssh_key", ssh_key_id: "k1" });
    expect(req?.raw).toContain('"gpu_count":2');
  });

  it("fills the documented defaults and sends a password for password auth", async () => {
    const s = await withStub(() => ({ status: 200, body: VM }));
    await client(s.url).createVm({ node: "vm02", gpu_type: "6000pro", gpu_count: 1, storage_gb: 50, template_vmid: 100, auth_method: "password", password: "correct-horse-battery" });
    expect(s.seen[0]?.body).toEqual({ node: "vm02", gpu_type: "6000pro", gpu_count: 1, storage_gb: 50, template_vmid: 100, rental_type: "on_demand", auth_method: "password", password: "correct-horse-battery" });
  });

  it("checks every documented rule before sending anything", async () => {
    const s = await withStub(() => ({ status: 201, body: VM }));
    const c = client(s.url);
    const problems = async (input: Record<string, unknown>) => {
      try {
        await c.createVm({ ...validCreate, ...input } as never);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(NovaError);
        expect((error as NovaError).novaKind).toBe("validation");
        return (error as NovaError).details.errors;
      }
    };
    expect(await problems({ gpu_count: 3 })).toEqual({ gpu_count: "gpu_count must be one of 1, 2, 4, 8" });
    expect(await problems({ storage_gb: 49 })).toEqual({ storage_gb: "storage_gb must be at least 50" });
    expect(await problems({ rental_type: "reserved" })).toEqual({ reservation_months: "reservation_months (1, 3 or 6) is required for a reserved rental" });
    expect(await problems({ rental_type: "reserved", reservation_months: 12 })).toEqual({ reservation_months: "reservation_months must be one of 1, 3, 6" });
    expect(await problems({ reservation_months: 1 })).toEqual({ reservation_months: "reservation_months applies only to a reserved rental" });
    expect(await problems({ auth_method: "password", ssh_key_id: undefined })).toEqual({ password: "password is required when auth_method is password" });
    expect(await problems({ auth_method: "password", ssh_key_id: undefined, password: "short" })).toEqual({ password: "password must be at least 12 characters" });
    expect(await problems({ rental_type: "spot" })).toEqual({ rental_type: "rental_type must be one of on_demand, reserved, interruptible" });
    expect(await problems({ node: "" })).toEqual({ node: "node is required (e.g. vm01)" });
    expect(await problems({ template_vmid: 1.5 })).toEqual({ template_vmid: "template_vmid must be a whole number" });
    expect(await problems({ auto_restart: true })).toBeDefined();
    expect(s.seen).toHaveLength(0);
  });

  it("asks /search and /pricing without credentials and reuses one connection (keep-alive)", async () => {
    const s = await withStub((req) => (req.path === "/search" ? { body: [{ gpu_type: "4090", available: 2 }] } : { body: { gpus: { "4090": 0.55 } } }));
    const c = client(s.url);
    expect((await c.search())[0]?.availableCount).toBe(2);
    expect((await c.pricing()).gpus).toEqual({ "4090": "0.55" });
    expect(s.seen.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
    expect(s.connections()).toBe(1);
  });

  it("sends a request that must not be repeated on a fresh connection", async () => {
    const s = await withStub((req) => (req.method === "GET" ? { body: VM } : { status: 201, body: VM }));
    const c = client(s.url);
    await c.getVm(VM.id);
    await c.getVm(VM.id);
    expect(s.connections()).toBe(1);
    await c.createVm(validCreate);
    await c.createVm(validCreate);
    expect(s.connections()).toBe(3);
  });

  it("sends the documented reservation calculation body", async () => {
    const s = await withStub(() => ({ body: { discount_percent: 10, deposit_required: 1, monthly_cost: 1, hourly_rate_after_discount: 1, cancellation_fee_25_percent: 1 } }));
    await client(s.url).calculateReservation({ gpuType: "5090", gpuCount: 4, storageGb: 200, reservationMonths: 6 });
    expect(s.seen[0]).toMatchObject({ method: "POST", path: "/reservations/calculate", body: { gpu_type: "5090", gpu_count: 4, storage_gb: 200, reservation_months: 6 } });
  });

  it("reports each request without its secrets", async () => {
    const s = await withStub(() => ({ status: 201, body: VM }));
    const seen: unknown[] = [];
    await client(s.url, { onRequest: (info) => seen.push(info) }).createVm({ ...validCreate, auth_method: "password", ssh_key_id: undefined, password: "correct-horse-battery" });
    expect(seen).toEqual([{ method: "POST", path: "/vms", query: undefined, body: expect.objectContaining({ password: "***", node: "vm01" }), authenticated: true }]);
    expect(JSON.stringify(seen)).not.toContain("correct-horse");
  });

  it("refuses ids that would change the path", async () => {
    const s = await withStub(() => ({ body: VM }));
    await expect(client(s.url).getVm("../billing/balance")).rejects.toMatchObject({ novaKind: "validation" });
    expect(s.seen).toHaveLength(0);
  });

  it("treats 404 on delete as already gone", async () => {
    const s = await withStub(() => ({ status: 404, body: { detail: "VM not found" } }));
    expect(await client(s.url).deleteVm(VM.id)).toBe(false);
    expect(s.seen[0]).toMatchObject({ method: "DELETE", path: `/vms/${VM.id}` });
  });
});

describe("JWT auth", () => {
  it("logs in once, reuses the token, refreshes it near expiry", async () => {
    let now = 1_000_000_000_000;
    let issued = 0;
    const s = await withStub((req) => {
      if (req.path === "/auth/login") return { body: { access_token: fakeJwt(now / 1000 + 3600, `login${++issued}`), refresh_token: "r1", token_type: "bearer" } };
      if (req.path === "/auth/refresh") return { body: { access_token: fakeJwt(now / 1000 + 3600, `refresh${++issued}`), refresh_token: "r2" } };
      return { body: { balance: 12.5, currency: "USD" } };
    });
    const c = client(s.url, { auth: { type: "login", email: "a@b.c", password: "pw-123456789" }, now: () => now });
    await c.balance();
    await c.balance();
    expect(s.seen.map((r) => r.path)).toEqual(["/auth/login", "/billing/balance", "/billing/balance"]);
    expect(s.seen[0]?.body).toEqual({ email: "a@b.c", password: "pw-123456789" });
    expect(s.seen[1]?.headers.authorization).toMatch(/^Bearer ey/);
    now += 3600_000 - 30_000; // inside the renewal margin
    await c.balance();
    expect(s.seen.slice(3).map((r) => r.path)).toEqual(["/auth/refresh", "/billing/balance"]);
    expect(s.seen[3]?.body).toEqual({ refresh_token: "r1" });
    expect(s.seen[4]?.headers.authorization).not.toBe(s.seen[1]?.headers.authorization);
  });

  it("renews once on a 401 and replays the request", async () => {
    let calls = 0;
    const s = await withStub((req) => {
      if (req.path === "/auth/login") return { body: { access_token: fakeJwt(Date.now() / 1000 + 3600), refresh_token: "r1" } };
      if (req.path === "/auth/refresh") return { body: { access_token: fakeJwt(Date.now() / 1000 + 3600, "fresh") } };
      calls++;
      return calls === 1 ? { status: 401, body: { detail: "Token has expired" } } : { body: VM };
    });
    const c = client(s.url, { auth: { type: "login", email: "a@b.c", password: "x" } });
    expect((await c.getVm(VM.id)).id).toBe(VM.id);
    expect(s.seen.map((r) => r.path)).toEqual(["/auth/login", `/vms/${VM.id}`, "/auth/refresh", `/vms/${VM.id}`]);
  });

  it("logs in again when the refresh token is refused; a wrong password fails clearly", async () => {
    let logins = 0;
    const s = await withStub((req) => {
      if (req.path === "/auth/login") return ++logins <= 2 ? { body: { access_token: "opaque-token", refresh_token: "r" } } : { status: 401, body: { detail: "Incorrect email or password" } };
      if (req.path === "/auth/refresh") return { status: 401, body: { detail: "Invalid or expired refresh token" } };
      return req.headers.authorization === "Bearer opaque-token" && logins === 1 ? { status: 401, body: { detail: "expired" } } : { body: VM };
    });
    const c = client(s.url, { auth: { type: "login", email: "a@b.c", password: "x" } });
    await c.getVm(VM.id);
    expect(s.seen.map((r) => r.path)).toEqual(["/auth/login", `/vms/${VM.id}`, "/auth/refresh", "/auth/login", `/vms/${VM.id}`]);
    const c2 = client(s.url, { auth: { type: "login", email: "a@b.c", password: "wrong" } });
    await expect(c2.getVm(VM.id)).rejects.toMatchObject({ novaKind: "auth", message: "Nova Cloud login for a@b.c failed: Incorrect email or password" });
  });

  it("logs in once for concurrent callers", async () => {
    const s = await withStub(async (req) => {
      if (req.path === "/auth/login") {
        await new Promise((r) => setTimeout(r, 30));
        return { body: { access_token: fakeJwt(Date.now() / 1000 + 3600) } };
      }
      return { body: { balance: 1, currency: "USD" } };
    });
    const c = client(s.url, { auth: { type: "login", email: "a@b.c", password: "x" } });
    await Promise.all([c.balance(), c.balance(), c.balance()]);
    expect(s.seen.filter((r) => r.path === "/auth/login")).toHaveLength(1);
  });

  it("reads a JWT's exp claim", () => {
    expect(jwtExpiry(fakeJwt(1700000000))).toBe(1700000000_000);
    expect(jwtExpiry("nv_not_a_jwt")).toBeUndefined();
  });
});

describe("retries", () => {
  it("waits Retry-After on 429, also for POST /vms", async () => {
    let n = 0;
    const s = await withStub(() => (++n === 1 ? { status: 429, body: { detail: "Rate limit exceeded" }, headers: { "Retry-After": "1" } } : { status: 201, body: VM }));
    const started = Date.now();
    await client(s.url).createVm(validCreate);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(s.seen).toHaveLength(2);
  });

  it("fails at once when Retry-After is longer than the client will wait, saying how long", async () => {
    const s = await withStub(() => ({ status: 429, body: { detail: "Rate limit exceeded: 5 per 1 minute" }, headers: { "Retry-After": "120" } }));
    const error = await client(s.url).balance().catch((e: unknown) => e);
    expect(error).toMatchObject({ novaKind: "rate_limited", retryAfterMs: 120_000, message: "Rate limit exceeded: 5 per 1 minute" });
    expect(s.seen).toHaveLength(1);
  });

  it("retries a GET on 503 but never repeats POST /vms", async () => {
    let n = 0;
    const s = await withStub((req) => (req.method === "GET" && ++n > 2 ? { body: VM } : { status: 503, body: { detail: "Service Unavailable" } }));
    const c = client(s.url);
    expect((await c.getVm(VM.id)).id).toBe(VM.id);
    await expect(c.createVm(validCreate)).rejects.toMatchObject({ novaKind: "unavailable", kind: "unavailable" });
    expect(s.seen.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("hands business refusals over verbatim without retrying", async () => {
    const s = await withStub(() => ({ status: 400, body: { detail: "Insufficient balance. Required: $10.00, Available: $5.50" } }));
    await expect(client(s.url).createVm(validCreate)).rejects.toMatchObject({ novaKind: "insufficient_balance", message: "Insufficient balance. Required: $10.00, Available: $5.50" });
    expect(s.seen).toHaveLength(1);
  });

  it("ends a silent call at its deadline", async () => {
    const s = await withStub(() => new Promise<Reply>((r) => setTimeout(() => r({ body: VM }), 2000)));
    const started = Date.now();
    await expect(client(s.url, { timeoutMs: 150, callTimeoutMs: 400 }).getVm(VM.id)).rejects.toMatchObject({ novaKind: "network" });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe("TLS", () => {
  let cert: ReturnType<typeof selfSignedCert>;
  beforeAll(() => {
    cert = selfSignedCert();
  });
  afterAll(() => undefined);

  it("refuses an unknown certificate by default, accepts a CA, a pin, or verify off", async () => {
    const s = await withStub(() => ({ body: { balance: 1, currency: "USD" } }), cert);
    await expect(client(s.url, { tls: { verify: true } }).balance()).rejects.toMatchObject({ novaKind: "tls" });
    expect(s.seen).toHaveLength(0);
    expect((await client(s.url, { tls: { verify: true, ca: cert.cert } }).balance()).balance).toBe("1");
    expect((await client(s.url, { tls: { verify: true, fingerprint: cert.fingerprint256 } }).balance()).balance).toBe("1");
    expect((await client(s.url, { tls: { verify: false } }).balance()).balance).toBe("1");
  });

  it("never sends the key to a server whose certificate does not match the pin", async () => {
    const s = await withStub(() => ({ body: { balance: 1, currency: "USD" } }), cert);
    const wrong = "AA:".repeat(31) + "AA";
    await expect(client(s.url, { tls: { verify: true, fingerprint: wrong } }).balance()).rejects.toMatchObject({ novaKind: "tls", kind: "tls" });
    await expect(client(s.url, { tls: { verify: true, fingerprint: "abc" } }).balance()).rejects.toThrow(/64 hex digits/);
    expect(s.seen).toHaveLength(0);
  });

  it("keeps a pinned connection alive across requests", async () => {
    const s = await withStub(() => ({ body: { balance: 1, currency: "USD" } }), cert);
    const c = client(s.url, { tls: { verify: true, fingerprint: cert.fingerprint256 } });
    await c.balance();
    await c.balance();
    await c.balance();
    expect(s.seen).toHaveLength(3);
    expect(s.connections()).toBe(1);
  });
});
