import { afterEach, describe, expect, it } from "vitest";
import { demoNovaOptions, NOVA_DEMO_API_KEY, startNovaSimulator, type NovaSimulator } from ".";

let sim: NovaSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function call(method: string, path: string, body?: unknown, token = NOVA_DEMO_API_KEY) {
  const res = await fetch(`${sim?.url}${path}`, { method, headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe("Nova simulator", () => {
  it("demo: the five templates of Nova's docs, a balance, offers and prices without auth", async () => {
    sim = await startNovaSimulator(demoNovaOptions({ durations: { creatingMs: 10, startingMs: 10, stoppingMs: 10, purgeMs: 10 } }));
    expect(sim.state.templates.map((t) => t.vmid)).toEqual([100, 101, 102, 103, 104]);
    expect(sim.state.templates.map((t) => t.name).join(" | ")).toMatch(/Ubuntu 22\.04.*NVIDIA.*Ubuntu 24\.04.*NVIDIA.*Stable Diffusion.*ComfyUI.*Linux Desktop/);
    expect((await call("GET", "/billing/balance")).body).toEqual({ balance: 2500, currency: "USD" });
    const search = await fetch(`${sim.url}/search`).then((r) => r.json() as Promise<Record<string, unknown>[]>);
    expect(search.map((o) => `${String(o.node)}/${String(o.gpu_type)}`).sort()).toEqual(["vm01/4090", "vm01/5090", "vm02/4090", "vm02/6000pro"]);
    const pricing = await fetch(`${sim.url}/pricing`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(pricing.gpus).toEqual({ "5090": 0.89, "4090": 0.55, "6000pro": 1.85 });
  });

  it("refuses without credentials, with FastAPI's words", async () => {
    sim = await startNovaSimulator(demoNovaOptions());
    const r = await call("GET", "/vms", undefined, "nv_wrong");
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: "Invalid API key" });
    expect(r.headers.get("www-authenticate")).toBe("Bearer");
  });

  it("answers malformed bodies with pydantic-style 422 lists", async () => {
    sim = await startNovaSimulator(demoNovaOptions());
    const r = await call("POST", "/vms", { gpu_type: "4090", gpu_count: "two", storage_gb: 50, template_vmid: 100, auth_method: "password", password: "short" });
    expect(r.status).toBe(422);
    expect(r.body?.detail).toEqual([
      expect.objectContaining({ loc: ["body", "node"], msg: "Field required", type: "missing" }),
      expect.objectContaining({ loc: ["body", "gpu_count"], msg: "Input should be a valid integer", type: "int_parsing" }),
      expect.objectContaining({ loc: ["body", "password"], msg: "String should have at least 12 characters", type: "string_too_short" }),
    ]);
  });

  it("control endpoints: interruption, balance, capacity, injected faults with Retry-After", async () => {
    sim = await startNovaSimulator(demoNovaOptions({ durations: { creatingMs: 5, startingMs: 5, stoppingMs: 5, purgeMs: 5 } }));
    const vm = (await call("POST", "/vms", { node: "vm01", gpu_type: "5090", gpu_count: 1, storage_gb: 50, template_vmid: 103, rental_type: "interruptible", auth_method: "password", password: "a-long-password" })).body;
    expect(vm?.status).toBe("creating");
    expect(vm?.auto_restart).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect((await call("GET", `/vms/${String(vm?.id)}`)).body?.status).toBe("running");
    expect((await call("POST", "/__simulator/interrupt", { vm_id: vm?.id })).status).toBe(200);
    expect((await call("GET", `/vms/${String(vm?.id)}`)).body?.status).toBe("interrupted");
    await call("POST", "/__simulator/balance", { balance: "1.00" });
    expect((await call("GET", "/billing/balance")).body?.balance).toBe(1);
    await call("POST", "/__simulator/external-use", { node: "vm01", gpu_type: "5090", count: 8 });
    const refused = await call("POST", `/vms/${String(vm?.id)}/start`);
    expect(refused.status).toBe(400);
    expect(String(refused.body?.detail)).toMatch(/^No available GPUs/);
    await call("POST", "/__simulator/faults", { status: 429, detail: "Too Many Requests", retry_after: 3, path: "/billing/balance" });
    const limited = await call("GET", "/billing/balance");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await call("GET", "/billing/balance")).status).toBe(200);
  });

  it("bills by the clock and, when asked, stops running VMs once the balance is used up", async () => {
    const t0 = Date.parse("2026-11-30T00:00:00Z");
    sim = await startNovaSimulator(demoNovaOptions({ balance: "2.00", clock: () => t0, stopAtZeroBalance: true, durations: { creatingMs: 5, startingMs: 5, stoppingMs: 5, purgeMs: 5 } }));
    const vm = (await call("POST", "/vms", { node: "vm01", gpu_type: "4090", gpu_count: 1, storage_gb: 50, template_vmid: 100, auth_method: "password", password: "a-long-password" })).body;
    await new Promise((r) => setTimeout(r, 60));
    expect((await call("GET", `/vms/${String(vm?.id)}`)).body?.status).toBe("running");
    sim.advanceTime(3_600_000);
    expect(sim.balance()).toBe("1.44"); // 0.55 GPU + 0.01 storage
    sim.advanceTime(3 * 3_600_000);
    expect((await call("GET", `/vms/${String(vm?.id)}`)).body?.status).toBe("stopped");
  });

  it("an on-demand customer's claim interrupts interruptible rentals to make room, and only as many as needed", async () => {
    sim = await startNovaSimulator(demoNovaOptions({ balance: "1000.00", durations: { creatingMs: 5, startingMs: 5, stoppingMs: 5, purgeMs: 5 } }));
    await call("POST", "/ssh-keys", { ssh_public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x" });
    const base = { node: "vm02", gpu_type: "4090", storage_gb: 50, template_vmid: 100 };
    const a = (await call("POST", "/vms", { ...base, gpu_count: 2, rental_type: "interruptible" })).body?.id as string;
    const b = (await call("POST", "/vms", { ...base, gpu_count: 1, rental_type: "interruptible" })).body?.id as string;
    const c = (await call("POST", "/vms", { ...base, gpu_count: 1 })).body?.id as string;
    await new Promise((r) => setTimeout(r, 50));
    // vm02 has 4 GPUs of 4090, all rented: a claim of 1 interrupts the newest interruptible rental only.
    expect((await call("POST", "/__simulator/claim", { node: "vm02", gpu_type: "4090", count: 1 })).body).toEqual({ interrupted: [b] });
    expect([a, b, c].map((id) => sim!.state.vms.get(id)?.status)).toEqual(["running", "interrupted", "running"]);
    expect(sim.claimGpus("vm02", "4090", 2)).toEqual([a]);
    expect(sim.state.freeGpus("vm02", "4090")).toBe(0);
    // Starting it again needs free GPUs.
    expect((await call("POST", `/vms/${a}/start`)).body).toEqual({ detail: "No available GPUs: 2x 4090 needed on vm02" });
  });
});
