/**
 * A VergeOS API v4 simulator over HTTP(S): the three auth modes, list queries, creates that
 * answer 201 `{location, dbpath, $row, $key}`, errors as `{"err": "..."}`, asynchronous power
 * state, tiers that fill up (507), names that clash (409), GPU groups whose devices are busy
 * (507 at power-on), and fault injection. It never uses the portal's VergeOS client.
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { Faults } from "./faults";
import { matches, parseFilter, project, QueryError, sortRows, type Row } from "./query";
import { DRIVE_INTERFACES, DRIVE_MEDIA, NIC_INTERFACES, SimError, SimState, type SimSeed, type SimVm } from "./state";

export type VergeSimulatorOptions = {
  host?: string;
  port?: number;
  /** HTTPS with this key and certificate (PEM); plain HTTP without. */
  tls?: { key: string; cert: string };
  seed: SimSeed;
  apiKeys?: string[];
  users?: { username: string; password: string }[];
  /** A session token lapses after this long without use. Default 15 min. */
  tokenIdleMs?: number;
  /** poweron: `starting` for this long, then `running`. Default 300 ms. */
  powerOnMs?: number;
  /** poweroff (ACPI): `stopping` for this long, then `stopped`. Default 300 ms. */
  powerOffMs?: number;
  /** After `running`, NIC `ipaddress` and `agent_guest_info` appear after this long. Default 200 ms. */
  agentDelayMs?: number;
  /** Leave `response.machine` out of `POST /vms` replies (as in the older guide). */
  omitMachineInCreateReply?: boolean;
};

export type VergeRequestLog = { method: string; path: string; query: Record<string, string>; body: unknown; auth: "bearer" | "basic" | "token" | "none"; status: number };

export type VergeSimulator = {
  url: string;
  port: number;
  state: SimState;
  faults: Faults;
  requests: VergeRequestLog[];
  /** TCP connections accepted so far (keep-alive clients reuse them). */
  readonly connections: number;
  /** Closes every open connection (idle keep-alive ones included). */
  dropConnections(): void;
  /** Makes every issued session token lapse now. */
  expireTokens(): void;
  /** The guest of this VM ignores ACPI power-off (poweroff then never stops it). */
  ignoreAcpi(vmKey: number, ignore?: boolean): void;
  stop(): Promise<void>;
};

const API = "/api/v4";
const TOKENS = "/api/sys/tokens";

function int(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function flag(value: unknown): boolean | undefined {
  if (value === true || value === "true" || value === 1 || value === "1") return true;
  if (value === false || value === "false" || value === 0 || value === "0") return false;
  return undefined;
}

function keyOf(value: unknown, field: string): number {
  const k = int(value);
  if (k === undefined) throw new SimError(value === undefined ? 400 : 422, value === undefined ? `Missing field: '${field}'` : `Validation error on field: '${field}' - 'fails validation test'`);
  return k;
}

export async function startVergeSimulator(options: VergeSimulatorOptions): Promise<VergeSimulator> {
  const state = new SimState(options.seed);
  const faults = new Faults();
  const requests: VergeRequestLog[] = [];
  const tokens = new Map<string, { user: string; lastUsed: number }>();
  const acpiIgnored = new Set<number>();
  const timers = new Set<NodeJS.Timeout>();
  const tokenIdleMs = options.tokenIdleMs ?? 15 * 60_000;
  const powerOnMs = options.powerOnMs ?? 300;
  const powerOffMs = options.powerOffMs ?? 300;
  const agentDelayMs = options.agentDelayMs ?? 200;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const created = (table: string, key: number, response?: Record<string, unknown>) => ({
    status: 201,
    body: { location: `/v4/${table}/${key}`, dbpath: `${table}/${key}`, $row: key, $key: String(key), ...(response ? { response } : {}) },
  });

  // ------------------------------------------------------------------ auth

  function authenticate(req: http.IncomingMessage): VergeRequestLog["auth"] {
    const authz = req.headers.authorization ?? "";
    const token = req.headers["x-yottabyte-token"];
    if (typeof token === "string" && token) {
      const t = tokens.get(token);
      if (!t || Date.now() - t.lastUsed > tokenIdleMs) {
        tokens.delete(token);
        throw new SimError(401, "Login required: the session token is invalid or has expired");
      }
      t.lastUsed = Date.now();
      return "token";
    }
    if (authz.startsWith("Bearer ")) {
      if (!(options.apiKeys ?? []).includes(authz.slice(7))) throw new SimError(401, "Invalid API key");
      return "bearer";
    }
    if (authz.startsWith("Basic ")) {
      const [user, ...rest] = Buffer.from(authz.slice(6), "base64").toString("utf8").split(":");
      if (!(options.users ?? []).some((u) => u.username === user && u.password === rest.join(":"))) throw new SimError(401, "Invalid username or password");
      return "basic";
    }
    throw new SimError(401, "Login required");
  }

  // ------------------------------------------------------------------ tables

  const statusTimerGuard = new Map<number, number>(); // machine -> generation, so a kill cancels a pending start

  function setPower(machine: number, to: "running" | "stopped", via?: string) {
    const s = state.statusOf(machine);
    if (!s) return;
    const gen = (statusTimerGuard.get(machine) ?? 0) + 1;
    statusTimerGuard.set(machine, gen);
    if (to === "stopped") {
      Object.assign(s, { status: "stopped", state: "offline", running: false, powerstate: false, node: null, started: null, agent_guest_info: null, status_info: via ?? "" });
      for (const n of state.nics.values()) if (n.machine === machine) n.ipaddress = "";
      return;
    }
    Object.assign(s, { status: "running", state: "online", running: true, powerstate: true, node: "node1", started: Math.floor(Date.now() / 1000), status_info: "" });
    later(agentDelayMs, () => {
      if (statusTimerGuard.get(machine) !== gen || !s.running) return;
      let i = 10;
      const addrs: string[] = [];
      for (const n of state.nics.values()) {
        if (n.machine !== machine) continue;
        n.ipaddress = `10.20.${n.vnet}.${(machine % 200) + i++}`;
        addrs.push(n.ipaddress);
      }
      s.agent_guest_info = { hostname: state.vmByMachine(machine)?.name ?? "", network: addrs.map((a, j) => ({ name: `eth${j}`, "ip-addresses": [{ "ip-address": a, "ip-address-type": "ipv4" }] })) };
    });
  }

  function vmAction(body: Row) {
    const vm = state.vms.get(keyOf(body.vm, "vm"));
    if (!vm || vm.is_snapshot) throw new SimError(404, `VM ${String(body.vm)} not found`);
    const s = state.statusOf(vm.machine);
    if (!s) throw new SimError(500, "machine status missing");
    const action = body.action;
    const machine = vm.machine;
    switch (action) {
      case "poweron": {
        if (s.running || s.status === "starting") throw new SimError(409, `VM '${vm.name}' is already running`);
        for (const d of state.devices.values()) {
          if (d.machine !== machine) continue;
          const group = [...state.resourceGroups.values()].find((g) => g.uuid === d.resource_group);
          if (!group || !group.enabled) throw new SimError(404, `Resource group ${d.resource_group} not found`);
          if (state.groupInUse(group.uuid) >= group.devices) throw new SimError(507, `No free device in resource group '${group.name}': all ${group.devices} are in use`);
        }
        const gen = (statusTimerGuard.get(machine) ?? 0) + 1;
        statusTimerGuard.set(machine, gen);
        // Reserve the devices at once: a second power-on in the meantime must not get them.
        Object.assign(s, { status: "starting", state: "online", running: true, powerstate: true, node: "node1" });
        later(powerOnMs, () => {
          if (statusTimerGuard.get(machine) === gen) setPower(machine, "running");
        });
        return { status: 201, body: { task: randomBytes(4).readUInt32BE() % 100000 } };
      }
      case "poweroff": {
        if (!s.running) throw new SimError(409, `VM '${vm.name}' is not running`);
        if (acpiIgnored.has(vm.$key)) return { status: 201, body: {} };
        const gen = (statusTimerGuard.get(machine) ?? 0) + 1;
        statusTimerGuard.set(machine, gen);
        s.status = "stopping";
        later(powerOffMs, () => {
          if (statusTimerGuard.get(machine) === gen) setPower(machine, "stopped", "poweroff");
        });
        return { status: 201, body: {} };
      }
      case "kill": {
        if (!s.running) throw new SimError(409, `VM '${vm.name}' is not running`);
        setPower(machine, "stopped", "killed");
        return { status: 201, body: {} };
      }
      case "reset": {
        if (!s.running) throw new SimError(409, `VM '${vm.name}' is not running`);
        s.started = Math.floor(Date.now() / 1000);
        return { status: 201, body: {} };
      }
      case undefined:
        throw new SimError(400, "Missing field: 'action'");
      default:
        throw new SimError(422, `Validation error on field: 'action' - 'fails validation test'`);
    }
  }

  function createVm(body: Row) {
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (!name) throw new SimError(400, "Missing field: 'name'");
    if ([...state.vms.values()].some((v) => v.name === name)) throw new SimError(409, `A VM named '${name}' already exists`);
    const clusterKey = body.cluster === undefined ? 1 : keyOf(body.cluster, "cluster");
    const cluster = state.clusters.get(clusterKey);
    if (!cluster) throw new SimError(404, `Cluster ${String(body.cluster)} not found`);
    const ram = body.ram === undefined ? 1024 : int(body.ram);
    const cores = body.cpu_cores === undefined ? 1 : int(body.cpu_cores);
    if (ram === undefined || ram < 256 || ram > cluster.max_ram_per_vm) throw new SimError(422, `Validation error on field: 'ram' - 'fails validation test' (MB, 256 to ${cluster.max_ram_per_vm})`);
    if (cores === undefined || cores < 1 || cores > cluster.max_cores_per_vm) throw new SimError(422, `Validation error on field: 'cpu_cores' - 'fails validation test' (1 to ${cluster.max_cores_per_vm})`);
    const files = Array.isArray(body.cloudinit_files) ? (body.cloudinit_files as Row[]) : [];
    for (const f of files) if (typeof f?.name !== "string" || typeof f?.contents !== "string") throw new SimError(422, "Validation error on field: 'cloudinit_files' - 'fails validation test'");
    const datasource = typeof body.cloudinit_datasource === "string" ? body.cloudinit_datasource : "none";
    if (!["none", "nocloud", "config_drive_v2"].includes(datasource)) throw new SimError(422, "Validation error on field: 'cloudinit_datasource' - 'fails validation test'");
    const vm = state.addVm({
      name,
      cluster: clusterKey,
      cpu_cores: cores,
      ram,
      description: typeof body.description === "string" ? body.description : "",
      guest_agent: flag(body.guest_agent) ?? false,
      uefi: flag(body.uefi) ?? false,
      video: typeof body.video === "string" ? body.video : "std",
      cloudinit_datasource: datasource,
      cloudinit_files: datasource === "none" ? [] : files.map((f) => ({ name: String(f.name), contents: String(f.contents) })),
    });
    return created("vms", vm.$key, options.omitMachineInCreateReply ? undefined : { machine: String(vm.machine) });
  }

  function machineFor(body: Row): number {
    const machine = keyOf(body.machine, "machine");
    if (!state.vmByMachine(machine)) throw new SimError(404, `Machine ${machine} not found`);
    return machine;
  }

  function createDrive(body: Row) {
    const machine = machineFor(body);
    const media = typeof body.media === "string" ? body.media : "disk";
    const iface = typeof body.interface === "string" ? body.interface : "virtio-scsi";
    if (!DRIVE_MEDIA.has(media)) throw new SimError(422, "Validation error on field: 'media' - 'fails validation test'");
    if (!DRIVE_INTERFACES.has(iface)) throw new SimError(422, "Validation error on field: 'interface' - 'fails validation test'");
    let size = body.disksize === undefined ? undefined : int(body.disksize);
    if (body.disksize !== undefined && (size === undefined || size <= 0)) throw new SimError(422, "Validation error on field: 'disksize' - 'fails validation test'");
    let source: number | null = null;
    if (media === "import" || media === "clone" || media === "cdrom") {
      source = keyOf(body.media_source, "media_source");
      const file = state.files.get(source);
      if (!file) throw new SimError(404, `Media source ${source} not found`);
      if (media !== "cdrom") size = Math.max(size ?? 0, file.filesize); // at least the image
      else size = 0;
    } else if (media === "disk" && size === undefined) size = 0;
    const tierRaw = body.preferred_tier ?? "1";
    const tier = int(tierRaw);
    if (tier === undefined || tier < 1 || tier > 5) throw new SimError(422, "Validation error on field: 'preferred_tier' - 'fails validation test'");
    state.allocate(tier, size ?? 0);
    const key = state.key("drive");
    state.drives.set(key, { $key: key, machine, name: typeof body.name === "string" ? body.name : `drive_${key}`, media, interface: iface, disksize: size ?? 0, preferred_tier: String(tier), media_source: source });
    return created("machine_drives", key);
  }

  function updateDrive(key: number, body: Row) {
    const d = state.drives.get(key);
    if (!d) throw new SimError(404, `Drive ${key} not found`);
    if (body.disksize !== undefined) {
      const size = int(body.disksize);
      if (size === undefined || size <= 0) throw new SimError(422, "Validation error on field: 'disksize' - 'fails validation test'");
      if (size < d.disksize) throw new SimError(422, "Validation error on field: 'disksize' - drives cannot be shrunk");
      state.allocate(Number(d.preferred_tier), size - d.disksize);
      d.disksize = size;
    }
    if (typeof body.name === "string") d.name = body.name;
    return { status: 200, body: {} };
  }

  function createNic(body: Row) {
    const machine = machineFor(body);
    const vnet = keyOf(body.vnet, "vnet");
    if (!state.vnets.has(vnet)) throw new SimError(404, `Vnet ${vnet} not found`);
    const iface = typeof body.interface === "string" ? body.interface : "virtio";
    if (!NIC_INTERFACES.has(iface)) throw new SimError(422, "Validation error on field: 'interface' - 'fails validation test'");
    const key = state.key("nic");
    state.nics.set(key, { $key: key, machine, vnet, name: typeof body.name === "string" ? body.name : `nic_${key}`, interface: iface, macaddress: state.mac(), ipaddress: "" });
    return created("machine_nics", key);
  }

  function createDevice(body: Row) {
    const machine = machineFor(body);
    const uuid = typeof body.resource_group === "string" ? body.resource_group.toLowerCase() : undefined;
    if (body.resource_group === undefined) throw new SimError(400, "Missing field: 'resource_group'");
    const group = [...state.resourceGroups.values()].find((g) => g.uuid === uuid);
    if (!group) throw new SimError(404, `Resource group ${String(body.resource_group)} not found`);
    if (body.settings_args !== undefined && (typeof body.settings_args !== "object" || body.settings_args === null || Array.isArray(body.settings_args))) {
      throw new SimError(422, "Validation error on field: 'settings_args' - 'fails validation test'");
    }
    if (state.statusOf(machine)?.running) throw new SimError(409, "Devices can only be attached while the VM is powered off");
    const key = state.key("device");
    const devUuid = randomUUID();
    state.devices.set(key, { $key: key, machine, resource_group: group.uuid, uuid: devUuid, name: typeof body.name === "string" ? body.name : group.name, settings_args: (body.settings_args as Record<string, unknown>) ?? {} });
    return created("machine_devices", key, { uuid: devUuid });
  }

  function updateVm(vm: SimVm, body: Row) {
    const cluster = state.clusters.get(vm.cluster);
    if (body.name !== undefined && body.name !== vm.name) {
      if (typeof body.name !== "string" || !body.name.trim()) throw new SimError(422, "Validation error on field: 'name' - 'fails validation test'");
      if ([...state.vms.values()].some((v) => v.name === body.name)) throw new SimError(409, `A VM named '${body.name}' already exists`);
      vm.name = body.name;
    }
    if (body.ram !== undefined) {
      const ram = int(body.ram);
      if (ram === undefined || ram < 256 || ram > (cluster?.max_ram_per_vm ?? Infinity)) throw new SimError(422, "Validation error on field: 'ram' - 'fails validation test'");
      vm.ram = ram;
    }
    if (body.cpu_cores !== undefined) {
      const c = int(body.cpu_cores);
      if (c === undefined || c < 1 || c > (cluster?.max_cores_per_vm ?? Infinity)) throw new SimError(422, "Validation error on field: 'cpu_cores' - 'fails validation test'");
      vm.cpu_cores = c;
    }
    if (typeof body.description === "string") vm.description = body.description;
    return { status: 200, body: {} };
  }

  type TableDef = { rows: () => Row[]; resolve?: (row: Row, expr: string) => unknown };
  const tables: Record<string, TableDef> = {
    clusters: { rows: () => [...state.clusters.values()] },
    vnets: { rows: () => [...state.vnets.values()] },
    storage_tiers: { rows: () => [...state.tiers.values()] },
    files: { rows: () => [...state.files.values()] },
    resource_groups: {
      rows: () => [...state.resourceGroups.values()].map(({ devices: _d, ...g }) => g),
      resolve: (row, expr) => (expr.replace(/\s/g, "") === "count(resources)" ? [...state.resourceGroups.values()].find((g) => g.uuid === row.uuid)?.devices : undefined),
    },
    node_nvidia_vgpu_devices: { rows: () => [...state.vgpuDevices.values()] },
    vms: {
      rows: () => [...state.vms.values()].map(({ cloudinit_files: _f, ...vm }) => vm),
      resolve: (row, expr) => {
        const m = /^machine#status#(\w+)$/.exec(expr.trim());
        const s = m ? state.statusOf(Number(row.machine)) : undefined;
        return s && m?.[1] ? (s as unknown as Row)[m[1]] : undefined;
      },
    },
    machine_status: { rows: () => [...state.status.values()] },
    machine_drives: { rows: () => [...state.drives.values()] },
    machine_nics: { rows: () => [...state.nics.values()] },
    machine_devices: { rows: () => [...state.devices.values()] },
  };

  function list(table: string, q: URLSearchParams, key?: number) {
    const def = tables[table];
    if (!def) throw new SimError(404, `Table '${table}' not found`);
    let rows = def.rows();
    if (key !== undefined) {
      const row = rows.find((r) => r.$key === key);
      if (!row) throw new SimError(404, `Row ${key} not found in '${table}'`);
      return { status: 200, body: project(row, q.get("fields"), (e) => def.resolve?.(row, e)) };
    }
    const filter = q.get("filter");
    if (filter) {
      const expr = parseFilter(filter);
      rows = rows.filter((r) => matches(r, expr));
    }
    rows = sortRows(rows, q.get("sort"));
    const offset = Number(q.get("offset") ?? 0) || 0;
    const limit = Number(q.get("limit") ?? 0) || 0;
    rows = rows.slice(offset, limit > 0 ? offset + limit : undefined);
    return { status: 200, body: rows.map((r) => project(r, q.get("fields"), (e) => def.resolve?.(r, e))) };
  }

  async function route(req: http.IncomingMessage, path: string, q: URLSearchParams, body: Row): Promise<{ status: number; body: unknown }> {
    const method = req.method ?? "GET";
    if (path === TOKENS && method === "POST") {
      const login = typeof body.login === "string" ? body.login : "";
      if (!(options.users ?? []).some((u) => u.username === login && u.password === body.password)) throw new SimError(401, "Invalid username or password");
      const token = randomBytes(20).toString("hex");
      tokens.set(token, { user: login, lastUsed: Date.now() });
      return { status: 201, body: { location: `/sys/tokens/${token}`, dbpath: `tokens/${token}`, $row: tokens.size, $key: token } };
    }
    if (path.startsWith(`${TOKENS}/`) && method === "DELETE") {
      authenticate(req);
      tokens.delete(decodeURIComponent(path.slice(TOKENS.length + 1)));
      return { status: 200, body: null };
    }
    if (!path.startsWith(`${API}/`)) throw new SimError(404, "Not found");
    const [table = "", rawKey, ...rest] = path.slice(API.length + 1).split("/");
    if (rest.length > 0) throw new SimError(404, "Not found");
    const key = rawKey === undefined ? undefined : int(decodeURIComponent(rawKey));
    if (rawKey !== undefined && key === undefined) throw new SimError(404, `Row '${rawKey}' not found in '${table}'`);

    if (method === "GET") return list(table, q, key);
    if (method === "POST" && key === undefined) {
      if (table === "vms") return createVm(body);
      if (table === "machine_drives") return createDrive(body);
      if (table === "machine_nics") return createNic(body);
      if (table === "machine_devices") return createDevice(body);
      if (table === "vm_actions") return vmAction(body);
      throw new SimError(405, `POST not permitted on '${table}'`);
    }
    if (method === "PUT" && key !== undefined) {
      if (table === "vms") {
        const vm = state.vms.get(key);
        if (!vm) throw new SimError(404, `VM ${key} not found`);
        return updateVm(vm, body);
      }
      if (table === "machine_drives") return updateDrive(key, body);
      throw new SimError(405, `PUT not permitted on '${table}'`);
    }
    if (method === "DELETE" && key !== undefined) {
      if (table === "vms") {
        const vm = state.vms.get(key);
        if (!vm) throw new SimError(404, `VM ${key} not found`);
        if (state.statusOf(vm.machine)?.running) throw new SimError(409, `VM '${vm.name}' is running: power it off first`);
        state.deleteVm(vm);
        return { status: 200, body: null };
      }
      const map = { machine_drives: state.drives, machine_nics: state.nics, machine_devices: state.devices }[table];
      if (!map) throw new SimError(405, `DELETE not permitted on '${table}'`);
      const row = map.get(key);
      if (!row) throw new SimError(404, `Row ${key} not found in '${table}'`);
      if (table === "machine_drives") {
        const d = state.drives.get(key);
        if (d) state.release(Number(d.preferred_tier), d.disksize);
      }
      map.delete(key);
      return { status: 200, body: null };
    }
    throw new SimError(405, `${method} not permitted`);
  }

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://sim");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let status = 500;
    let out: unknown;
    let auth: VergeRequestLog["auth"] = "none";
    let body: Row = {};
    const extraHeaders: Record<string, string> = {};
    try {
      if (raw.trim()) {
        try {
          const parsed: unknown = JSON.parse(raw);
          if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
          body = parsed as Row;
        } catch {
          throw new SimError(400, "Invalid JSON in request body");
        }
        if (!/application\/json/i.test(req.headers["content-type"] ?? "")) throw new SimError(400, "Content-Type must be application/json");
      }
      const apiPath = path.startsWith(`${API}/`) ? path.slice(API.length) : path;
      const delay = faults.delayFor(apiPath);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const fault = faults.take(method, apiPath);
      if (fault) {
        if (fault.retryAfter !== undefined) extraHeaders["Retry-After"] = String(fault.retryAfter);
        throw new SimError(fault.status, fault.message ?? `Injected failure (${fault.status})`);
      }
      if (!(path === TOKENS && method === "POST")) auth = authenticate(req);
      const result = await route(req, path, url.searchParams, body);
      status = result.status;
      out = result.body;
    } catch (error) {
      if (error instanceof SimError) {
        status = error.status;
        out = { err: error.message };
      } else if (error instanceof QueryError) {
        status = 400;
        out = { err: error.message };
      } else {
        status = 500;
        out = { err: error instanceof Error ? error.message : String(error) };
      }
    }
    requests.push({ method, path: path.startsWith(API) ? path.slice(API.length) : path, query: Object.fromEntries(url.searchParams), body: path === TOKENS ? undefined : raw ? body : undefined, auth, status });
    if (requests.length > 5000) requests.shift();
    const text = out === null || out === undefined ? "" : JSON.stringify(out);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)), ...extraHeaders });
    res.end(text);
  };

  const server: http.Server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  let connections = 0;
  server.on("connection", () => connections++);
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? "127.0.0.1";

  return {
    url: `${options.tls ? "https" : "http"}://${host}:${port}`,
    port,
    state,
    faults,
    requests,
    get connections() {
      return connections;
    },
    expireTokens: () => tokens.clear(),
    dropConnections: () => server.closeAllConnections(),
    ignoreAcpi: (vmKey, ignore = true) => (ignore ? acpiIgnored.add(vmKey) : acpiIgnored.delete(vmKey)),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
