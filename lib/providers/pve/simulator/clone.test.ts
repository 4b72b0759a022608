import { afterEach, describe, expect, it } from "vitest";
import type { PveSimulator } from "./server";
import { TOKEN_ID, api, data, pollTask, startTestSim, taskLog, taskPath } from "./test-helpers";

let sim: PveSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const nextId = async (s: PveSimulator) => Number(data<string>(await api(s, "GET", "/cluster/nextid")));

describe("clone from template", () => {
  it("clone -> locked while the task runs -> task log -> unlocked", async () => {
    sim = await startTestSim({ taskDurationMs: { qmclone: 300 } });
    const newid = await nextId(sim);
    expect(newid).toBe(101); // 100 exists
    const r = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: String(newid), name: "web-1", description: "made by a test" } });
    expect(r.status).toBe(200);
    const upid = data<string>(r);
    // the UPID names the node to poll, the task type, the *source* VMID and the token
    expect(upid).toMatch(new RegExp(`^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:qmclone:9000:${TOKEN_ID.replace("!", "!")}:$`));

    const during = await api(sim, "GET", `/nodes/pve1/qemu/${newid}/config`);
    expect(data<Record<string, unknown>>(during).lock).toBe("clone");
    const put = await api(sim, "PUT", `/nodes/pve1/qemu/${newid}/config`, { form: { cores: "4" } });
    expect(put.status).toBe(500);
    expect(put.reason).toBe("VM is locked (clone)");
    expect(put.body).toEqual({ data: null, message: "VM is locked (clone)\n" });
    const st = data<Record<string, unknown>>(await api(sim, "GET", `/nodes/pve1/qemu/${newid}/status/current`));
    expect(st.lock).toBe("clone");
    const res = data<Record<string, unknown>[]>(await api(sim, "GET", "/cluster/resources", { query: { type: "vm" } }));
    expect(res.find((x) => x.vmid === newid)?.lock).toBe("clone");
    const running = data<Record<string, unknown>>(await api(sim, "GET", `${taskPath(upid)}/status`));
    expect(running).toMatchObject({ status: "running", type: "qmclone", id: "9000", node: "pve1", user: "root@pam", tokenid: "hangar", upid });
    expect(running.exitstatus).toBeUndefined();

    const final = await pollTask(sim, upid);
    expect(final.exitstatus).toBe("OK");
    const log = await taskLog(sim, upid);
    expect(log).toEqual([
      "create full clone of drive ide2 (local-lvm:vm-9000-cloudinit)",
      `  Logical volume "vm-${newid}-cloudinit" created.`,
      "create linked clone of drive scsi0 (local-lvm:base-9000-disk-0)",
      `  Logical volume "vm-${newid}-disk-0" created.`,
      "TASK OK",
    ]);

    const conf = data<Record<string, unknown>>(await api(sim, "GET", `/nodes/pve1/qemu/${newid}/config`));
    expect(conf.lock).toBeUndefined();
    expect(conf.template).toBeUndefined();
    expect(conf.name).toBe("web-1");
    expect(conf.description).toBe("made by a test");
    expect(conf.scsi0).toBe(`local-lvm:base-9000-disk-0/vm-${newid}-disk-0,discard=on,iothread=1,size=32G`);
    expect(conf.ide2).toBe(`local-lvm:vm-${newid}-cloudinit,media=cdrom`);
    const tpl = data<Record<string, unknown>>(await api(sim, "GET", "/nodes/pve1/qemu/9000/config"));
    expect(conf.net0).not.toBe(tpl.net0);
    expect(String(conf.net0)).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0,firewall=1$/);
    expect((await api(sim, "PUT", `/nodes/pve1/qemu/${newid}/config`, { form: { cores: "4" } })).status).toBe(200);
    expect(await nextId(sim)).toBe(newid + 1);
  });

  it("a full clone copies the disk with progress lines; the log pages with start/limit", async () => {
    sim = await startTestSim({ taskDurationMs: { qmclone: 200 } });
    const upid = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "150", name: "full", full: "1", storage: "NFS" } }));
    expect((await pollTask(sim, upid)).exitstatus).toBe("OK");
    const all = await taskLog(sim, upid);
    expect(all).toContain("create full clone of drive scsi0 (local-lvm:base-9000-disk-0)");
    expect(all).toContain("transferred 0.0 B of 32.0 GiB (0.00%)");
    expect(all).toContain("transferred 32.0 GiB of 32.0 GiB (100.00%)");
    // the source format (raw on LVM) is kept when the target storage supports it
    expect(all).toContain("Formatting '/mnt/pve/NFS/images/150/vm-150-disk-0.raw', fmt=raw size=34359738368 preallocation=off");
    expect(all.at(-1)).toBe("TASK OK");

    const first = await api(sim, "GET", `${taskPath(upid)}/log`);
    expect(data<unknown[]>(first)).toHaveLength(50); // default limit
    expect(first.body?.total).toBe(all.length);
    const page = data<{ n: number; t: string }[]>(await api(sim, "GET", `${taskPath(upid)}/log`, { query: { start: "50", limit: "10" } }));
    expect(page.map((l) => l.n)).toEqual([51, 52, 53, 54, 55, 56, 57, 58, 59, 60]);
    expect(page[0]?.t).toBe(all[50]);
    const conf = data<Record<string, string>>(await api(sim, "GET", "/nodes/pve1/qemu/150/config"));
    expect(conf.scsi0).toBe("NFS:150/vm-150-disk-0.raw,discard=on,iothread=1,size=32G");
    const q = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "151", full: "1", storage: "NFS", format: "qcow2" } }));
    await pollTask(sim, q);
    expect((await taskLog(sim, q)).some((l) => l.startsWith("Formatting '/mnt/pve/NFS/images/151/vm-151-disk-0.qcow2', fmt=qcow2 cluster_size=65536"))).toBe(true);
  });

  it("templates default to linked clones: storage/format need full=1", async () => {
    sim = await startTestSim();
    const forms: Record<string, string>[] = [{ newid: "120", storage: "NFS" }, { newid: "120", storage: "NFS", full: "0" }];
    for (const form of forms) {
      const r = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form });
      expect(r.status).toBe(500);
      expect(r.reason).toBe("parameter 'storage' not allowed for linked clones");
      expect(r.body?.message).toBe("parameter 'storage' not allowed for linked clones\n");
    }
    const fmt = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "120", format: "qcow2" } });
    expect(fmt.reason).toBe("parameter 'format' not allowed for linked clones");
    const nonImages = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "120", storage: "local", full: "1" } });
    expect(nonImages.status).toBe(400);
    expect(nonImages.body?.errors).toEqual({ storage: "storage 'local' does not support vm images" });
    // a normal VM cannot be linked-cloned
    const linkedFromVm = await api(sim, "POST", "/nodes/pve1/qemu/100/clone", { form: { newid: "121", full: "0" } });
    expect(linkedFromVm.reason).toBe("Linked clone feature is not supported for 'local-lvm:vm-100-disk-0' (scsi0)");
    expect(sim.state.vms.has(120)).toBe(false);
  });

  it("nextid race: two clones to the same newid - one fails with 'config file already exists'", async () => {
    sim = await startTestSim();
    const [a, b] = await Promise.all([nextId(sim), nextId(sim)]);
    expect(a).toBe(b);
    const [r1, r2] = await Promise.all([
      api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: String(a), name: "one" } }),
      api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: String(b), name: "two" } }),
    ]);
    const statuses = [r1.status, r2.status].sort();
    expect(statuses).toEqual([200, 500]);
    const failed = r1.status === 500 ? r1 : r2;
    expect(failed.reason).toBe(`unable to create VM ${a}: config file already exists`);
    expect((await pollTask(sim, data<string>(r1.status === 200 ? r1 : r2))).exitstatus).toBe("OK");
  });

  it("nextid race when both requests pass the early check: the second task fails", async () => {
    sim = await startTestSim({ workerStartDelayMs: 30 });
    const id = await nextId(sim);
    const [r1, r2] = await Promise.all([
      api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: String(id), name: "one" } }),
      api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: String(id), name: "two" } }),
    ]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const results = await Promise.all([pollTask(sim, data<string>(r1)), pollTask(sim, data<string>(r2))]);
    const exits = results.map((t) => t.exitstatus).sort();
    expect(exits).toEqual(["OK", `unable to create VM ${id}: config file already exists`]);
    const failedUpid = results.find((t) => t.exitstatus !== "OK")?.upid as string;
    expect((await taskLog(sim, failedUpid)).at(-1)).toBe(`TASK ERROR: unable to create VM ${id}: config file already exists`);
  });

  it("a newid that exists on another node passes the local check and fails in the task", async () => {
    sim = await startTestSim();
    const upid = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "9002" } }));
    expect((await pollTask(sim, upid)).exitstatus).toBe("close (rename) atomic file '/etc/pve/nodes/pve1/qemu-server/9002.conf' failed: File exists");
  });

  it("nextid hands out a string and checks a requested VMID", async () => {
    sim = await startTestSim({ firstVmid: 200 });
    const r = await api(sim, "GET", "/cluster/nextid");
    expect(r.body).toEqual({ data: "200" });
    expect(data(await api(sim, "GET", "/cluster/nextid", { query: { vmid: "555" } }))).toBe("555");
    const taken = await api(sim, "GET", "/cluster/nextid", { query: { vmid: "9000" } });
    expect(taken.status).toBe(400);
    expect(taken.body?.errors).toEqual({ vmid: "VM 9000 already exists" });
  });

  it("target node: only with shared storage", async () => {
    sim = await startTestSim();
    const local = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "130", target: "pve2" } });
    expect(local.status).toBe(500);
    expect(local.reason).toBe("can't clone VM to node 'pve2' (VM uses local storage)");
    const nonShared = await api(sim, "POST", "/nodes/pve2/qemu/9002/clone", { form: { newid: "130", target: "pve1", full: "1", storage: "local-lvm" } });
    expect(nonShared.reason).toBe("can't clone to non-shared storage 'local-lvm'");
    const unknown = await api(sim, "POST", "/nodes/pve2/qemu/9002/clone", { form: { newid: "130", target: "pve7" } });
    expect(unknown.reason).toBe("no such cluster node 'pve7'");

    const upid = data<string>(await api(sim, "POST", "/nodes/pve2/qemu/9002/clone", { form: { newid: "130", target: "pve1", name: "moved" } }));
    expect(upid.split(":")[1]).toBe("pve2");
    expect((await pollTask(sim, upid)).exitstatus).toBe("OK");
    expect((await api(sim, "GET", "/nodes/pve1/qemu/130/config")).status).toBe(200);
    const wrong = await api(sim, "GET", "/nodes/pve2/qemu/130/config");
    expect(wrong.status).toBe(500);
    expect(wrong.reason).toBe("Configuration file 'nodes/pve2/qemu-server/130.conf' does not exist");
  });

  it("tasks are polled on their own node", async () => {
    sim = await startTestSim();
    const upid = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "140" } }));
    const wrong = await api(sim, "GET", `/nodes/pve2/tasks/${encodeURIComponent(upid)}/status`);
    expect(wrong.status).toBe(400);
    expect(wrong.body?.errors).toEqual({ upid: "no such task" });
    const wrongLog = await api(sim, "GET", `/nodes/pve2/tasks/${encodeURIComponent(upid)}/log`);
    expect(wrongLog.body).toEqual({ data: [{ n: 1, t: "unable to open file - No such file or directory" }], total: 1 });
    const garbage = await api(sim, "GET", "/nodes/pve1/tasks/not-a-upid/status");
    expect(garbage.body?.errors).toEqual({ upid: "unable to parse worker upid" });
    await pollTask(sim, upid);
  });

  it("source VM must exist on the node; pools must exist", async () => {
    sim = await startTestSim();
    const missing = await api(sim, "POST", "/nodes/pve1/qemu/9999/clone", { form: { newid: "160" } });
    expect(missing.status).toBe(500);
    expect(missing.reason).toBe("Configuration file 'nodes/pve1/qemu-server/9999.conf' does not exist");
    const elsewhere = await api(sim, "POST", "/nodes/pve1/qemu/9002/clone", { form: { newid: "160" } });
    expect(elsewhere.reason).toBe("Configuration file 'nodes/pve1/qemu-server/9002.conf' does not exist");
    const pool = await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "160", pool: "nope" } });
    expect(pool.status).toBe(403);
    expect(pool.reason).toBe("Permission check failed (pool 'nope' does not exist)");
    const ok = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "160", pool: "hangar" } }));
    await pollTask(sim, ok);
    const res = data<Record<string, unknown>[]>(await api(sim, "GET", "/cluster/resources", { query: { type: "vm" } }));
    expect(res.find((x) => x.vmid === 160)).toMatchObject({ pool: "hangar", template: 0, node: "pve1", type: "qemu", id: "qemu/160", name: "Copy-of-VM-ubuntu-24.04-template" });
  });

  it("resourcesLagMs: a new VM shows up in /cluster/resources without statistics at first", async () => {
    sim = await startTestSim({ resourcesLagMs: 300 });
    const upid = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9000/clone", { form: { newid: "190", name: "lagging" } }));
    await pollTask(sim, upid);
    const entry = async () => data<Record<string, unknown>[]>(await api(sim as PveSimulator, "GET", "/cluster/resources", { query: { type: "vm" } })).find((x) => x.vmid === 190);
    expect(await entry()).toEqual({ id: "qemu/190", vmid: 190, node: "pve1", type: "qemu", status: "unknown" });
    await new Promise((r) => setTimeout(r, 320));
    expect(await entry()).toMatchObject({ name: "lagging", status: "stopped", template: 0, maxmem: 2048 * 1024 ** 2 });
  });
});
