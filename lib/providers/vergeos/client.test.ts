import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../types";
import { VergeClient, encodeQuery, normalizeBaseUrl, type VergeAuth, type VergeClientOptions } from "./client";
import { errorText, VergeOsError } from "./errors";
import { clusterKey, driveKey, fileKey, machineKey, resourceGroupUuid, tierNumber, vmKey, vnetKey, type MachineKey, type VmKey } from "./types";

/** A scripted HTTP stub: records every request, answers from a queue (default 200 []). */
type Seen = { method: string; path: string; rawQuery: string; query: Record<string, string>; headers: http.IncomingHttpHeaders; body: unknown };
type Reply = { status: number; body?: unknown; raw?: string; headers?: Record<string, string> };

let server: http.Server;
let base = "";
const seen: Seen[] = [];
let replies: ((req: Seen) => Reply | undefined)[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const text = Buffer.concat(chunks).toString("utf8");
      const s: Seen = { method: req.method ?? "", path: url.pathname, rawQuery: url.search.slice(1), query: Object.fromEntries(url.searchParams), headers: req.headers, body: text ? JSON.parse(text) : undefined };
      seen.push(s);
      let reply: Reply | undefined;
      while (replies.length > 0 && reply === undefined) reply = replies.shift()?.(s);
      reply ??= { status: 200, body: [] };
      const out = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
      res.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  seen.length = 0;
  replies = [];
});

const sleeps: number[] = [];
function client(auth: VergeAuth = { type: "apiKey", apiKey: "k-123" }, extra: Partial<VergeClientOptions> = {}) {
  sleeps.length = 0;
  return new VergeClient({ baseUrl: base, auth, retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 }, sleep: async (ms) => void sleeps.push(ms), ...extra });
}
const reply = (r: Reply) => replies.push(() => r);
const created = (table: string, key: number, response?: object): Reply => ({ status: 201, body: { location: `/v4/${table}/${key}`, dbpath: `${table}/${key}`, $row: key, $key: String(key), ...(response ? { response } : {}) } });

describe("VergeClient requests", () => {
  it("creates a VM with RAM in MB, native ints and booleans, cloud-init, and reads both keys", async () => {
    const c = client();
    reply(created("vms", 42, { machine: "54" }));
    const vm = await c.createVm({ name: "web-01", cluster: clusterKey("1"), cpuCores: 4, ramMb: 8192, guestAgent: true, uefi: true, video: "virtio", cloudInit: { datasource: "nocloud", files: [{ name: "user-data", contents: "#cloud-config\n" }] } });
    expect(vm.key).toBe("42");
    expect(vm.machine).toBe("54");
    expect(seen[0]).toMatchObject({ method: "POST", path: "/api/v4/vms" });
    expect(seen[0]?.headers["content-type"]).toBe("application/json");
    expect(seen[0]?.body).toEqual({ name: "web-01", cluster: "1", cpu_cores: 4, ram: 8192, guest_agent: true, uefi: true, video: "virtio", cloudinit_datasource: "nocloud", cloudinit_files: [{ name: "user-data", contents: "#cloud-config\n" }] });
    await c.close();
  });

  it("reads the machine key back from the VM when the create reply has none; $key may be a number", async () => {
    const c = client();
    reply({ status: 201, body: { location: "/v4/vms/36", dbpath: "vms/36", $row: 36, $key: 36 } });
    reply({ status: 200, body: { $key: 36, name: "x", machine: 1054 } });
    const vm = await c.createVm({ name: "x", cpuCores: 1, ramMb: 1024 });
    expect(vm.key).toBe("36");
    expect(vm.machine).toBeUndefined();
    expect(await c.machineOf(vm.key)).toBe("1054");
    expect(seen[1]).toMatchObject({ method: "GET", path: "/api/v4/vms/36", query: { fields: "$key,name,machine" } });
    await c.close();
  });

  it("derives the key from location when $key is missing, and accepts 200 for a create", async () => {
    const c = client();
    reply({ status: 200, body: { location: "/v4/machine_nics/78", dbpath: "machine_nics/78", $row: 78 } });
    const nic = await c.createNic({ machine: machineKey("54"), vnet: vnetKey(3) });
    expect(nic.key).toBe("78");
    expect(seen[0]?.body).toEqual({ machine: "54", vnet: "3" });
    await c.close();
  });

  it("sends drive sizes in bytes, the machine key, the tier as a string, and the media source", async () => {
    const c = client();
    reply(created("machine_drives", 300));
    await c.createDrive({ machine: machineKey(1054), name: "boot", media: "import", interface: "virtio-scsi", sizeBytes: 40 * 1024 ** 3, preferredTier: tierNumber(3), mediaSource: fileKey(7) });
    expect(seen[0]?.body).toEqual({ machine: "1054", name: "boot", media: "import", interface: "virtio-scsi", disksize: 42949672960, preferred_tier: "3", show_pt: true, media_source: "7" });
    reply({ status: 200, raw: "" });
    await c.resizeDrive(driveKey(300), 50 * 1024 ** 3);
    expect(seen[1]).toMatchObject({ method: "PUT", path: "/api/v4/machine_drives/300", body: { disksize: 53687091200 } });
    await expect(c.createDrive({ machine: machineKey(1), media: "disk", interface: "virtio-scsi", sizeBytes: 1.5 })).rejects.toThrow(/positive integer/);
    await c.close();
  });

  it("attaches a GPU by resource group UUID with empty settings_args", async () => {
    const c = client();
    reply(created("machine_devices", 2, { uuid: "934e250b-a13c-bd8f-104d-a31995b06eba" }));
    const dev = await c.createDevice({ machine: machineKey("54"), resourceGroup: resourceGroupUuid("1f67f07e-f653-db95-c475-01b8a2ea0ff1") });
    expect(dev).toMatchObject({ key: "2", uuid: "934e250b-a13c-bd8f-104d-a31995b06eba" });
    expect(seen[0]?.body).toEqual({ machine: "54", resource_group: "1f67f07e-f653-db95-c475-01b8a2ea0ff1", settings_args: {} });
    await c.close();
  });

  it("puts the VM key in vm_actions and the machine key in the status filter", async () => {
    const c = client();
    reply({ status: 201, body: { task: 9 } });
    await c.vmAction(vmKey("42"), "reset", { graceful: true });
    expect(seen[0]).toMatchObject({ method: "POST", path: "/api/v4/vm_actions", body: { vm: "42", action: "reset", params: { graceful: true } } });
    reply({ status: 200, body: [{ $key: 7001, machine: 54, status: "running", running: true, node: "node1" }] });
    const st = await c.machineStatus(machineKey("54"));
    expect(st).toMatchObject({ key: "7001", machine: "54", status: "running", running: true });
    expect(seen[1]?.path).toBe("/api/v4/machine_status");
    expect(seen[1]?.query).toMatchObject({ filter: "machine eq 54", limit: "1" });
    await c.close();
  });

  it("encodes list queries: fields, quoted filter, sort, limit, offset; # as %23 and no '+'", async () => {
    const c = client();
    reply({ status: 200, body: [{ $key: 1, name: "o'brien", machine: 5, is_snapshot: false }, { $key: 2, name: "o'brien", machine: 6, is_snapshot: true }] });
    const vm = await c.findVmByName("o'brien");
    expect(vm?.key).toBe("1");
    expect(seen[0]?.query.filter).toBe("is_snapshot eq false and name eq 'o''brien'");
    expect(seen[0]?.rawQuery).not.toContain("+");
    expect(seen[0]?.rawQuery).toContain("%20");
    expect(encodeQuery({ fields: "machine#status#status as status" })).toBe("fields=machine%23status%23status%20as%20status");
    await c.list("vms", { fields: ["$key", "machine#status#running as running"], sort: "-name", limit: 5, offset: 10 });
    expect(seen[1]?.query).toEqual({ fields: "$key,machine#status#running as running", sort: "-name", limit: "5", offset: "10" });
    await c.close();
  });

  it("reads a lone object as a one-row list and pages listAll", async () => {
    const c = client();
    reply({ status: 200, body: { $key: 1, name: "c1", max_ram_per_vm: 65536, max_cores_per_vm: 16 } });
    expect(await c.clusters()).toEqual([{ key: "1", name: "c1", description: undefined, maxRamPerVmMb: 65536, maxCoresPerVm: 16 }]);
    expect(seen[0]?.query).toMatchObject({ limit: "100", offset: "0" });
    await c.close();
  });

  it("computes free tier space in bytes", async () => {
    const c = client();
    reply({ status: 200, body: [{ $key: 1, tier: 1, capacity: 1000, used: 400 }, { $key: 2, tier: "3", capacity: "5000", used: 6000 }] });
    expect(await c.storageTiers()).toMatchObject([
      { tier: "1", capacityBytes: 1000, usedBytes: 400, freeBytes: 600 },
      { tier: "3", freeBytes: 0 },
    ]);
    await c.close();
  });
});

describe("VergeClient auth", () => {
  it("sends Bearer for API keys and Basic for user + password", async () => {
    const c1 = client({ type: "apiKey", apiKey: "abc" });
    await c1.list("vms");
    expect(seen[0]?.headers.authorization).toBe("Bearer abc");
    const c2 = client({ type: "basic", username: "admin", password: "p:w" });
    await c2.list("vms");
    expect(seen[1]?.headers.authorization).toBe(`Basic ${Buffer.from("admin:p:w").toString("base64")}`);
    expect(seen[1]?.headers["x-yottabyte-token"]).toBeUndefined();
    await c1.close();
    await c2.close();
  });

  it("logs in for a session token, sends x-yottabyte-token, renews once on 401, logs out on close", async () => {
    const c = client({ type: "token", username: "admin", password: "pw" });
    reply({ status: 201, body: { location: "/sys/tokens/aa11", dbpath: "tokens/aa11", $row: 1, $key: "aa11" } });
    reply({ status: 200, body: [] });
    reply({ status: 401, body: { err: "Login required" } });
    reply({ status: 200, body: { $key: "bb22" } }); // 200 is accepted too
    reply({ status: 200, body: [] });
    await c.list("vms");
    await c.list("vnets");
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /api/sys/tokens", "GET /api/v4/vms", "GET /api/v4/vnets", "POST /api/sys/tokens", "GET /api/v4/vnets"]);
    expect(seen[0]?.body).toEqual({ login: "admin", password: "pw" });
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen[1]?.headers["x-yottabyte-token"]).toBe("aa11");
    expect(seen[4]?.headers["x-yottabyte-token"]).toBe("bb22");
    const traced: string[] = [];
    const c2 = client({ type: "token", username: "admin", password: "pw" }, { onRequest: (i) => traced.push(`${i.method} ${i.path} ${JSON.stringify(i.body ?? null)}`) });
    reply({ status: 201, body: { $key: "cc33" } });
    await c2.list("vms");
    await c.close();
    await c2.close();
    expect(seen.slice(5).map((s) => `${s.method} ${s.path}`)).toEqual(["POST /api/sys/tokens", "GET /api/v4/vms", "DELETE /api/sys/tokens/bb22", "DELETE /api/sys/tokens/cc33"]);
    // Traces never hold the password or the token.
    expect(traced).toEqual(["POST /api/sys/tokens null", "GET /vms null", "DELETE /api/sys/tokens/… null"]);
  });

  it("gives up after one re-login (a second 401 is an auth error)", async () => {
    const c = client({ type: "token", username: "admin", password: "pw" });
    reply({ status: 201, body: { $key: "t1" } });
    reply({ status: 401, body: { err: "Login required" } });
    reply({ status: 201, body: { $key: "t2" } });
    reply({ status: 401, body: { err: "Login required" } });
    await expect(c.list("vms")).rejects.toMatchObject({ kind: "auth", details: { status: 401 } });
    await c.close();
  });
});

describe("VergeClient errors and retries", () => {
  it.each([
    [400, "parameter", "parameter"],
    [422, "parameter", "validation"],
    [401, "auth", "auth"],
    [403, "auth", "forbidden"],
    [404, "not_found", "not_found"],
    [409, "conflict", "conflict"],
    [507, "capacity", "storage_full"],
  ])("maps %i to %s (%s) without retrying", async (status, kind, reason) => {
    const c = client();
    reply({ status, body: { err: `boom ${status}` } });
    const error = await c.list("vms").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VergeOsError);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind, reason, details: { status } });
    expect((error as Error).message).toContain(`boom ${status}`);
    expect(seen).toHaveLength(1);
    await c.close();
  });

  it("reads the error text from err, error, message (string or object), then the raw body", () => {
    expect(errorText(422, "", '{"err":"Validation error on field: \'dhcp_start\'"}')).toBe("Validation error on field: 'dhcp_start'");
    expect(errorText(409, "", '{"error":"VM name already exists"}')).toBe("VM name already exists");
    expect(errorText(400, "", '{"message":"bad"}')).toBe("bad");
    expect(errorText(400, "", '{"message":{"message":"nested"}}')).toBe("nested");
    expect(errorText(500, "", "plain text failure")).toBe("plain text failure");
    expect(errorText(502, "Bad Gateway", "<html>nginx</html>")).toBe("HTTP 502 Bad Gateway");
    expect(errorText(500, "", "")).toBe("HTTP 500");
  });

  it("retries GET on 429 and 5xx with growing back-off, honouring Retry-After", async () => {
    const c = client();
    reply({ status: 503, body: { err: "busy" } });
    reply({ status: 429, body: { err: "slow down" }, headers: { "Retry-After": "2" } });
    reply({ status: 500, body: { err: "oops" } });
    reply({ status: 200, body: [{ $key: 3, name: "ext" }] });
    expect(await c.vnets()).toHaveLength(1);
    expect(seen).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[0]).toBeLessThanOrEqual(100);
    expect(sleeps[1]).toBe(2000);
    expect(sleeps[2]).toBeGreaterThanOrEqual(200);
    expect(sleeps[2]).toBeLessThanOrEqual(400);
    await c.close();
  });

  it("gives up after the configured attempts with the last error", async () => {
    const c = client();
    for (let i = 0; i < 4; i++) reply({ status: 502, body: { err: `gateway ${i}` } });
    await expect(c.list("vms")).rejects.toMatchObject({ kind: "unavailable", message: "gateway 3" });
    expect(seen).toHaveLength(4);
    await c.close();
  });

  it("repeats a POST on 429/503 (not processed) but not on 500 (maybe processed)", async () => {
    const c = client();
    reply({ status: 429, body: { err: "rate" } });
    reply({ status: 503, body: { err: "busy" } });
    reply(created("machine_nics", 9));
    expect((await c.createNic({ machine: machineKey(1), vnet: vnetKey(3) })).key).toBe("9");
    expect(seen).toHaveLength(3);
    seen.length = 0;
    reply({ status: 500, body: { err: "internal" } });
    await expect(c.createNic({ machine: machineKey(1), vnet: vnetKey(3) })).rejects.toMatchObject({ kind: "unavailable", message: "internal" });
    expect(seen).toHaveLength(1);
    await c.close();
  });

  it("enforces the per-request deadline", async () => {
    const slow = http.createServer(() => undefined);
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const c2 = new VergeClient({ baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`, auth: { type: "apiKey", apiKey: "x" }, timeoutMs: 100, retry: { attempts: 1 } });
    const started = Date.now();
    await expect(c2.list("vms")).rejects.toMatchObject({ kind: "network", message: expect.stringMatching(/timed out after 100 ms/) });
    expect(Date.now() - started).toBeLessThan(2000);
    await c2.close();
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
  });
});

describe("keys and URLs", () => {
  it("normalises base URLs", () => {
    expect(normalizeBaseUrl("verge.example").href).toBe("https://verge.example/");
    expect(normalizeBaseUrl("https://verge.example/api/v4/").href).toBe("https://verge.example/");
    expect(() => normalizeBaseUrl("ftp://x")).toThrow();
  });

  it("accepts $key as string or number and refuses other values", () => {
    expect(vmKey(42)).toBe("42");
    expect(vmKey("42")).toBe("42");
    for (const bad of ["", " ", -1, 1.5, null, {}, "a/b", "1?x"]) expect(() => vmKey(bad)).toThrow(ProviderError);
  });

  it("makes a VM key where a machine key belongs a type error", () => {
    const vm = vmKey(42);
    const machine = machineKey(54);
    // @ts-expect-error a VM key is not a machine key
    const wrong1: MachineKey = vm;
    // @ts-expect-error a machine key is not a VM key
    const wrong2: VmKey = machine;
    // @ts-expect-error a plain string is not a key
    const wrong3: VmKey = "42";
    expect([wrong1, wrong2, wrong3]).toHaveLength(3);
  });
});
