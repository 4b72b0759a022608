/** The simulator's protocol, checked with plain fetch (no portal client code). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_API_KEY, DEMO_GPU_GROUPS, DEMO_PASSWORD, DEMO_USER, demoVergeOptions } from "./demo";
import { startVergeSimulator, type VergeSimulator } from "./server";

let sim: VergeSimulator;
beforeAll(async () => {
  sim = await startVergeSimulator(demoVergeOptions({ powerOnMs: 20, powerOffMs: 20, agentDelayMs: 10, tokenIdleMs: 200, seed: { ...demoVergeOptions().seed, snapshotNames: ["snap-of-x"] } }));
});
afterAll(() => sim.stop());

type Res = { status: number; body: unknown };
async function api(method: string, path: string, opts: { body?: unknown; query?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { Authorization: `Bearer ${DEMO_API_KEY}`, ...opts.headers };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : "";
  const res = await fetch(`${sim.url}${path.startsWith("/api/") ? path : `/api/v4${path}`}${qs}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

describe("VergeOS simulator protocol", () => {
  it("answers creates with 201 {location, dbpath, $row, $key} and response.machine; VM, machine and status keys differ", async () => {
    const r = await api("POST", "/vms", { body: { name: "k1", cluster: "1", ram: 2048, cpu_cores: 2 } });
    expect(r.status).toBe(201);
    const body = r.body as { location: string; dbpath: string; $row: number; $key: string; response: { machine: string } };
    expect(body).toMatchObject({ location: `/v4/vms/${body.$key}`, dbpath: `vms/${body.$key}`, $row: Number(body.$key) });
    expect(typeof body.$key).toBe("string");
    expect(body.response.machine).not.toBe(body.$key);
    const rows = (await api("GET", "/machine_status", { query: { filter: `machine eq ${body.response.machine}`, limit: "1" } })).body as { $key: number; machine: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.machine).toBe(Number(body.response.machine));
    expect(rows[0]?.$key).not.toBe(rows[0]?.machine);
    // Rows carry $key as a number.
    const vm = (await api("GET", `/vms/${body.$key}`, { query: { fields: "$key,name,machine,machine#status#status as status" } })).body;
    expect(vm).toEqual({ $key: Number(body.$key), name: "k1", machine: Number(body.response.machine), status: "stopped" });
  });

  it("lists with filter (quoted strings, doubled quotes), fields, sort, limit, offset; bad filters are 400", async () => {
    await api("POST", "/vms", { body: { name: "o'brien", ram: 1024 } });
    const hit = await api("GET", "/vms", { query: { filter: "name eq 'o''brien'", fields: "$key,name" } });
    expect(hit.body).toEqual([{ $key: expect.any(Number), name: "o'brien" }]);
    expect((await api("GET", "/vms", { query: { filter: "name eq 'o'brien'" } })).status).toBe(400);
    expect((await api("GET", "/vms", { query: { filter: "name eq obrien" } })).status).toBe(400);
    // A quoted number does not match a numeric column.
    expect((await api("GET", "/vnets", { query: { filter: "$key eq '3'" } })).body).toEqual([]);
    expect(((await api("GET", "/vnets", { query: { filter: "$key eq 3" } })).body as unknown[]).length).toBe(1);
    const names = (await api("GET", "/vnets", { query: { sort: "-name", limit: "2", offset: "1", fields: "name" } })).body;
    expect(names).toEqual([{ name: "DMZ" }, { name: "Core" }]);
    const snaps = (await api("GET", "/vms", { query: { filter: "is_snapshot eq true", fields: "name" } })).body;
    expect(snaps).toEqual([{ name: "snap-of-x" }]);
    const groups = (await api("GET", "/resource_groups", { query: { filter: "class eq 'gpu'", fields: "uuid,count(resources) as resource_count" } })).body;
    expect(groups).toEqual([
      { uuid: DEMO_GPU_GROUPS["RTX 4090"], resource_count: 2 },
      { uuid: DEMO_GPU_GROUPS.A100, resource_count: 1 },
    ]);
  });

  it("errors are {err}: 400 missing name, 404 unknown refs, 409 taken name, 422 bad interface or unit, 401 without login", async () => {
    expect(await api("POST", "/vms", { body: { ram: 1024 } })).toEqual({ status: 400, body: { err: "Missing field: 'name'" } });
    expect((await api("POST", "/vms", { body: { name: "k1" } })).status).toBe(409);
    expect((await api("POST", "/vms", { body: { name: "big", ram: 8 * 1024 ** 3 } })).status).toBe(422); // bytes where MB belong
    expect((await api("POST", "/vms", { body: { name: "c9", cluster: "9" } })).status).toBe(404);
    const vm = (await api("POST", "/vms", { body: { name: "hw" } })).body as { response: { machine: string } };
    const m = vm.response.machine;
    expect((await api("POST", "/machine_drives", { body: { machine: m, media: "disk", interface: "scsi-fancy", disksize: 1024 } })).status).toBe(422);
    expect((await api("POST", "/machine_drives", { body: { machine: m, media: "import", media_source: "99" } })).status).toBe(404);
    expect((await api("POST", "/machine_devices", { body: { machine: m, resource_group: "1", settings_args: {} } })).status).toBe(404);
    expect((await api("POST", "/machine_nics", { body: { machine: m, vnet: "77" } })).status).toBe(404);
    expect(await api("GET", "/vms", { headers: { Authorization: "" } })).toEqual({ status: 401, body: { err: "Login required" } });
    expect((await api("GET", "/vms", { headers: { Authorization: `Basic ${Buffer.from(`${DEMO_USER}:${DEMO_PASSWORD}`).toString("base64")}` } })).status).toBe(200);
  });

  it("session tokens: login, use, lapse after idling, logout", async () => {
    const login = await api("POST", "/api/sys/tokens", { body: { login: DEMO_USER, password: DEMO_PASSWORD }, headers: { Authorization: "" } });
    expect(login.status).toBe(201);
    const token = (login.body as { $key: string }).$key;
    expect(login.body).toMatchObject({ location: `/sys/tokens/${token}` });
    const h = { Authorization: "", "x-yottabyte-token": token };
    expect((await api("GET", "/clusters", { headers: h })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 250));
    expect((await api("GET", "/clusters", { headers: h })).status).toBe(401);
    const again = (await api("POST", "/api/sys/tokens", { body: { login: DEMO_USER, password: DEMO_PASSWORD }, headers: { Authorization: "" } })).body as { $key: string };
    const h2 = { Authorization: "", "x-yottabyte-token": again.$key };
    expect((await api("DELETE", `/api/sys/tokens/${again.$key}`, { headers: h2 })).status).toBe(200);
    expect((await api("GET", "/clusters", { headers: h2 })).status).toBe(401);
    expect((await api("POST", "/api/sys/tokens", { body: { login: DEMO_USER, password: "x" }, headers: { Authorization: "" } })).status).toBe(401);
  });

  it("tiers fill up (507), drives are sized in bytes and never shrink", async () => {
    const vm = (await api("POST", "/vms", { body: { name: "disk" } })).body as { response: { machine: string } };
    const tiers = (await api("GET", "/storage_tiers")).body as { tier: number; capacity: number; used: number }[];
    const t3 = tiers.find((t) => t.tier === 3);
    if (!t3) throw new Error("tier 3");
    const free = t3.capacity - t3.used;
    const r = await api("POST", "/machine_drives", { body: { machine: vm.response.machine, media: "disk", interface: "virtio-scsi", disksize: free + 1, preferred_tier: "3" } });
    expect(r.status).toBe(507);
    expect((r.body as { err: string }).err).toMatch(/Insufficient storage on tier 3/);
    const ok = (await api("POST", "/machine_drives", { body: { machine: vm.response.machine, media: "import", media_source: 7, interface: "virtio-scsi", preferred_tier: "3" } })).body as { $key: string };
    const drive = (await api("GET", `/machine_drives/${ok.$key}`)).body as { disksize: number };
    expect(drive.disksize).toBe(3.5 * 1024 ** 3); // the image's size when none is asked for
    expect((await api("PUT", `/machine_drives/${ok.$key}`, { body: { disksize: 1024 } })).status).toBe(422);
  });

  it("fault injection fails the next N matching calls with a status and delays answers", async () => {
    sim.faults.failNext({ method: "GET", path: "/clusters", status: 503, message: "maintenance", count: 2 });
    expect(await api("GET", "/clusters")).toEqual({ status: 503, body: { err: "maintenance" } });
    expect((await api("GET", "/clusters")).status).toBe(503);
    expect((await api("GET", "/clusters")).status).toBe(200);
    sim.faults.slowDown(150);
    const t = Date.now();
    await api("GET", "/vnets");
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    sim.faults.reset();
  });
});
