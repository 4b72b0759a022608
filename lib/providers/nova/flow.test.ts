import http from "node:http";
import type { AddressInfo } from "node:net";
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rentalQuote } from "../../pricing/rental";
import { NovaClient } from "./client";
import { NovaError } from "./errors";
import { createRental, destroyRental, ensureSshKey, recordedFacts, restartRental, startRental, stopRental, waitUntilReady } from "./flow";
import { RESERVATION_RULES_GUESS } from "./protocol-guesses";
import { startNovaSimulator, type NovaSimulator } from "./simulator";
import { newEd25519PublicKey, selfSignedCert } from "./test-helpers";

const API_KEY = "nv_live_flowtest";
const USER = { email: "lab@example.org", password: "a-long-password" };
const FAST = { intervalMs: 10, maxIntervalMs: 20, timeoutMs: 5_000 };

let cert: ReturnType<typeof selfSignedCert>;
let sim: NovaSimulator;
let client: NovaClient;

beforeAll(() => {
  cert = selfSignedCert();
});

async function setup(balance = "100.00") {
  // A still clock: billing moves only with advanceTime, so amounts compare exactly.
  const t0 = Date.parse("2026-11-30T12:00:00Z");
  sim = await startNovaSimulator({ tls: cert, balance, clock: () => t0, apiKeys: [API_KEY], users: [USER], durations: { creatingMs: 30, startingMs: 30, stoppingMs: 20, purgeMs: 50 } });
  client = new NovaClient({ baseUrl: sim.url, auth: { type: "api_key", apiKey: API_KEY }, tls: { verify: true, fingerprint: cert.fingerprint256 }, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
}

afterEach(async () => {
  client?.close();
  await sim?.stop();
});
afterAll(() => undefined);

const base = { node: "vm01", gpu_type: "4090", gpu_count: 2, storage_gb: 100, template_vmid: 102 } as const;

describe("rentals end to end against the simulator (HTTPS, pinned)", () => {
  it("on demand: uploads the key, creates, waits through creating → starting → running with an IP", async () => {
    await setup();
    const offers = await client.search();
    const offer = offers.find((o) => o.node === "vm01" && o.gpuType === "4090");
    expect(offer?.availableCount).toBe(8);
    const seen: string[] = [];
    const { vm, sshKey, sshKeyReused } = await createRental(client, { ...base, rental_type: "on_demand", access: { sshPublicKey: newEd25519PublicKey("alice@lab") } }, { ...FAST, onStatus: (v) => void seen.push(v.status) });
    expect(vm.status).toBe("running");
    expect(vm.ipAddress).toMatch(/^203\.0\.113\./);
    // Polling may miss the short "starting" phase; it never sees anything else, and ends running.
    expect(seen.every((s) => ["creating", "starting", "running"].includes(s))).toBe(true);
    expect(seen[seen.length - 1]).toBe("running");
    expect(sshKeyReused).toBe(false);
    expect(sim.state.vms.get(vm.id)?.ssh_key_id).toBe(sshKey?.id);
    // Hangar records Nova's real size and rates.
    expect(recordedFacts(vm)).toMatchObject({ cpuCores: 12, memoryMb: 64 * 1024, diskGb: 100, gpuType: "4090", gpuCount: 2, hourlyRate: "1.12", gpuHourlyRate: "1.1", storageHourlyRate: "0.02" });
    expect((await client.search()).find((o) => o.node === "vm01" && o.gpuType === "4090")?.availableCount).toBe(6);
    // The balance goes down by the hour while running.
    const before = new Decimal(sim.balance());
    sim.advanceTime(3_600_000);
    expect(before.minus(sim.balance()).toString()).toBe("1.12");
  });

  it("reserved for 3 months: Nova's quote, the deposit taken, the reservation linked", async () => {
    await setup("2000.00");
    const quote = await client.calculateReservation({ gpuType: "4090", gpuCount: 2, storageGb: 100, reservationMonths: 3 });
    expect(quote).toEqual({ discountPercent: "10", depositRequired: "735.84", monthlyCost: "735.84", hourlyRateAfterDiscount: "1.008", cancellationFee: "551.88" });
    const q = rentalQuote({ gpuCount: 2, storageGb: 100, rates: { gpuHourly: "0.55", storageGbHourly: "0.0002" }, choice: { rentalType: "reserved", reservationMonths: 3 }, reservationQuote: quote, rules: RESERVATION_RULES_GUESS });
    expect(q.reserved?.deposit.toString()).toBe("735.84");
    expect(q.commitment.toString()).toBe("2207.52");
    const { vm } = await createRental(client, { ...base, rental_type: "reserved", reservation_months: 3, access: { password: "a-secure-password" } }, FAST);
    expect(vm.rentalType).toBe("reserved");
    expect(vm.reservationId).toBeTruthy();
    expect(vm.hourlyRate).toBe("1.008");
    expect(new Decimal(sim.balance()).lessThanOrEqualTo("1264.16")).toBe(true);
    expect(sim.state.vms.get(vm.id)?.auth_method).toBe("password");
  });

  it("interruptible: interrupted on demand, GPU charges stop, started again when a GPU is free", async () => {
    await setup();
    const { vm } = await createRental(client, { ...base, gpu_count: 1, rental_type: "interruptible", access: { sshPublicKey: newEd25519PublicKey() } }, FAST);
    expect(vm.hourlyRate).toBe("0.24");
    sim.interrupt(vm.id);
    const interrupted = await client.getVm(vm.id);
    expect(interrupted.status).toBe("interrupted");
    const before = new Decimal(sim.balance());
    sim.advanceTime(3_600_000);
    expect(before.minus(sim.balance()).toString()).toBe("0.02"); // storage only
    // No free GPU: starting again is refused in Nova's words.
    sim.setExternalUse("vm01", "4090", 8);
    await expect(startRental(client, vm.id, FAST)).rejects.toMatchObject({ novaKind: "sold_out" });
    sim.setExternalUse("vm01", "4090", 0);
    const again = await startRental(client, vm.id, FAST);
    expect(again.status).toBe("running");
  });

  it("an interruption while waiting ends the wait by name", async () => {
    await setup();
    const created = await client.createVm({ ...base, gpu_count: 1, rental_type: "interruptible", auth_method: "password", password: "a-secure-password" });
    await new Promise((r) => setTimeout(r, 40));
    sim.interrupt(created.id);
    const error = await waitUntilReady(client, created.id, FAST).catch((e: unknown) => e);
    expect(error).toMatchObject({ novaKind: "vm_interrupted", vmId: created.id, vmStatus: "interrupted" });
  });

  it("balance too low: Nova's words reach the caller unchanged, nothing is created", async () => {
    await setup("0.50");
    const error = await createRental(client, { ...base, rental_type: "on_demand", access: { password: "a-secure-password" } }, FAST).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NovaError);
    expect((error as NovaError).novaKind).toBe("insufficient_balance");
    expect((error as NovaError).message).toBe("Insufficient balance. Required: $1.12, Available: $0.50");
    expect(sim.state.vms.size).toBe(0);
  });

  it("GPU sold out: the offer shows none free and the create is refused as sold_out", async () => {
    await setup();
    sim.setExternalUse("vm02", "6000pro", 4);
    const offer = (await client.search()).find((o) => o.node === "vm02" && o.gpuType === "6000pro");
    expect(offer).toMatchObject({ availableCount: 0, available: false });
    await expect(createRental(client, { ...base, node: "vm02", gpu_type: "6000pro", gpu_count: 1, rental_type: "on_demand", access: { password: "a-secure-password" } }, FAST)).rejects.toMatchObject({
      novaKind: "sold_out",
      message: "No available GPUs: 1x 6000pro requested on vm02, 0 free",
    });
  });

  it("a VM that fails or is destroyed while starting ends the create by name", async () => {
    await setup();
    sim.faults.failNextVm("failed");
    const ids: string[] = [];
    const failed = await createRental(client, { ...base, gpu_count: 1, access: { password: "a-secure-password" } }, { ...FAST, onCreated: (v) => void ids.push(v.id) }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ novaKind: "vm_failed", kind: "task_failed", vmId: ids[0] });
    const created = await client.createVm({ ...base, gpu_count: 1, auth_method: "password", password: "a-secure-password" });
    await client.deleteVm(created.id);
    await expect(waitUntilReady(client, created.id, FAST)).rejects.toMatchObject({ novaKind: "vm_destroyed" });
  });
});

describe("a create whose answer is lost is recognised, never repeated", () => {
  it("finds the VM Nova made despite a 504, and goes on with it", async () => {
    await setup();
    sim.faults.failNext({ status: 504, method: "POST", path: "/vms", detail: "Gateway Timeout", afterHandling: true });
    const created: string[] = [];
    const { vm } = await createRental(client, { ...base, gpu_count: 1, access: { password: "a-secure-password" } }, { ...FAST, onCreated: (v) => void created.push(v.id) });
    expect(vm.status).toBe("running");
    expect(created).toEqual([vm.id]);
    expect(sim.requests.filter((r) => r.method === "POST" && r.path === "/vms")).toHaveLength(1);
    expect(sim.state.vms.size).toBe(1);
  });

  it("says to check the account when no new VM can be found", async () => {
    await setup();
    sim.faults.failNext({ status: 502, method: "POST", path: "/vms", detail: "Bad Gateway" });
    const error = await createRental(client, { ...base, gpu_count: 1, access: { password: "a-secure-password" } }, FAST).catch((e: unknown) => e);
    expect(error).toMatchObject({ novaKind: "unavailable" });
    expect((error as Error).message).toBe("Bad Gateway. The create's answer was lost and no new VM was found; check the Nova account before trying again.");
    expect(sim.requests.filter((r) => r.method === "POST" && r.path === "/vms")).toHaveLength(1);
  });
});

describe("SSH keys: at most 5 per account, reused by fingerprint", () => {
  it("reuses the key on a second rental and at the 5-key limit; a sixth key fails clearly", async () => {
    await setup("500.00");
    const mine = newEd25519PublicKey("me@lab");
    const first = await ensureSshKey(client, mine);
    expect(first.reused).toBe(false);
    for (let i = 0; i < 4; i++) await client.uploadSshKey(newEd25519PublicKey(`other${i}`));
    expect(sim.state.sshKeys).toHaveLength(5);
    const uploadsBefore = sim.requests.filter((r) => r.method === "POST" && r.path === "/ssh-keys").length;
    const { vm, sshKey, sshKeyReused } = await createRental(client, { ...base, gpu_count: 1, access: { sshPublicKey: `${mine.split(" ").slice(0, 2).join(" ")} renamed@comment` } }, FAST);
    expect(sshKeyReused).toBe(true);
    expect(sshKey?.id).toBe(first.key.id);
    expect(sim.state.vms.get(vm.id)?.ssh_key_id).toBe(first.key.id);
    expect(sim.requests.filter((r) => r.method === "POST" && r.path === "/ssh-keys").length).toBe(uploadsBefore);
    const error = await ensureSshKey(client, newEd25519PublicKey("sixth")).catch((e: unknown) => e);
    expect(error).toMatchObject({ novaKind: "ssh_key_limit" });
    expect((error as Error).message).toMatch(/already holds 5 SSH keys/);
    expect(sim.state.sshKeys).toHaveLength(5);
  });

  it("finds a key uploaded meanwhile (Nova refuses the duplicate)", async () => {
    await setup();
    const key = newEd25519PublicKey();
    const uploaded = await client.uploadSshKey(key);
    await expect(client.uploadSshKey(key)).rejects.toMatchObject({ novaKind: "conflict" });
    expect((await ensureSshKey(client, key)).key.id).toBe(uploaded.id);
  });

  it("checks the key locally first", async () => {
    await setup();
    await expect(ensureSshKey(client, "ssh-dss AAAAB3NzaC1kc3MAAACBAP")).rejects.toMatchObject({ novaKind: "validation" });
    expect(sim.requests).toHaveLength(0);
  });
});

describe("lifecycle, auth and faults against the simulator", () => {
  it("stop ends GPU charges, start and restart run it again, destroy ends everything", async () => {
    await setup();
    const { vm } = await createRental(client, { ...base, gpu_count: 1, access: { password: "a-secure-password" } }, FAST);
    expect((await stopRental(client, vm.id, FAST)).status).toBe("stopped");
    const before = new Decimal(sim.balance());
    sim.advanceTime(3_600_000);
    expect(before.minus(sim.balance()).toString()).toBe("0.02");
    expect((await startRental(client, vm.id, FAST)).status).toBe("running");
    expect((await restartRental(client, vm.id, FAST)).status).toBe("running");
    await destroyRental(client, vm.id, FAST);
    expect(await client.findVm(vm.id).then((v) => v?.status ?? "gone")).toMatch(/destroyed|gone/);
    await destroyRental(client, vm.id, FAST); // already gone: fine
    const after = sim.balance();
    sim.advanceTime(3_600_000);
    expect(sim.balance()).toBe(after);
  });

  it("JWT: logs in, renews after expiry and after a revocation", async () => {
    await setup();
    const jwt = new NovaClient({ baseUrl: sim.url, auth: { type: "login", ...USER }, tls: { verify: false }, now: () => sim.now() });
    try {
      await jwt.balance();
      sim.advanceTime(3_600_000); // the hour is over
      await jwt.balance();
      sim.auth.revokeTokens(); // e.g. a logout elsewhere: 401, refresh, replay
      await jwt.balance();
      expect(sim.requests.map((r) => `${r.path}:${r.status}`)).toEqual([
        "/auth/login:200",
        "/billing/balance:200",
        "/auth/refresh:200",
        "/billing/balance:200",
        "/billing/balance:401",
        "/auth/refresh:200",
        "/billing/balance:200",
      ]);
    } finally {
      jwt.close();
    }
  });

  it("the simulator's 422 reaches the caller per field", async () => {
    await setup();
    const error = await client.request("POST", "/vms", { body: { ...base, storage_gb: 10, rental_type: "weekly" } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ novaKind: "validation", details: { status: 422, errors: { storage_gb: "Input should be greater than or equal to 50", rental_type: "Input should be 'on_demand', 'reserved' or 'interruptible'" } } });
  });

  it("login rate limit answers 429 with Retry-After", async () => {
    await setup();
    client.close();
    client = new NovaClient({ baseUrl: sim.url, auth: { type: "api_key", apiKey: API_KEY }, tls: { verify: false }, retry: { maxRetryAfterMs: 1_000 } });
    for (let i = 0; i < 5; i++) await client.request("POST", "/auth/login", { body: { email: USER.email, password: "wrong" }, authenticated: false }).catch(() => undefined);
    const error = await client.request("POST", "/auth/login", { body: { email: USER.email, password: "wrong" }, authenticated: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ novaKind: "rate_limited" });
    expect((error as NovaError).retryAfterMs).toBeGreaterThan(50_000);
  });

  it("injected faults: GETs are retried through 503s and dropped connections while polling", async () => {
    await setup();
    const created = await client.createVm({ ...base, gpu_count: 1, auth_method: "password", password: "a-secure-password" });
    sim.faults.failNext({ status: 503, method: "GET", path: `/vms/${created.id}`, count: 2 });
    sim.faults.dropNext(1);
    const vm = await waitUntilReady(client, created.id, FAST);
    expect(vm.status).toBe("running");
    expect(sim.requests.filter((r) => r.status === 503)).toHaveLength(2);
  });
});

describe("waiting tolerates what Nova reports right after an action", () => {
  it("a start of an interrupted VM waits through the old status instead of failing at once", async () => {
    const statuses = ["interrupted", "interrupted", "interrupted", "starting", "running"];
    let gets = 0;
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      const status = req.method === "GET" ? (statuses[Math.min(gets++, statuses.length - 1)] as string) : "interrupted";
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ id: "vm-1", status, ip_address: status === "running" ? "198.51.100.7" : null }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const c = new NovaClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth: { type: "api_key", apiKey: "nv_x" } });
    try {
      const vm = await startRental(c, "vm-1", FAST);
      expect(vm).toMatchObject({ status: "running", ipAddress: "198.51.100.7" });
      expect(paths.slice(0, 2)).toEqual(["GET /vms/vm-1", "POST /vms/vm-1/start"]);
    } finally {
      c.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("SSH key reuse when the key list is not there (an undocumented endpoint)", () => {
  it("uploads when GET /ssh-keys is refused, and finds nothing to reuse without failing", async () => {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.writeHead(req.method === "GET" ? 405 : 201, { "Content-Type": "application/json" });
      res.end(JSON.stringify(req.method === "GET" ? { detail: "Method Not Allowed" } : { id: "k-9", label: "x", key_type: "ssh-ed25519", fingerprint: "SHA256:x", created_at: "2026-01-01T00:00:00Z" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const c = new NovaClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth: { type: "api_key", apiKey: "nv_x" } });
    try {
      expect(await ensureSshKey(c, newEd25519PublicKey())).toMatchObject({ reused: false, key: { id: "k-9" } });
      expect(paths).toEqual(["GET /ssh-keys", "POST /ssh-keys"]);
    } finally {
      c.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
