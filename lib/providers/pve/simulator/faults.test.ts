import { afterEach, describe, expect, it } from "vitest";
import type { PveSimulator } from "./server";
import { api, data, pollTask, startTestSim } from "./test-helpers";

let sim: PveSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe("sim.faults", () => {
  it("failNthCall fails exactly the n-th matching call with the given status and reason", async () => {
    sim = await startTestSim();
    sim.faults.failNthCall({ method: "GET", pathPattern: /\/cluster\/nextid$/, n: 2, status: 503, message: "Service Unavailable" });
    expect((await api(sim, "GET", "/cluster/nextid")).status).toBe(200);
    expect((await api(sim, "GET", "/version")).status).toBe(200); // does not match, not counted
    const second = await api(sim, "GET", "/cluster/nextid");
    expect(second.status).toBe(503);
    expect(second.reason).toBe("Service Unavailable");
    expect(second.body).toEqual({ data: null, message: "Service Unavailable\n" });
    expect((await api(sim, "GET", "/cluster/nextid")).status).toBe(200);

    sim.faults.failNthCall({ pathPattern: "/status/start$", n: 1, status: 500, message: "VM is locked (backup)" });
    const locked = await api(sim, "POST", "/nodes/pve1/qemu/100/status/start");
    expect(locked.status).toBe(500);
    expect(locked.reason).toBe("VM is locked (backup)");

    sim.faults.failNthCall({ n: 1, status: 401, message: "authentication failure" });
    const auth = await api(sim, "GET", "/nodes");
    expect(auth.status).toBe(401);
    expect(auth.reason).toBe("authentication failure");
    expect(auth.text).toBe("");

    sim.faults.failNthCall({ method: "PUT", n: 1, status: 400, message: "Parameter verification failed.", errors: { cores: "value must have a minimum value of 1" } });
    const param = await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { cores: "2" } });
    expect(param.reason).toBe("Parameter verification failed.");
    expect(param.body?.errors).toEqual({ cores: "value must have a minimum value of 1" });
  });

  it("failTask makes the next task of that type end with the given exit status (and rolls it back)", async () => {
    sim = await startTestSim();
    sim.faults.failTask({ type: "qmclone", message: "clone failed: storage 'NFS' is full" });
    const upid = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "101" } }));
    const st = await pollTask(sim, upid);
    expect(st.exitstatus).toBe("clone failed: storage 'NFS' is full");
    const log = data<{ t: string }[]>(await api(sim, "GET", `/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`)).map((l) => l.t);
    expect(log.at(-1)).toBe("TASK ERROR: clone failed: storage 'NFS' is full");
    expect((await api(sim, "GET", "/nodes/pve1/qemu/101/config")).status).toBe(500); // the half-made VM is gone
    expect([...(sim.state.storageOn("pve1", "local-lvm")?.volumes.keys() ?? [])].some((k) => k.includes("vm-101-"))).toBe(false);
    // only the next one
    const again = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "101" } }));
    expect((await pollTask(sim, again)).exitstatus).toBe("OK");

    sim.faults.failTask({ type: "qmstart", message: "start failed: QEMU exited with code 1", vmid: 101 });
    const other = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/100/status/stop"));
    expect((await pollTask(sim, other)).exitstatus).toBe("OK");
    const start = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/101/status/start"));
    expect((await pollTask(sim, start)).exitstatus).toBe("start failed: QEMU exited with code 1");
    expect(sim.state.vms.get(101)?.running).toBe(false);
  });

  it("slowDown delays every response", async () => {
    sim = await startTestSim();
    sim.faults.slowDown(150);
    const t0 = Date.now();
    expect((await api(sim, "GET", "/version")).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    sim.faults.slowDown(0);
    const t1 = Date.now();
    await api(sim, "GET", "/version");
    expect(Date.now() - t1).toBeLessThan(120);
  });

  it("dropConnections destroys the socket of the next N requests", async () => {
    sim = await startTestSim();
    sim.faults.dropConnections(2);
    await expect(api(sim, "GET", "/version")).rejects.toThrow();
    await expect(api(sim, "GET", "/version")).rejects.toThrow();
    expect((await api(sim, "GET", "/version")).status).toBe(200);
    expect(sim.requests.filter((r) => r.status === 0)).toHaveLength(2);
  });

  it("lockVm sets and clears a config lock", async () => {
    sim = await startTestSim();
    sim.faults.lockVm(100, "backup");
    const put = await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { cores: "2" } });
    expect(put.status).toBe(500);
    expect(put.reason).toBe("VM is locked (backup)");
    const resize = data<string>(await api(sim, "PUT", "/nodes/pve1/qemu/100/resize", { form: { disk: "scsi0", size: "+1G" } }));
    expect((await pollTask(sim, resize)).exitstatus).toBe("VM is locked (backup)");
    expect(data<Record<string, unknown>>(await api(sim, "GET", "/nodes/pve1/qemu/100/status/current")).lock).toBe("backup");
    sim.faults.lockVm(100, null);
    expect((await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { cores: "2" } })).status).toBe(200);
  });

  it("reset clears every pending fault", async () => {
    sim = await startTestSim();
    sim.faults.failNthCall({ n: 1, status: 500, message: "boom" });
    sim.faults.failTask({ type: "qmstop", message: "nope" });
    sim.faults.slowDown(500);
    sim.faults.dropConnections(3);
    sim.faults.reset();
    const t0 = Date.now();
    expect((await api(sim, "GET", "/version")).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(300);
    const upid = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/100/status/stop"));
    expect((await pollTask(sim, upid)).exitstatus).toBe("OK");
  });
});

describe("HTTP control API (controlApi: true)", () => {
  const control = async (s: PveSimulator, method: string, path: string, body?: unknown) => {
    const r = await fetch(`${s.url}${path}`, { method, headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: (await r.json()) as { data: Record<string, unknown> | null; message?: string } };
  };

  it("injects faults and shows the state without authentication", async () => {
    sim = await startTestSim({ controlApi: true });
    const set = await control(sim, "POST", "/__simulator/faults", [
      { action: "failNthCall", method: "POST", pathPattern: "/status/start$", n: 1, status: 500, message: "simulated start failure" },
      { action: "failTask", type: "qmclone", message: "clone failed: out of space" },
    ]);
    expect(set.status).toBe(200);
    const start = await api(sim, "POST", "/nodes/pve1/qemu/100/status/start");
    expect(start.reason).toBe("simulated start failure");
    const clone = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "101" } }));
    expect((await pollTask(sim, clone)).exitstatus).toBe("clone failed: out of space");

    await control(sim, "POST", "/__simulator/faults", { action: "lockVm", vmid: 100, lock: "snapshot" });
    const state = await control(sim, "GET", "/__simulator/state");
    const vms = state.json.data?.vms as { vmid: number; lock?: string; template: boolean; node: string }[];
    expect(vms.find((v) => v.vmid === 100)?.lock).toBe("snapshot");
    expect(vms.find((v) => v.vmid === 9000)).toMatchObject({ template: true, node: "pve1" });
    expect((state.json.data?.tasks as unknown[]).length).toBe(1);

    const bad = await control(sim, "POST", "/__simulator/faults", { action: "explode" });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe("unknown fault action 'explode'");

    await control(sim, "POST", "/__simulator/faults", { action: "reset" });
    await control(sim, "POST", "/__simulator/faults", { action: "lockVm", vmid: 100, lock: null });
    expect((await api(sim, "POST", "/nodes/pve1/qemu/100/status/stop")).status).toBe(200);
  });

  it("POST /__simulator/reset restores the initial cluster", async () => {
    sim = await startTestSim({ controlApi: true });
    await pollTask(sim, data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "101" } })));
    expect(sim.state.vms.has(101)).toBe(true);
    expect((await control(sim, "POST", "/__simulator/reset")).status).toBe(200);
    expect(sim.state.vms.has(101)).toBe(false);
    expect(data(await api(sim, "GET", "/cluster/nextid"))).toBe("101");
  });

  it("is not there without the option", async () => {
    sim = await startTestSim();
    const r = await fetch(`${sim.url}/__simulator/state`);
    expect(r.status).toBe(500);
    expect(r.statusText).toBe("no such file '/__simulator/state'");
  });
});
