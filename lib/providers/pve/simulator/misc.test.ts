import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_TOKEN_ID, DEMO_TOKEN_SECRET, demoClusterOptions } from "./demo";
import { startPveSimulator, type PveSimulator } from "./server";
import { api, data, pollTask, startTestSim, taskLog } from "./test-helpers";

let sim: PveSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("transport", () => {
  it.skipIf(!hasOpenssl)("serves HTTPS with a given key and certificate", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pve-sim-test-"));
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"], { stdio: "ignore" });
    sim = await startTestSim({ tls: { key: fs.readFileSync(key), cert: fs.readFileSync(cert) } });
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request(`${sim?.url}/api2/json/version`, { rejectUnauthorized: false, headers: { Authorization: `PVEAPIToken=root@pam!hangar=0b7c2d5e-1f3a-4c6b-8d9e-a1b2c3d4e5f6` } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve(text));
      });
      req.on("error", reject);
      req.end();
    });
    expect(JSON.parse(body)).toMatchObject({ data: { release: "9.1" } });
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000); // openssl makes an RSA key: seconds on a busy 2-core machine

  it("error answers close the connection and carry PVE's headers", async () => {
    sim = await startTestSim();
    const r = await api(sim, "GET", "/nodes/pve1/qemu/999/config");
    expect(r.headers.get("connection")).toBe("close");
    expect(r.headers.get("server")).toBe("pve-api-daemon/3.0");
    expect(r.headers.get("content-type")).toBe("application/json;charset=UTF-8");
  });

  it("an offline node cannot be proxied to", async () => {
    sim = await startTestSim({ nodes: ["pve1", { name: "pve2", online: false }] });
    const nodes = data<{ node: string; status: string }[]>(await api(sim, "GET", "/nodes"));
    expect(nodes.map((n) => [n.node, n.status])).toEqual([
      ["pve1", "online"],
      ["pve2", "offline"],
    ]);
    const r = await api(sim, "GET", "/nodes/pve2/qemu");
    expect(r.status).toBe(595);
    expect(r.reason).toBe("Errors during connection establishment, proxy handshake: No route to host");
  });

  it("logs every request with its parameters, user and status", async () => {
    sim = await startTestSim();
    await api(sim, "PUT", "/nodes/pve1/qemu/100/config", { form: { cores: "3" }, query: { _dc: "123" } });
    await api(sim, "GET", "/nodes", { auth: false });
    const [put, unauth] = sim.requests.slice(-2);
    expect(put).toMatchObject({ method: "PUT", path: "/api2/json/nodes/pve1/qemu/100/config", apiPath: "/nodes/pve1/qemu/100/config", params: { cores: "3" }, user: "root@pam!hangar", status: 200 });
    expect(unauth).toMatchObject({ method: "GET", apiPath: "/nodes", status: 401 });
  });
});

describe("demo cluster", () => {
  it("demoClusterOptions: 3 nodes, 4 templates, clones across nodes from shared storage", async () => {
    sim = await startPveSimulator(demoClusterOptions({ taskDurationMs: 30, authFailureDelayMs: 0 }));
    const auth = `PVEAPIToken=${DEMO_TOKEN_ID}=${DEMO_TOKEN_SECRET}`;
    const nodes = data<{ node: string }[]>(await api(sim, "GET", "/nodes", { auth }));
    expect(nodes.map((n) => n.node)).toEqual(["pve1", "pve2", "pve3"]);
    const vms = data<{ vmid: number; name: string; node: string; template: number; maxdisk: number }[]>(await api(sim, "GET", "/cluster/resources", { auth, query: { type: "vm" } }));
    expect(vms.map((v) => [v.vmid, v.node, v.template])).toEqual([
      [9000, "pve1", 1],
      [9001, "pve2", 1],
      [9002, "pve3", 1],
      [9003, "pve1", 1],
    ]);
    expect(vms.find((v) => v.vmid === 9003)?.maxdisk).toBe(64 * 1024 ** 3);
    expect(data(await api(sim, "GET", "/cluster/nextid", { auth }))).toBe("100");
    const storages = data<{ storage: string; shared: number; type: string }[]>(await api(sim, "GET", "/nodes/pve2/storage", { auth }));
    expect(storages.map((s) => [s.storage, s.type, s.shared])).toEqual([
      ["local", "dir", 0],
      ["local-lvm", "lvmthin", 0],
      ["NFS", "nfs", 1],
    ]);
    const upid = data<string>(await api(sim, "POST", "/nodes/pve3/qemu/9002/clone", { auth, form: { newid: "100", name: "rocky-1", target: "pve1" } }));
    expect((await pollTask(sim, upid, 10_000, auth)).exitstatus).toBe("OK");
    expect(await taskLog(sim, upid, auth)).toContain("create linked clone of drive scsi0 (NFS:9002/base-9002-disk-0.qcow2)");
    expect(data<Record<string, string>>(await api(sim, "GET", "/nodes/pve1/qemu/100/config", { auth })).scsi0).toBe("NFS:9002/base-9002-disk-0.qcow2/100/vm-100-disk-0.qcow2,discard=on,iothread=1,size=40G");
    const win = data<string>(await api(sim, "POST", "/nodes/pve1/qemu/9003/clone", { auth, form: { newid: "101", name: "win-1", full: "1" } }));
    expect((await pollTask(sim, win, 10_000, auth)).exitstatus).toBe("OK");
    const winLog = await taskLog(sim, win, auth);
    expect(winLog).toContain("create full clone of drive efidisk0 (local-lvm:base-9003-disk-1)");
    expect(winLog).toContain("create full clone of drive tpmstate0 (local-lvm:base-9003-disk-2)");
    // drives are cloned in sorted order, so efidisk0 gets the first free disk number
    expect(sim.state.vms.get(101)?.config.efidisk0).toBe("local-lvm:vm-101-disk-0,efitype=4m,pre-enrolled-keys=1,size=4M");
    expect(sim.state.vms.get(101)?.config.scsi0).toBe("local-lvm:vm-101-disk-1,discard=on,iothread=1,size=64G");
  });

  it("main.ts starts the demo cluster on a port from argv and prints its URL and token", async () => {
    const tsx = path.resolve(process.cwd(), "node_modules/.bin/tsx");
    const child = spawn(tsx, [path.resolve(import.meta.dirname, "main.ts"), "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const out = await new Promise<string>((resolve, reject) => {
        let text = "";
        const timer = setTimeout(() => reject(new Error(`main.ts printed no URL: ${text}`)), 20_000);
        child.stdout.on("data", (c: Buffer) => {
          text += c.toString();
          if (/control:/.test(text)) {
            clearTimeout(timer);
            resolve(text);
          }
        });
        child.on("exit", (code) => reject(new Error(`main.ts exited with ${code}: ${text}`)));
      });
      const url = /URL:\s+(\S+)/.exec(out)?.[1] as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api2\/json$/);
      expect(out).toContain(`${DEMO_TOKEN_ID}=${DEMO_TOKEN_SECRET}`);
      const r = await fetch(`${url}/cluster/nextid`, { headers: { Authorization: `PVEAPIToken=${DEMO_TOKEN_ID}=${DEMO_TOKEN_SECRET}` } });
      expect(await r.json()).toEqual({ data: "100" });
      const state = await fetch(url.replace("/api2/json", "/__simulator/state"));
      expect(state.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});
