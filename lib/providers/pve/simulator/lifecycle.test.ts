import { afterEach, describe, expect, it } from "vitest";
import type { PveSimulator } from "./server";
import type { PveVersion } from "./types";
import { api, data, pollTask, startTestSim, taskLog } from "./test-helpers";

let sim: PveSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = async (s: PveSimulator, method: string, path: string, form: Record<string, string> = {}) => {
  const r = await api(s, method, path, { form });
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.reason}`);
  return pollTask(s, data<string>(r));
};
const config = async (s: PveSimulator, vmid: number, node = "pve1", query: Record<string, string> = {}) =>
  data<Record<string, unknown>>(await api(s, "GET", `/nodes/${node}/qemu/${vmid}/config`, { query }));

/** a stopped VM cloned from the template */
async function cloned(s: PveSimulator, newid = 101): Promise<number> {
  await run(s, "POST", "/nodes/pve1/qemu/9000/clone", { newid: String(newid), name: `vm${newid}` });
  return newid;
}

describe.each<PveVersion>(["8.4", "9.1"])("resize on PVE %s: a task; errors arrive as its exit status", (version) => {
  it("grows with +N, sets an absolute size, refuses to shrink", async () => {
    sim = await startTestSim({ version });
    const id = await cloned(sim);
    const grow = await api(sim, "PUT", `/nodes/pve1/qemu/${id}/resize`, { form: { disk: "scsi0", size: "+10G" } });
    const upid = data<string>(grow);
    expect(upid).toMatch(new RegExp(`:resize:${id}:root@pam!hangar:$`));
    expect((await pollTask(sim, upid)).exitstatus).toBe("OK");
    expect(await taskLog(sim, upid)).toEqual([
      `  Size of logical volume pve/vm-${id}-disk-0 changed from 32.00 GiB (8192 extents) to 42.00 GiB (10752 extents).`,
      `  Logical volume pve/vm-${id}-disk-0 successfully resized.`,
      "TASK OK",
    ]);
    expect((await config(sim, id)).scsi0).toMatch(/,size=42G$/);
    expect((await run(sim, "PUT", `/nodes/pve1/qemu/${id}/resize`, { disk: "scsi0", size: "50G" })).exitstatus).toBe("OK");
    expect((await config(sim, id)).scsi0).toMatch(/,size=50G$/);

    const shrink = await api(sim, "PUT", `/nodes/pve1/qemu/${id}/resize`, { form: { disk: "scsi0", size: "20G" } });
    expect(shrink.status).toBe(200);
    const st = await pollTask(sim, data<string>(shrink));
    expect(st.exitstatus).toBe("shrinking disks is not supported");
    expect((await taskLog(sim, data<string>(shrink))).at(-1)).toBe("TASK ERROR: shrinking disks is not supported");
    expect((await config(sim, id)).scsi0).toMatch(/,size=50G$/);

    // even a missing VM gets a UPID: the config is loaded in the worker
    const missing = await run(sim, "PUT", "/nodes/pve1/qemu/777/resize", { disk: "scsi0", size: "+1G" });
    expect(missing.exitstatus).toBe("Configuration file 'nodes/pve1/qemu-server/777.conf' does not exist");
    const noDisk = await run(sim, "PUT", `/nodes/pve1/qemu/${id}/resize`, { disk: "scsi3", size: "+1G" });
    expect(noDisk.exitstatus).toBe("disk 'scsi3' does not exist");
  });
});

describe("resize on PVE 7.4: synchronous", () => {
  it("returns null and fails with HTTP 500", async () => {
    sim = await startTestSim({ version: "7.4" });
    const id = await cloned(sim);
    const grow = await api(sim, "PUT", `/nodes/pve1/qemu/${id}/resize`, { form: { disk: "scsi0", size: "+8G" } });
    expect(grow.status).toBe(200);
    expect(grow.body).toEqual({ data: null });
    expect((await config(sim, id)).scsi0).toMatch(/,size=40G$/);
    const shrink = await api(sim, "PUT", `/nodes/pve1/qemu/${id}/resize`, { form: { disk: "scsi0", size: "1G" } });
    expect(shrink.status).toBe(500);
    expect(shrink.reason).toBe("shrinking disks is not supported");
    expect(shrink.body).toEqual({ data: null });
  });
});

describe("power and guest agent", () => {
  it("start -> running; the agent answers only after agentDelayMs; then the VM's IPv4", async () => {
    sim = await startTestSim({ agentDelayMs: 250 });
    const id = await cloned(sim);
    const before = data<Record<string, unknown>>(await api(sim, "GET", `/nodes/pve1/qemu/${id}/status/current`));
    expect(before).toMatchObject({ status: "stopped", qmpstatus: "stopped", uptime: 0, cpus: 2, maxmem: 2048 * 1024 ** 2, maxdisk: 32 * 1024 ** 3, agent: 1, name: `vm${id}`, vmid: id });
    const stopped = await api(sim, "GET", `/nodes/pve1/qemu/${id}/agent/network-get-interfaces`);
    expect(stopped.reason).toBe(`VM ${id} is not running`);

    const start = await api(sim, "POST", `/nodes/pve1/qemu/${id}/status/start`);
    expect(data<string>(start)).toMatch(new RegExp(`:qmstart:${id}:`));
    expect((await pollTask(sim, data<string>(start))).exitstatus).toBe("OK");
    const st = data<Record<string, unknown>>(await api(sim, "GET", `/nodes/pve1/qemu/${id}/status/current`));
    expect(st).toMatchObject({ status: "running", qmpstatus: "running", ha: { managed: 0 } });
    expect(typeof st.pid).toBe("number");

    const early = await api(sim, "GET", `/nodes/pve1/qemu/${id}/agent/network-get-interfaces`);
    expect(early.status).toBe(500);
    expect(early.reason).toBe("QEMU guest agent is not running");
    expect(early.body).toEqual({ data: null, message: "QEMU guest agent is not running\n" });

    await sleep(300);
    const ok = await api(sim, "GET", `/nodes/pve1/qemu/${id}/agent/network-get-interfaces`);
    expect(ok.status).toBe(200);
    const ifaces = data<{ result: { name: string; "hardware-address": string; "ip-addresses": { "ip-address-type": string; "ip-address": string; prefix: number }[] }[] }>(ok).result;
    expect(ifaces.map((i) => i.name)).toEqual(["lo", "eth0"]);
    const eth0 = ifaces[1];
    const v4 = eth0?.["ip-addresses"].find((a) => a["ip-address-type"] === "ipv4");
    expect(v4?.["ip-address"]).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(v4?.prefix).toBe(24);
    expect(eth0?.["ip-addresses"].some((a) => a["ip-address-type"] === "ipv6" && a["ip-address"].startsWith("fe80::"))).toBe(true);
    const mac = /virtio=([0-9A-F:]+)/.exec(String((await config(sim, id)).net0))?.[1]?.toLowerCase();
    expect(eth0?.["hardware-address"]).toBe(mac);
    // deterministic per VM
    const again = data<{ result: { "ip-addresses": { "ip-address": string }[] }[] }>(await api(sim, "GET", `/nodes/pve1/qemu/${id}/agent/network-get-interfaces`));
    expect(again.result[1]?.["ip-addresses"][0]?.["ip-address"]).toBe(v4?.["ip-address"]);

    expect((await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/start`)).exitstatus).toBe(`VM ${id} already running`);
    expect((await run(sim, "POST", "/nodes/pve1/qemu/9000/status/start")).exitstatus).toBe("you can't start a vm if it's a template");
  });

  it("a static cloud-init address is what the agent reports", async () => {
    sim = await startTestSim({ agentDelayMs: 0 });
    const id = await cloned(sim);
    await api(sim, "PUT", `/nodes/pve1/qemu/${id}/config`, { form: { ipconfig0: "ip=192.168.50.20/24,gw=192.168.50.1" } });
    await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/start`);
    const r = data<{ result: { name: string; "ip-addresses": { "ip-address": string }[] }[] }>(await api(sim, "GET", `/nodes/pve1/qemu/${id}/agent/network-get-interfaces`));
    expect(r.result.find((i) => i.name === "eth0")?.["ip-addresses"][0]?.["ip-address"]).toBe("192.168.50.20");
  });

  it("shutdown, stop and reboot", async () => {
    sim = await startTestSim();
    const id = await cloned(sim);
    const notRunning = await api(sim, "POST", `/nodes/pve1/qemu/${id}/status/reboot`);
    expect(notRunning.status).toBe(500);
    expect(notRunning.reason).toBe(`VM ${id} not running`);
    expect((await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/stop`)).exitstatus).toBe("OK"); // stopping a stopped VM is fine
    await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/start`);
    const reboot = await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/reboot`);
    expect(reboot.type).toBe("qmreboot");
    expect(reboot.exitstatus).toBe("OK");
    expect((await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/shutdown`)).exitstatus).toBe("OK");
    expect(data<Record<string, unknown>>(await api(sim, "GET", `/nodes/pve1/qemu/${id}/status/current`)).status).toBe("stopped");
    const gone = await run(sim, "POST", "/nodes/pve1/qemu/888/status/stop");
    expect(gone.exitstatus).toBe("unable to find configuration file for VM 888 on node 'pve1'");
  });
});

describe("config", () => {
  it("never shows the clear cloud-init password; digest guards concurrent changes", async () => {
    sim = await startTestSim();
    const id = await cloned(sim);
    const before = await config(sim, id);
    expect(before.digest).toMatch(/^[0-9a-f]{40}$/);
    await api(sim, "PUT", `/nodes/pve1/qemu/${id}/config`, { form: { ciuser: "ada", cipassword: "correct horse", tags: "Web;prod,web", memory: "4096", cores: "4", sockets: "2" } });
    const after = await config(sim, id);
    expect(after).toMatchObject({ ciuser: "ada", cipassword: "**********", tags: "prod;web", memory: "4096", cores: 4, sockets: 2 });
    expect(sim.state.vms.get(id)?.config.cipassword).toMatch(/^\$5\$/);
    expect(after.digest).not.toBe(before.digest);
    const stale = await api(sim, "PUT", `/nodes/pve1/qemu/${id}/config`, { form: { cores: "1", digest: String(before.digest) } });
    expect(stale.status).toBe(500);
    expect(stale.reason).toBe("checksum mismatch (file change by other user?)");
    const st = data<Record<string, unknown>>(await api(sim, "GET", `/nodes/pve1/qemu/${id}/status/current`));
    expect(st).toMatchObject({ cpus: 8, maxmem: 4096 * 1024 ** 2 });
  });

  it("delete, unknown options, and pending changes on a running VM", async () => {
    sim = await startTestSim();
    const id = await cloned(sim);
    expect((await api(sim, "PUT", `/nodes/pve1/qemu/${id}/config`, { form: { delete: "tags,description" } })).status).toBe(200);
    expect((await config(sim, id)).tags).toBeUndefined();
    const unknown = await api(sim, "PUT", `/nodes/pve1/qemu/${id}/config`, { form: { delete: "bogus" } });
    expect(unknown.body?.errors).toEqual({ delete: "unknown option 'bogus'" });
    const both = await api(sim, "PUT", `/nodes/pve1/qemu/${id}/config`, { form: { delete: "cores", cores: "2" } });
    expect(both.body?.errors).toEqual({ delete: "you can't use '-cores' and -delete cores' at the same time" });
    const upid = data<string>(await api(sim, "POST", `/nodes/pve1/qemu/${id}/config`, { form: { delete: "searchdomain" } }));
    expect((await pollTask(sim, upid)).exitstatus).toBe("OK");
    expect(await taskLog(sim, upid)).toContain("cannot delete 'searchdomain' - not set in current configuration!");

    await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/start`);
    await api(sim, "PUT", `/nodes/pve1/qemu/${id}/config`, { form: { cores: "6", name: "renamed" } });
    expect((await config(sim, id)).cores).toBe(6); // pending values are shown by default
    expect((await config(sim, id, "pve1", { current: "1" })).cores).toBe(2);
    expect((await config(sim, id, "pve1", { current: "1" })).name).toBe("renamed"); // applied at once
    expect(data<Record<string, unknown>>(await api(sim, "GET", `/nodes/pve1/qemu/${id}/status/current`)).cpus).toBe(2);
    await run(sim, "POST", `/nodes/pve1/qemu/${id}/status/reboot`);
    expect((await config(sim, id, "pve1", { current: "1" })).cores).toBe(6);
  });

  it("a missing VM is a 500 naming the config file", async () => {
    sim = await startTestSim();
    const r = await api(sim, "GET", "/nodes/pve1/qemu/999/config");
    expect(r.status).toBe(500);
    expect(r.reason).toBe("Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist");
    expect(r.body).toEqual({ data: null, message: "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist\n" });
  });
});

describe("destroy", () => {
  it("refuses a running VM, destroys a stopped one", async () => {
    sim = await startTestSim();
    const running = await api(sim, "DELETE", "/nodes/pve1/qemu/100", { query: { purge: "1", "destroy-unreferenced-disks": "1" } });
    expect(running.status).toBe(500);
    expect(running.reason).toBe("VM 100 is running - destroy failed");
    expect(running.body?.message).toBe("VM 100 is running - destroy failed\n");

    await run(sim, "POST", "/nodes/pve1/qemu/100/status/stop");
    const del = await api(sim, "DELETE", "/nodes/pve1/qemu/100", { query: { purge: "1", "destroy-unreferenced-disks": "1" } });
    const upid = data<string>(del);
    expect(upid).toMatch(/:qmdestroy:100:/);
    expect((await pollTask(sim, upid)).exitstatus).toBe("OK");
    const log = await taskLog(sim, upid);
    expect(log).toContain('  Logical volume "vm-100-disk-0" successfully removed.');
    expect(log).toContain("purging VM 100 from related configurations..");
    expect((await api(sim, "GET", "/nodes/pve1/qemu/100/config")).status).toBe(500);
    expect(sim.state.storageOn("pve1", "local-lvm")?.volumes.has("vm-100-disk-0")).toBe(false);
  });

  it("a destroy of a locked VM fails in the task", async () => {
    sim = await startTestSim({ taskDurationMs: { qmclone: 400 } });
    const upid = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "102" } }));
    const del = await api(sim, "DELETE", "/nodes/pve1/qemu/102");
    expect(del.status).toBe(200);
    expect((await pollTask(sim, data<string>(del))).exitstatus).toBe("VM is locked (clone)");
    await pollTask(sim, upid);
  });
});

describe("create from scratch", () => {
  it("POST /nodes/{node}/qemu allocates disks and returns a qmcreate UPID", async () => {
    sim = await startTestSim();
    const r = await api(sim, "POST", "/nodes/pve1/qemu", {
      form: { vmid: "170", name: "scratch", cores: "2", memory: "2048", scsi0: "local-lvm:32", ide2: "local:iso/ubuntu-24.04.iso,media=cdrom", net0: "virtio,bridge=vmbr0", ostype: "l26", scsihw: "virtio-scsi-pci" },
    });
    const upid = data<string>(r);
    expect(upid).toMatch(/:qmcreate:170:/);
    expect((await pollTask(sim, upid)).exitstatus).toBe("OK");
    expect(await taskLog(sim, upid)).toEqual(['  Logical volume "vm-170-disk-0" created.', "scsi0: successfully created disk 'local-lvm:vm-170-disk-0,size=32G'", "TASK OK"]);
    const conf = await config(sim, 170);
    expect(conf).toMatchObject({ name: "scratch", cores: 2, memory: "2048", ostype: "l26", scsi0: "local-lvm:vm-170-disk-0,size=32G", ide2: "local:iso/ubuntu-24.04.iso,media=cdrom", boot: "order=scsi0;ide2;net0" });
    expect(String(conf.net0)).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0$/);
    const dup = await api(sim, "POST", "/nodes/pve2/qemu", { form: { vmid: "9000" } });
    expect(dup.status).toBe(500);
    expect(dup.reason).toBe("unable to create VM 9000 - VM 9000 already exists on node 'pve1'");
  });
});
