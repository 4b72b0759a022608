import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../types";
import { PveClient, type PveAuth, type PveClientOptions } from "./client";
import { closedPort, ok, selfSignedCert, startStub, type Stub, type StubHandler } from "./test-stub-server";

const TOKEN: PveAuth = { type: "token", tokenId: "root@pam!hangar", secret: "0b6c1d7e-5c0e-4a7e-9d55-3c9b8a1f2e10" };
const UPID = "UPID:pve1:000934AF:0D015579:68BF3A41:qmclone:9000:root@pam!hangar:";
const UPID_PVE2 = "UPID:pve2:00001234:0D015580:68BF3A50:qmstart:101:root@pam!hangar:";
const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4 };

let stub: Stub | undefined;
let client: PveClient | undefined;

afterEach(async () => {
  client?.close();
  await stub?.close();
  stub = undefined;
  client = undefined;
});

async function setup(handler: StubHandler, options: Partial<PveClientOptions> = {}, tls?: { key: string; cert: string }) {
  stub = await startStub(handler, tls);
  client = new PveClient({ baseUrl: stub.url, auth: TOKEN, retry: FAST_RETRY, ...options });
  return { stub, client };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe("authentication", () => {
  it("sends an API token as PVEAPIToken=USER@REALM!TOKENID=SECRET and no CSRF token", async () => {
    const { stub, client } = await setup(() => ok({ version: "9.1.2", release: "9.1", repoid: "abcdef12" }));
    await expect(client.version()).resolves.toEqual({ version: "9.1.2", release: "9.1", repoid: "abcdef12" });
    await client.start("pve1", 100).catch(() => undefined);
    for (const req of stub.requests) {
      expect(req.headers.authorization).toBe("PVEAPIToken=root@pam!hangar=0b6c1d7e-5c0e-4a7e-9d55-3c9b8a1f2e10");
      expect(req.headers.csrfpreventiontoken).toBeUndefined();
      expect(req.headers.cookie).toBeUndefined();
    }
    expect(stub.requests.map((r) => `${r.method} ${r.rawPath}`)).toEqual(["GET /api2/json/version", "POST /api2/json/nodes/pve1/qemu/100/status/start"]);
  });

  it("logs in for a ticket, sends it as cookie, and the CSRF token only on non-GET requests", async () => {
    const { stub, client } = await setup(
      (req) => {
        if (req.path === "/access/ticket") return ok({ username: "admin@pve", ticket: "PVE:admin@pve:68BF3A41::c2lnbmF0dXJl+/=", CSRFPreventionToken: "68BF3A41:Y3NyZg" });
        if (req.path === "/cluster/nextid") return ok("100");
        return ok(UPID_PVE2);
      },
      { auth: { type: "ticket", username: "admin", password: "s3cret&=+pw", realm: "pve" } },
    );
    await Promise.all([client.nextId(), client.nextId()]);
    await client.start("pve2", 101);
    const [login, ...rest] = stub.requests;
    expect(login?.method).toBe("POST");
    expect(login?.path).toBe("/access/ticket");
    expect(login?.rawBody).toBe("username=admin%40pve&password=s3cret%26%3D%2Bpw");
    expect(login?.headers.cookie).toBeUndefined();
    expect(login?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(rest).toHaveLength(3); // one login shared by concurrent callers
    for (const req of rest) expect(req.headers.cookie).toBe("PVEAuthCookie=PVE:admin@pve:68BF3A41::c2lnbmF0dXJl+/=");
    expect(rest.filter((r) => r.method === "GET").map((r) => r.headers.csrfpreventiontoken)).toEqual([undefined, undefined]);
    expect(rest.find((r) => r.method === "POST")?.headers.csrfpreventiontoken).toBe("68BF3A41:Y3NyZg");
  });

  it("keeps user@realm as given and renews the ticket before it expires", async () => {
    let clock = 0;
    let logins = 0;
    const { stub, client } = await setup(
      (req) => (req.path === "/access/ticket" ? ok({ username: "root@pam", ticket: `T${++logins}`, CSRFPreventionToken: "C" }) : ok(100)),
      { auth: { type: "ticket", username: "root@pam", password: "pw", realm: "ignored" }, now: () => clock, ticketRenewMs: 60_000 },
    );
    await client.nextId();
    clock = 59_000;
    await client.nextId();
    clock = 61_000;
    await client.nextId();
    expect(stub.requests.filter((r) => r.path === "/access/ticket").map((r) => r.params.username)).toEqual(["root@pam", "root@pam"]);
    expect(stub.requests.filter((r) => r.path !== "/access/ticket").map((r) => r.headers.cookie)).toEqual(["PVEAuthCookie=T1", "PVEAuthCookie=T1", "PVEAuthCookie=T2"]);
  });

  it("logs in again once when a ticket is refused with 401, then gives up", async () => {
    let logins = 0;
    let refuseAll = false;
    const { stub, client } = await setup(
      (req) => {
        if (req.path === "/access/ticket") return ok({ username: "root@pam", ticket: `T${++logins}`, CSRFPreventionToken: "C" });
        if (refuseAll || req.headers.cookie === "PVEAuthCookie=T1") return { status: 401, reason: "invalid PVE ticket" };
        return ok(100);
      },
      { auth: { type: "ticket", username: "root", password: "pw" } },
    );
    await expect(client.nextId()).resolves.toBe(100);
    expect(stub.requests.map((r) => r.path)).toEqual(["/access/ticket", "/cluster/nextid", "/access/ticket", "/cluster/nextid"]);
    expect(stub.requests[0]?.params.username).toBe("root@pam"); // realm defaults to pam

    refuseAll = true;
    stub.requests.length = 0;
    const error = await failure(client.nextId());
    expect(error.kind).toBe("auth");
    expect(error.message).toContain("invalid PVE ticket");
    expect(stub.requests.map((r) => r.path)).toEqual(["/cluster/nextid", "/access/ticket", "/cluster/nextid"]);
  });

  it("reports a refused login (401, empty body, reason in the status line) as auth", async () => {
    const { stub, client } = await setup(() => ({ status: 401, reason: "authentication failure" }), { auth: { type: "ticket", username: "root", password: "bad" } });
    const error = await failure(client.version());
    expect(error.kind).toBe("auth");
    expect(error.message).toMatch(/^authentication failure/);
    expect(error.details.status).toBe(401);
    expect(stub.requests.every((r) => r.path === "/access/ticket")).toBe(true);
    expect(stub.requests.length).toBeLessThanOrEqual(2);
  });
});

describe("request encoding", () => {
  it("PUT config: every value fully percent-encoded, sshkeys encoded twice, numbers plain", async () => {
    const { stub, client } = await setup(() => ok(null));
    await expect(
      client.updateConfig("pve1", 123, { cores: 2, memory: 2048, ipconfig0: "ip=dhcp", sshkeys: "ssh-ed25519 AAAA+x", ciuser: "ubuntu", tags: ["web", "prod"] }),
    ).resolves.toBeNull();
    const req = stub.requests[0];
    expect(req?.method).toBe("PUT");
    expect(req?.rawPath).toBe("/api2/json/nodes/pve1/qemu/123/config");
    expect(req?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req?.rawQuery).toBe("");
    expect(req?.rawBody).toBe("cores=2&memory=2048&ipconfig0=ip%3Ddhcp&sshkeys=ssh-ed25519%2520AAAA%252Bx&ciuser=ubuntu&tags=web%3Bprod");
    // What PVE reads: the form layer leaves the keys still URL-encoded once; its own decoding restores `+`.
    expect(req?.params.ipconfig0).toBe("ip=dhcp");
    expect(req?.params.sshkeys).toBe("ssh-ed25519%20AAAA%2Bx");
    expect(decodeURIComponent(req?.params.sshkeys ?? "")).toBe("ssh-ed25519 AAAA+x");
  });

  it("multi-line sshkeys stay one urlencoded value", async () => {
    const { stub, client } = await setup(() => ok(UPID));
    await client.updateConfigAsync("pve1", 123, { sshkeys: "ssh-ed25519 AAAA a@b\nssh-rsa BBBB/+= c@d" });
    expect(stub.requests[0]?.method).toBe("POST");
    expect(stub.requests[0]?.params.sshkeys).toBe("ssh-ed25519%20AAAA%20a%40b%0Assh-rsa%20BBBB%2F%2B%3D%20c%40d");
  });

  it("clone: full=1 with storage; a linked clone never carries storage or format", async () => {
    const { stub, client } = await setup(() => ok(UPID));
    await expect(client.clone("pve1", 9000, { newid: 123, name: "web-1", full: true, storage: "local-lvm", format: "raw", description: "a b+c" })).resolves.toBe(UPID);
    await client.clone("pve1", 9000, { newid: 124, name: "web-2", full: false, storage: "local-lvm", format: "qcow2" });
    expect(stub.requests[0]?.rawBody).toBe("newid=123&name=web-1&full=1&storage=local-lvm&format=raw&description=a+b%2Bc");
    expect(stub.requests[0]?.params.description).toBe("a b+c");
    expect(stub.requests[1]?.rawBody).toBe("newid=124&name=web-2&full=0");
    expect(stub.requests[1]?.rawPath).toBe("/api2/json/nodes/pve1/qemu/9000/clone");
  });

  it("resize: `+10G` arrives as %2B10G; PVE 7 answers null, PVE 8/9 a UPID", async () => {
    const answers = [null, "UPID:pve1:00001111:0D015579:68BF3A41:resize:123:root@pam!hangar:"];
    const { stub, client } = await setup(() => ok(answers.shift()));
    await expect(client.resize("pve1", 123, "scsi0", "+10G")).resolves.toBeNull();
    await expect(client.resize("pve1", 123, "scsi0", "32G")).resolves.toMatch(/^UPID:pve1:.*:resize:123:/);
    expect(stub.requests[0]?.method).toBe("PUT");
    expect(stub.requests[0]?.rawBody).toBe("disk=scsi0&size=%2B10G");
    expect(stub.requests[0]?.params.size).toBe("+10G");
  });

  it("power actions POST without any body or content type; destroy sends purge flags in the query", async () => {
    const { stub, client } = await setup(() => ok(UPID));
    await client.shutdown("pve1", 123);
    await client.shutdown("pve1", 123, { timeout: 60, forceStop: true });
    await client.destroy("pve1", 123);
    const [plain, withOptions, destroy] = stub.requests;
    expect(plain?.rawBody).toBe("");
    expect(plain?.headers["content-type"]).toBeUndefined();
    expect(plain?.headers["content-length"]).toBe("0");
    expect(withOptions?.rawBody).toBe("timeout=60&forceStop=1");
    expect(destroy?.method).toBe("DELETE");
    expect(destroy?.rawPath).toBe("/api2/json/nodes/pve1/qemu/123");
    expect(destroy?.rawQuery).toBe("purge=1&destroy-unreferenced-disks=1");
    expect(destroy?.rawBody).toBe("");
  });

  it("GET parameters go into the query string", async () => {
    const { stub, client } = await setup(() => ok([{ n: 1, t: "line" }]));
    await client.taskLog(UPID, 5, 20);
    expect(stub.requests[0]?.rawQuery).toBe("start=5&limit=20");
    expect(stub.requests[0]?.rawBody).toBe("");
  });

  it("reports each request to onRequest as PVE decodes it", async () => {
    const seen: unknown[] = [];
    const { client } = await setup(() => ok(null), { onRequest: (info) => seen.push(info) });
    await client.updateConfig("pve1", 123, { ipconfig0: "ip=dhcp", delete: ["ide2", "net1"] });
    expect(seen).toEqual([{ method: "PUT", path: "/nodes/pve1/qemu/123/config", params: { ipconfig0: "ip=dhcp", delete: "ide2,net1" } }]);
  });

  it("refuses node names and VMIDs that would change the request path", async () => {
    const { stub, client } = await setup(() => ok(null));
    await expect(client.vmConfig("pve1/../x", 100)).rejects.toMatchObject({ kind: "parameter" });
    await expect(client.vmConfig("pve1", -1)).rejects.toMatchObject({ kind: "parameter" });
    expect(stub.requests).toHaveLength(0);
  });
});

describe("error mapping and retries", () => {
  it("400: a typed parameter error with PVE's words per parameter", async () => {
    const { stub, client } = await setup(() => ({
      status: 400,
      reason: "Parameter verification failed.",
      json: { data: null, errors: { name: "invalid format - value does not look like a valid DNS name\n", newid: "value must have a minimum value of 100\n" } },
    }));
    const error = await failure(client.clone("pve1", 9000, { newid: 5, name: "bad_name", full: true }));
    expect(error.kind).toBe("parameter");
    expect(error.details.status).toBe(400);
    expect(error.details.errors).toEqual({ name: "invalid format - value does not look like a valid DNS name", newid: "value must have a minimum value of 100" });
    expect(error.message).toBe("Parameter verification failed: name: invalid format - value does not look like a valid DNS name; newid: value must have a minimum value of 100");
    expect(stub.requests).toHaveLength(1);
  });

  it("`500 VM is locked (clone)` without a body message is `locked`, retried, then succeeds", async () => {
    let calls = 0;
    const { stub, client } = await setup(() => (++calls === 1 ? { status: 500, reason: "VM is locked (clone)" } : ok(null)));
    await expect(client.updateConfig("pve1", 123, { cores: 4 })).resolves.toBeNull();
    expect(stub.requests).toHaveLength(2);
  });

  it("a lock that outlasts the attempts surfaces as `locked` with the reason phrase", async () => {
    const { stub, client } = await setup(() => ({ status: 500, reason: "VM is locked (clone)" }));
    const error = await failure(client.start("pve1", 123));
    expect(error.kind).toBe("locked");
    expect(error.message).toBe("VM is locked (clone)");
    expect(error.retryable).toBe(true);
    expect(stub.requests).toHaveLength(FAST_RETRY.attempts);
  });

  it("503 is retried, even for a POST", async () => {
    let calls = 0;
    const { stub, client } = await setup(() => (++calls < 3 ? { status: 503, reason: "Service Unavailable" } : ok(UPID)));
    await expect(client.start("pve1", 123)).resolves.toBe(UPID);
    expect(stub.requests).toHaveLength(3);
  });

  it("595 (pveproxy could not connect to the node) is retried for a POST", async () => {
    let calls = 0;
    const { stub, client } = await setup(() => (++calls < 2 ? { status: 595, reason: "Errors during connection establishment, proxy handshake" } : ok(UPID)));
    await expect(client.start("pve1", 123)).resolves.toBe(UPID);
    expect(stub.requests).toHaveLength(2);
  });

  it("502 is retried for GET but not for a POST that may have been forwarded", async () => {
    const { stub, client } = await setup(() => ({ status: 502, reason: "Bad Gateway" }));
    expect((await failure(client.nodes())).kind).toBe("unavailable");
    expect(stub.requests).toHaveLength(3);
    stub.requests.length = 0;
    expect((await failure(client.start("pve1", 123))).kind).toBe("unavailable");
    expect(stub.requests).toHaveLength(1);
  });

  it("prefers the body `message`, and maps conflict / not_found / server", async () => {
    const replies = [
      { status: 500, reason: "unable to create VM 123", json: { data: null, message: "unable to create VM 123: config file already exists\n" } },
      { status: 500, reason: "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist" },
      { status: 500, reason: "storage 'nfs' is not online" },
    ];
    const { client } = await setup(() => replies.shift() ?? ok(null));
    const conflict = await failure(client.clone("pve1", 9000, { newid: 123, full: true }));
    expect([conflict.kind, conflict.message]).toEqual(["conflict", "unable to create VM 123: config file already exists"]);
    const missing = await failure(client.vmConfig("pve1", 999));
    expect([missing.kind, missing.message]).toEqual(["not_found", "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist"]);
    const other = await failure(client.start("pve1", 123));
    expect([other.kind, other.message]).toEqual(["server", "storage 'nfs' is not online"]);
  });

  it("connection refused is `network` and retried (the request never left)", async () => {
    const port = await closedPort();
    const sent: string[] = [];
    client = new PveClient({ baseUrl: `http://127.0.0.1:${port}`, auth: TOKEN, retry: FAST_RETRY, onRequest: (r) => sent.push(r.path) });
    const error = await failure(client.clone("pve1", 9000, { newid: 123, full: true }));
    expect(error.kind).toBe("network");
    expect(error.message).toContain("ECONNREFUSED");
    expect(sent).toHaveLength(FAST_RETRY.attempts); // even a clone: it cannot have been processed
  });

  it("a connection dropped after sending is retried for GET but not for a clone", async () => {
    const { stub, client } = await setup(() => ({ hangUp: true }));
    expect((await failure(client.nodes())).kind).toBe("network");
    expect(stub.requests).toHaveLength(3);
    stub.requests.length = 0;
    expect((await failure(client.clone("pve1", 9000, { newid: 123, full: true }))).kind).toBe("network");
    expect(stub.requests).toHaveLength(1);
  });

  it("reuses one connection for a burst of calls, and never repeats a clone dropped on a reused connection", async () => {
    let drop = false;
    const { stub, client } = await setup((req) => (drop && req.method === "POST" ? { hangUp: true } : ok({ version: "8.4.5", release: "8.4", repoid: "abcdef12" })));
    for (let i = 0; i < 5; i++) await client.version();
    expect(stub.connections()).toBe(1);
    drop = true;
    stub.requests.length = 0;
    expect((await failure(client.clone("pve1", 9000, { newid: 123, full: true }))).kind).toBe("network");
    expect(stub.requests).toHaveLength(1);
  });

  it("a request that outlives its timeout fails as `network`", async () => {
    const { client } = await setup(() => ({ ...ok([]), delayMs: 300 }), { timeoutMs: 50, retry: { attempts: 1 } });
    const error = await failure(client.nodes());
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(/timed out after 50 ms/);
  });
});

describe("typed results", () => {
  it("nextid: accepts a string or a number", async () => {
    const answers: unknown[] = ["104", 105, "abc"];
    const { client } = await setup(() => ok(answers.shift()));
    await expect(client.nextId()).resolves.toBe(104);
    await expect(client.nextId()).resolves.toBe(105);
    await expect(client.nextId()).rejects.toMatchObject({ kind: "server" });
  });

  it("discovery: nodes, storages, templates with coerced numbers and flags", async () => {
    const { client } = await setup((req) => {
      if (req.path === "/nodes") return ok([{ node: "pve1", status: "online", maxcpu: 16, maxmem: "68719476736" }, { node: "pve2", status: "offline" }]);
      if (req.path === "/nodes/pve1/storage") return ok([{ storage: "local-lvm", type: "lvmthin", content: "images,rootdir", shared: 0, avail: 1000, enabled: 1, active: 1 }]);
      return ok([
        { id: "qemu/9000", type: "qemu", node: "pve1", vmid: 9000, name: "ubuntu-24", template: 1, maxcpu: 2, maxmem: 2147483648, maxdisk: 10737418240 },
        { id: "qemu/100", type: "qemu", node: "pve1", vmid: "100", name: "vm", template: 0 },
        { id: "lxc/9100", type: "lxc", node: "pve1", vmid: 9100, template: 1 },
      ]);
    });
    expect(await client.nodes()).toEqual([
      { name: "pve1", online: true, cpus: 16, memoryBytes: 68719476736 },
      { name: "pve2", online: false, cpus: undefined, memoryBytes: undefined },
    ]);
    expect(await client.storages("pve1")).toEqual([
      { node: "pve1", storage: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], shared: false, availableBytes: 1000, enabled: true, active: true, totalBytes: undefined, usedBytes: undefined },
    ]);
    expect(await client.templates()).toEqual([{ node: "pve1", vmid: 9000, name: "ubuntu-24", cpuCores: 2, memoryMb: 2048, diskGb: 10 }]);
  });

  it("currentStatus: power state from status + qmpstatus, lock, sizes", async () => {
    const answers = [
      { status: "running", qmpstatus: "paused", lock: "backup", cpus: 2, maxmem: 4294967296, maxdisk: 34359738368, uptime: 42, vmid: 123 },
      { status: "stopped", qmpstatus: "stopped", vmid: 123 },
    ];
    const { client } = await setup(() => ok(answers.shift()));
    expect(await client.currentStatus("pve1", 123)).toMatchObject({ state: "paused", status: "running", qmpstatus: "paused", lock: "backup", cpus: 2, memoryMb: 4096, diskGb: 32, uptimeSeconds: 42 });
    expect(await client.currentStatus("pve1", 123)).toMatchObject({ state: "stopped", lock: undefined });
  });

  it("vmExists: true on an answer, false on `does not exist`, other errors propagate", async () => {
    const replies = [ok({ status: "running" }), { status: 500, reason: "Configuration file 'nodes/pve1/qemu-server/124.conf' does not exist" }, { status: 500, reason: "cluster not ready - no quorum?" }];
    const { client } = await setup(() => replies.shift() ?? ok(null));
    await expect(client.vmExists("pve1", 123)).resolves.toBe(true);
    await expect(client.vmExists("pve1", 124)).resolves.toBe(false);
    await expect(client.vmExists("pve1", 125)).rejects.toMatchObject({ kind: "server", message: "cluster not ready - no quorum?" });
  });

  it("agent addresses: loopback and link-local dropped; agent not running is a ProviderError", async () => {
    const replies = [
      ok({
        result: [
          { name: "lo", "ip-addresses": [{ "ip-address": "127.0.0.1", "ip-address-type": "ipv4", prefix: 8 }, { "ip-address": "::1", "ip-address-type": "ipv6", prefix: 128 }] },
          {
            name: "eth0",
            "hardware-address": "bc:24:11:00:00:01",
            "ip-addresses": [
              { "ip-address": "10.0.0.5", "ip-address-type": "ipv4", prefix: 24 },
              { "ip-address": "169.254.1.1", "ip-address-type": "ipv4", prefix: 16 },
              { "ip-address": "fe80::be24:11ff:fe00:1", "ip-address-type": "ipv6", prefix: 64 },
              { "ip-address": "2001:db8::5", "ip-address-type": "ipv6", prefix: 64 },
            ],
          },
        ],
      }),
      { status: 500, reason: "QEMU guest agent is not running" },
    ];
    const { client } = await setup(() => replies.shift() ?? ok(null));
    expect(await client.agentNetworkInterfaces("pve1", 123)).toEqual([
      { interface: "eth0", family: "ipv4", address: "10.0.0.5", prefix: 24, mac: "bc:24:11:00:00:01" },
      { interface: "eth0", family: "ipv6", address: "2001:db8::5", prefix: 64, mac: "bc:24:11:00:00:01" },
    ]);
    await expect(client.agentNetworkInterfaces("pve1", 123)).rejects.toMatchObject({ kind: "server", message: "QEMU guest agent is not running" });
  });
});

describe("tasks", () => {
  it("polls a task on the node inside its UPID, not the VM's node", async () => {
    const { stub, client } = await setup((req) => (req.path.endsWith("/status") ? ok({ status: "stopped", exitstatus: "OK", upid: UPID_PVE2, node: "pve2" }) : ok([])));
    await client.waitForTask(UPID_PVE2, { pollMs: 1 });
    expect(stub.requests[0]?.path).toBe(`/nodes/pve2/tasks/${UPID_PVE2}/status`);
    expect(stub.requests[0]?.rawPath).toBe("/api2/json/nodes/pve2/tasks/UPID%3Apve2%3A00001234%3A0D015580%3A68BF3A50%3Aqmstart%3A101%3Aroot%40pam!hangar%3A/status");
  });

  it("waitForTask streams new log lines once each and treats `WARNINGS: N` as success", async () => {
    const log = [
      { n: 1, t: "create full clone of drive scsi0 (local-lvm:base-9000-disk-0)" },
      { n: 2, t: "transferred 1.0 GiB of 10.0 GiB (10.00%)" },
      { n: 3, t: "WARN: something odd" },
      { n: 4, t: "TASK WARNINGS: 1" },
    ];
    let polls = 0;
    const { stub, client } = await setup((req) => {
      if (req.path.endsWith("/status")) return ok(++polls < 3 ? { status: "running" } : { status: "stopped", exitstatus: "WARNINGS: 1" });
      const visible = polls === 1 ? 0 : polls === 2 ? 2 : 4;
      const start = Number(req.params.start);
      return ok(visible === 0 ? [{ n: 1, t: "no content" }] : log.slice(start, visible));
    });
    const batches: string[][] = [];
    const status = await client.waitForTask(UPID, { pollMs: 1, onLog: (lines) => void batches.push(lines.map((l) => l.t)) });
    expect(status).toMatchObject({ status: "stopped", exitstatus: "WARNINGS: 1", node: "pve1", type: "qmclone", id: "9000" });
    expect(batches).toEqual([log.slice(0, 2).map((l) => l.t), log.slice(2).map((l) => l.t)]);
    expect(stub.requests.filter((r) => r.path.endsWith("/log")).map((r) => r.params.start)).toEqual(["0", "0", "2"]);
  });

  it("an error exit status is `task_failed` carrying the exit text", async () => {
    const { client } = await setup((req) => (req.path.endsWith("/status") ? ok({ status: "stopped", exitstatus: "shrinking disks is not supported" }) : ok([])));
    const error = await failure(client.waitForTask(UPID, { pollMs: 1 }));
    expect(error.kind).toBe("task_failed");
    expect(error.message).toBe("shrinking disks is not supported");
    expect(error.details.providerTaskId).toBe(UPID);
  });

  it("gives up on a task still running after timeoutMs", async () => {
    const { client } = await setup(() => ok({ status: "running" }));
    await expect(client.waitForTask(UPID, { pollMs: 5, timeoutMs: 20 })).rejects.toMatchObject({ kind: "server", message: expect.stringContaining("still running") });
  });
});

describe("TLS", () => {
  let cert: ReturnType<typeof selfSignedCert>;
  beforeAll(() => {
    cert = selfSignedCert();
  });

  const versionHandler: StubHandler = () => ok({ version: "8.4.5", release: "8.4", repoid: "abcdef12" });

  it("a pinned fingerprint accepts exactly that certificate (any case, with colons)", async () => {
    const { stub, client } = await setup(versionHandler, { tls: { verify: true, fingerprint: cert.fingerprint256.toLowerCase() } }, cert);
    await expect(client.version()).resolves.toMatchObject({ version: "8.4.5" });
    expect(stub.url.startsWith("https://")).toBe(true);
  });

  it("a wrong fingerprint is rejected as `tls` before any request reaches the server", async () => {
    const wrong = cert.fingerprint256.replace(/^../, cert.fingerprint256.startsWith("00") ? "11" : "00");
    const { stub, client } = await setup(versionHandler, { tls: { verify: false, fingerprint: wrong } }, cert);
    const error = await failure(client.version());
    expect(error.kind).toBe("tls");
    expect(error.message).toContain("fingerprint");
    expect(stub.requests).toHaveLength(0);
  });

  it("a malformed fingerprint fails every request instead of disabling verification", async () => {
    const { stub, client } = await setup(versionHandler, { tls: { verify: false, fingerprint: "not-a-fingerprint" } }, cert);
    expect((await failure(client.version())).kind).toBe("tls");
    expect(stub.requests).toHaveLength(0);
  });

  it("keeps a pinned connection alive: many calls, one TLS handshake, every one checked once", async () => {
    const { stub, client } = await setup(versionHandler, { tls: { verify: true, fingerprint: cert.fingerprint256 } }, cert);
    for (let i = 0; i < 5; i++) await expect(client.version()).resolves.toMatchObject({ version: "8.4.5" });
    expect(stub.requests).toHaveLength(5);
    expect(stub.connections()).toBe(1);
  });

  it("verify=true rejects a self-signed certificate; verify=false or its CA accepts it", async () => {
    const { stub } = await setup(versionHandler, {}, cert);
    const strict = new PveClient({ baseUrl: stub.url, auth: TOKEN, tls: { verify: true }, retry: FAST_RETRY });
    const lax = new PveClient({ baseUrl: stub.url, auth: TOKEN, tls: { verify: false }, retry: FAST_RETRY });
    const pinnedCa = new PveClient({ baseUrl: stub.url, auth: TOKEN, tls: { verify: true, ca: cert.cert }, retry: FAST_RETRY });
    try {
      expect((await failure(strict.version())).kind).toBe("tls");
      await expect(lax.version()).resolves.toMatchObject({ version: "8.4.5" });
      await expect(pinnedCa.version()).resolves.toMatchObject({ version: "8.4.5" });
      expect(stub.requests).toHaveLength(2);
    } finally {
      for (const c of [strict, lax, pinnedCa]) c.close();
    }
  });
});
