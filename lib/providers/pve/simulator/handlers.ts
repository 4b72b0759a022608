/**
 * The simulated endpoints, following qemu-server's PVE::API2::Qemu, pve-manager's PVE::API2::Tasks /
 * Cluster / Nodes and pve-access-control: which checks run synchronously (HTTP 500 before any UPID)
 * and which inside the worker (the task's exit status), and the texts they fail with.
 */
import { createHash } from "node:crypto";
import type { AuthService } from "./auth";
import { PveApiError, die, paramExc, permExc } from "./errors";
import type { RawParam } from "./form";
import { type ApiSchema, type SchemaProp, lookupProp, parsePropertyString, scalarString, splitList } from "./schema";
import {
  type ClusterState,
  DISK_KEY_RE,
  type ParsedDrive,
  type SimStorage,
  type SimVm,
  type SimVolume,
  currentMemoryMb,
  driveIsCdrom,
  driveOpt,
  isCloudinitVolume,
  isFileStorage,
  parseDrive,
  printDrive,
  setDriveOpt,
} from "./state";
import { InjectedTaskError, type TaskContext, type TaskEngine, decodeUpid } from "./tasks";
import type { PveTaskType, PveVersion } from "./types";
import { GiB, MiB, formatSize, hash32, parseSize, renderBytes, uuidFor } from "./util";

export type SimContext = {
  version: PveVersion;
  state: ClusterState;
  tasks: TaskEngine;
  auth: AuthService;
  schema: ApiSchema;
  clock: () => number;
  agentDelayMs: number;
  /** a new VM has no RRD stats in /cluster/resources for this long */
  resourcesLagMs: number;
  firstVmid: number;
  clusterName: string;
};

export type Params = Map<string, RawParam>;

export type CallContext = {
  sim: SimContext;
  params: Params;
  /** authenticated user or token id ("root@pam!hangar"); undefined for unauthenticated paths */
  user: string;
  method: string;
  apiPath: string;
};

export type Reply = { data: unknown; total?: number };
export type Handler = (c: CallContext) => Reply;

const reply = (data: unknown, total?: number): Reply => (total === undefined ? { data } : { data, total });

// ------------------------------------------------------------------------------------------ params

function str(p: Params, k: string): string | undefined {
  const v = p.get(k);
  return v === undefined || v === null ? undefined : scalarString(v);
}
function int(p: Params, k: string): number | undefined {
  const s = str(p, k);
  return s === undefined ? undefined : parseInt(s, 10);
}
function bool(p: Params, k: string): boolean | undefined {
  const v = p.get(k);
  if (v === undefined || v === null) return undefined;
  return v === true || scalarString(v) === "1";
}

/** the user a task belongs to: the token id for tokens */
const taskUser = (c: CallContext) => c.user || "root@pam";

function rootOnly(c: CallContext, keys: string[]): void {
  for (const k of keys) if (bool(c.params, k) && c.user !== "root@pam") paramExc({ [k]: "Only root may use this option." });
}

function startTask(c: CallContext, node: string, type: PveTaskType, id: string | number, worker: (ctx: TaskContext) => Promise<void>): string {
  const n = c.sim.state.nodes.get(node);
  const info = { name: node, bootTime: n?.bootTime ?? c.sim.clock(), nextPid: () => c.sim.state.nextPid(node) };
  return c.sim.tasks.start(info, type, String(id), taskUser(c), worker).upid;
}

const checkLock = (vm: SimVm) => {
  if (vm.config.lock) die(`VM is locked (${vm.config.lock})`);
};

// ------------------------------------------------------------------------------------------ formats

function netFormat(schema: ApiSchema): Record<string, SchemaProp> {
  const f = schema.byPath.get("/nodes/{node}/qemu/{vmid}/config")?.info?.PUT?.parameters?.properties?.["net[n]"]?.format;
  return typeof f === "object" ? f : {};
}

/** parse_net + print_net: adds a MAC address when there is none */
function normalizeNet(sim: SimContext, value: string, mac: () => string): string {
  const fmt = netFormat(sim.schema);
  let parsed: Record<string, string | number>;
  try {
    parsed = parsePropertyString(fmt, value);
  } catch {
    return value;
  }
  const model = parsed.model ?? "virtio";
  const macaddr = parsed.macaddr ?? mac();
  const rest = Object.keys(parsed)
    .filter((k) => k !== "model" && k !== "macaddr")
    .sort()
    .map((k) => `${k}=${parsed[k]}`);
  return [`${model}=${macaddr}`, ...rest].join(",");
}

/** PVE::GuestHelpers::get_unique_tags with the default tag style (sorted, lower-case, unique) */
function uniqueTags(tags: string): string {
  const seen = new Set<string>();
  const res: string[] = [];
  for (const t of splitList(tags).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))) {
    const l = t.toLowerCase();
    if (seen.has(l)) continue;
    seen.add(l);
    res.push(l);
  }
  return res.join(";");
}

/** uri_unescape: %XX to bytes, read as UTF-8 */
function uriUnescape(s: string): string {
  return Buffer.from(s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
}

const SSH_KEY_TYPES = [
  "ssh-rsa",
  "ssh-dss",
  "ssh-ed25519",
  "ssh-ed448",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];

/** PVE::Tools::validate_ssh_public_keys (ssh-keygen -l on every non-blank line) */
export function validateSshPublicKeys(raw: string): void {
  for (const line of raw.split("\n")) {
    if (/^\s*$/.test(line)) continue;
    const tokens = line.trim().split(/\s+/);
    let ok = false;
    for (let i = 0; i < tokens.length - 1 && !ok; i++) {
      const type = tokens[i] as string;
      if (!SSH_KEY_TYPES.includes(type)) continue;
      const b64 = tokens[i + 1] as string;
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
      const blob = Buffer.from(b64, "base64");
      if (blob.length < 4) continue;
      const len = blob.readUInt32BE(0);
      ok = blob.length >= 4 + len && blob.subarray(4, 4 + len).toString("latin1") === type && blob.length > 4 + len;
    }
    if (!ok) die("SSH public key validation error");
  }
}

/** PVE::Tools::encrypt_pw: a sha256-crypt style hash ($5$salt$hash) */
function encryptPw(pw: string, vmid: number): string {
  const salt = createHash("sha256").update(`salt/${vmid}/${pw.length}`).digest("base64").replace(/[^A-Za-z0-9./]/g, "").slice(0, 16);
  const hash = createHash("sha256").update(`${salt}${pw}`).digest("base64").replace(/[^A-Za-z0-9./]/g, "").slice(0, 43);
  return `$5$${salt}$${hash}`;
}

/** Options that take effect at once on a running VM (fast-plug, cloud-init, hotplugged NICs and disks); the rest wait in [PENDING]. */
function appliesLive(opt: string): boolean {
  return (
    /^(name|description|tags|onboot|protection|lock|startup|shares|tablet|vmstatestorage|hookscript|freeze|cicustom|ciupgrade|cipassword|citype|ciuser|nameserver|searchdomain|sshkeys|balloon)$/.test(opt) ||
    /^(ipconfig|net|scsi|virtio|sata|unused)\d+$/.test(opt)
  );
}

// ------------------------------------------------------------------------------------------ disks

const LV_EXTENT = 4 * MiB;

/** What lvcreate / qemu-img create print when a volume is allocated. */
function allocLog(vol: SimVolume): string[] {
  const s = vol.storage;
  const lvname = vol.volname.split("/").pop() as string;
  if (s.type === "lvmthin" || s.type === "lvm") return [`  Logical volume "${lvname}" created.`];
  if (isFileStorage(s)) {
    const path = `${s.path}/images/${vol.volname.split("/").slice(-2).join("/")}`;
    return vol.format === "qcow2"
      ? [`Formatting '${path}', fmt=qcow2 cluster_size=65536 extended_l2=off preallocation=metadata compression_type=zlib size=${vol.sizeBytes} lazy_refcounts=off refcount_bits=16`]
      : [`Formatting '${path}', fmt=raw size=${vol.sizeBytes} preallocation=off`];
  }
  return [];
}

function freeLog(vol: SimVolume): string[] {
  const s = vol.storage;
  if (s.type === "lvmthin" || s.type === "lvm") return [`  Logical volume "${vol.volname.split("/").pop()}" successfully removed.`];
  return [];
}

/** Allocates the disks of `STORAGE:SIZE` / `STORAGE:cloudinit` drive values (create_disks). */
function createDisks(c: CallContext, node: string, vmid: number, drives: Record<string, string>, log: (l: string) => void, created: SimVolume[]): Record<string, string> {
  const res: Record<string, string> = {};
  const { state } = c.sim;
  for (const [ds, value] of Object.entries(drives)) {
    const d = parseDrive(value);
    const newDisk = /^(?:([^:\s]+):)?(\d+(\.\d+)?)$/.exec(d.file);
    const ci = /^([^:\s]+):cloudinit$/.exec(d.file);
    if (ci) {
      const s = state.checkStorageEnabled(ci[1] as string, node);
      const vol = state.allocVolume(s, vmid, 4 * MiB, { cloudinit: true, format: "qcow2" });
      created.push(vol);
      allocLog(vol).forEach(log);
      d.file = vol.volid;
      setDriveOpt(d, "media", "cdrom");
      res[ds] = printDrive(d);
      log(`${ds}: successfully created disk '${res[ds]}'`);
    } else if (newDisk) {
      const sid = newDisk[1];
      if (!sid) die("no storage ID specified (and no default storage)");
      const s = state.checkStorageEnabled(sid, node);
      if (!s.content.includes("images")) die(`storage '${sid}' does not support content-type 'images'`);
      const size = Math.floor(Number(newDisk[2]) * GiB);
      const fmt = driveOpt(d, "format");
      const vol = state.allocVolume(s, vmid, size, { format: fmt === "qcow2" ? "qcow2" : "raw" });
      created.push(vol);
      allocLog(vol).forEach(log);
      d.file = vol.volid;
      setDriveOpt(d, "format", undefined);
      setDriveOpt(d, "size", formatSize(size));
      res[ds] = printDrive(d);
      log(`${ds}: successfully created disk '${res[ds]}'`);
    } else {
      // an existing volume or ISO: check it can be found
      if (d.file !== "none" && d.file !== "cdrom" && !d.file.startsWith("/")) {
        const m = /^([^:]+):(.+)$/.exec(d.file);
        if (m) {
          const s = state.storageOn(node, m[1] as string);
          if (!s) die(`storage '${m[1]}' does not exist`);
          if (/^iso\//.test(m[2] as string) && !s.content.includes("iso")) die(`storage '${m[1]}' does not support content-type 'iso'`);
        }
      }
      res[ds] = value;
    }
  }
  return res;
}

// ------------------------------------------------------------------------------------------ read-only

const VERSION_INFO: Record<PveVersion, { version: string; release: string; repoid: string }> = {
  "7.4": { version: "7.4-19", release: "7.4", repoid: "f98bf8d4" },
  "8.4": { version: "8.4.5", release: "8.4", repoid: "57892e8e686cb35b" },
  "9.1": { version: "9.1.6", release: "9.1", repoid: "71482d18" },
};

const getVersion: Handler = (c) => reply({ ...VERSION_INFO[c.sim.version] });

const getNodes: Handler = (c) => {
  const { state, clock } = c.sim;
  return reply(
    [...state.nodes.values()].map((n) => {
      const base = { node: n.name, id: `node/${n.name}`, type: "node", status: n.online ? "online" : "offline" };
      if (!n.online) return base;
      return {
        ...base,
        level: "",
        cpu: 0.031 + (n.index % 5) * 0.007,
        maxcpu: n.cpus,
        mem: Math.floor(n.memoryBytes * (0.22 + 0.05 * n.index)),
        maxmem: n.memoryBytes,
        disk: 9 * GiB + n.index * GiB,
        maxdisk: 94 * GiB,
        uptime: Math.floor((clock() - n.bootTime) / 1000),
        ssl_fingerprint: Array.from({ length: 32 }, (_v, i) => ((hash32(`${n.name}/${i}`) & 0xff).toString(16).toUpperCase().padStart(2, "0"))).join(":"),
      };
    }),
  );
};

function storageStatus(c: CallContext, s: SimStorage, withFormats: boolean): Record<string, unknown> {
  const used = c.sim.state.usedBytes(s);
  const item: Record<string, unknown> = {
    storage: s.id,
    type: s.type,
    content: [...s.content].sort().join(","),
    active: 1,
    enabled: s.enabled ? 1 : 0,
    shared: s.shared ? 1 : 0,
    total: s.totalBytes,
    used,
    avail: s.totalBytes - used,
    used_fraction: used / s.totalBytes,
  };
  if (withFormats) {
    const file = isFileStorage(s);
    item.formats = { default: "raw", supported: file ? ["raw", "qcow2", "vmdk"] : ["raw"] };
  }
  return item;
}

const getNodeStorage: Handler = (c) => {
  const { state } = c.sim;
  const node = str(c.params, "node") as string;
  const content = str(c.params, "content");
  const target = str(c.params, "target");
  const only = str(c.params, "storage");
  const enabledOnly = bool(c.params, "enabled");
  let list = state.storagesOn(node);
  if (content) list = list.filter((s) => splitList(content).every((ct) => s.content.includes(ct)));
  if (only) list = list.filter((s) => s.id === only);
  if (enabledOnly) list = list.filter((s) => s.enabled);
  if (target && target !== node) list = list.filter((s) => s.shared && s.nodes.includes(target));
  return reply(list.map((s) => storageStatus(c, s, bool(c.params, "format") === true)));
};

function vmStatusBase(sim: SimContext, vm: SimVm): Record<string, unknown> {
  const { state } = sim;
  const running = vm.running;
  const maxmem = state.maxmemBytes(vm);
  const d: Record<string, unknown> = {
    vmid: vm.vmid,
    name: vm.config.name || `VM ${vm.vmid}`,
    status: running ? "running" : "stopped",
    cpus: state.cpus(vm),
    maxmem,
    maxdisk: state.maxdiskBytes(vm),
    disk: 0,
    mem: running ? Math.floor(maxmem * (0.35 + (vm.vmid % 7) * 0.05)) : 0,
    cpu: running ? 0.004 + (vm.vmid % 10) / 1000 : 0,
    uptime: state.uptime(vm),
    netin: running ? 1_500_000 + vm.vmid * 913 : 0,
    netout: running ? 380_000 + vm.vmid * 311 : 0,
    diskread: running ? 310_000_000 + vm.vmid * 4096 : 0,
    diskwrite: running ? 95_000_000 + vm.vmid * 2048 : 0,
  };
  if (running && vm.pid) d.pid = vm.pid;
  if (state.isTemplate(vm)) d.template = 1;
  if (Object.keys(vm.config).some((k) => /^serial\d+$/.test(k))) d.serial = 1;
  if (vm.config.lock) d.lock = vm.config.lock;
  if (vm.config.tags !== undefined) d.tags = vm.config.tags;
  return d;
}

const getClusterResources: Handler = (c) => {
  const { state } = c.sim;
  const type = str(c.params, "type");
  const res: Record<string, unknown>[] = [];
  if (!type) for (const pool of [...state.pools].sort()) res.push({ id: `/pool/${pool}`, type: "pool", pool });
  if (!type || type === "vm") {
    // PVE iterates `sort keys %$idlist`: VMIDs in string order
    for (const vm of [...state.vms.values()].sort((a, b) => (String(a.vmid) < String(b.vmid) ? -1 : 1))) {
      let item: Record<string, unknown>;
      if (c.sim.clock() - vm.createdAt < c.sim.resourcesLagMs) {
        // no RRD data yet (pvestatd updates every 10 s): only what the VM list knows
        item = { id: `qemu/${vm.vmid}`, vmid: vm.vmid, node: vm.node, type: "qemu", status: "unknown" };
      } else {
        const s = vmStatusBase(c.sim, vm);
        item = {
          id: `qemu/${vm.vmid}`,
          vmid: vm.vmid,
          node: vm.node,
          type: "qemu",
          status: s.status,
          uptime: s.uptime,
          template: state.isTemplate(vm) ? 1 : 0,
          maxcpu: s.cpus,
          cpu: s.cpu,
          maxmem: s.maxmem,
          mem: s.mem,
          maxdisk: s.maxdisk,
          disk: 0,
          netin: s.netin,
          netout: s.netout,
          diskread: s.diskread,
          diskwrite: s.diskwrite,
          memhost: s.mem,
        };
        if (vm.config.name) item.name = vm.config.name;
      }
      const pool = state.poolOf(vm.vmid);
      if (pool) item.pool = pool;
      if (vm.config.lock) item.lock = vm.config.lock;
      if (vm.config.tags) item.tags = vm.config.tags;
      res.push(item);
    }
  }
  if (!type || type === "node") {
    for (const n of getNodes(c).data as Record<string, unknown>[]) {
      const item = { ...n, "cgroup-mode": 2 };
      delete (item as Record<string, unknown>).ssl_fingerprint;
      res.push(item);
    }
  }
  if (!type || type === "storage") {
    for (const node of state.nodes.values()) {
      for (const s of state.storagesOn(node.name)) {
        const used = state.usedBytes(s);
        res.push({
          id: `storage/${node.name}/${s.id}`,
          type: "storage",
          node: node.name,
          storage: s.id,
          status: "available",
          plugintype: s.type,
          content: [...s.content].sort().join(","),
          shared: s.shared ? 1 : 0,
          disk: used,
          maxdisk: s.totalBytes,
        });
      }
    }
  }
  return reply(res);
};

const getNextId: Handler = (c) => {
  const { state } = c.sim;
  const vmid = str(c.params, "vmid");
  if (vmid) {
    if (!state.vms.has(Number(vmid))) return reply(vmid);
    paramExc({ vmid: `VM ${vmid} already exists` });
  }
  // PVE answers a string: the number was used as a hash key, so JSON::XS encodes it as a string
  return reply(String(state.nextFreeVmid(c.sim.firstVmid)));
};

const getTicketDummy: Handler = () => reply(null);

const postTicket: Handler = (c) => {
  let username = str(c.params, "username") as string;
  const realm = str(c.params, "realm");
  if (realm) username = `${username}@${realm}`;
  const res = c.sim.auth.login(username, str(c.params, "password") ?? "");
  if (!res) throw new PveApiError("authentication failure", 401);
  const priv = (names: string[]) => Object.fromEntries(names.map((n) => [n, 1]));
  const cap = {
    vms: priv(["VM.Allocate", "VM.Audit", "VM.Clone", "VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Cloudinit", "VM.Config.Disk", "VM.Config.HWType", "VM.Config.Memory", "VM.Config.Network", "VM.Config.Options", "VM.Console", "VM.Migrate", "VM.PowerMgmt", "VM.Snapshot", "Permissions.Modify"]),
    storage: priv(["Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit", "Permissions.Modify"]),
    nodes: priv(["Sys.Audit", "Sys.Console", "Sys.Modify", "Sys.PowerMgmt", "Sys.Syslog", "Permissions.Modify"]),
    access: priv(["User.Modify", "Group.Allocate", "Permissions.Modify"]),
    dc: priv(["Sys.Audit", "Sys.Modify", "SDN.Allocate", "SDN.Audit", "SDN.Use"]),
    sdn: priv(["SDN.Allocate", "SDN.Audit", "SDN.Use", "Permissions.Modify"]),
  };
  return reply({ ...res, cap, clustername: c.sim.clusterName });
};

const listQemu: Handler = (c) => {
  const node = str(c.params, "node") as string;
  const vms = [...c.sim.state.vms.values()].filter((v) => v.node === node).sort((a, b) => a.vmid - b.vmid);
  return reply(vms.map((vm) => ({ ...vmStatusBase(c.sim, vm), ...(bool(c.params, "full") ? { qmpstatus: vm.running ? "running" : "stopped" } : {}) })));
};

// ------------------------------------------------------------------------------------------ tasks

const taskStatus: Handler = (c) => {
  const upid = str(c.params, "upid") as string;
  const node = str(c.params, "node") as string;
  const decoded = decodeUpid(upid);
  if (!decoded) paramExc({ upid: "unable to parse worker upid" });
  const task = c.sim.tasks.tasks.get(upid);
  // the task log lives on the node that ran the task
  if (!task || task.node !== node) paramExc({ upid: "no such task" });
  const res: Record<string, unknown> = {
    upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user: task.user,
    status: task.status,
  };
  const tm = /^(.+@[^!]+)!(.+)$/.exec(task.user);
  if (tm) {
    res.user = tm[1];
    res.tokenid = tm[2];
  }
  if (task.status === "stopped") res.exitstatus = task.exitstatus;
  return reply(res);
};

/** PVE::API2::Tasks stop_task: signals a running worker (it dies `interrupted by signal`); an ended task is left alone. */
const stopTask: Handler = (c) => {
  const upid = str(c.params, "upid") as string;
  const node = str(c.params, "node") as string;
  if (!decodeUpid(upid)) paramExc({ upid: "unable to parse worker upid" });
  const task = c.sim.tasks.tasks.get(upid);
  if (!task || task.node !== node) paramExc({ upid: "no such task" });
  c.sim.tasks.stop(upid);
  return reply(null);
};

const taskLog: Handler = (c) => {
  const upid = str(c.params, "upid") as string;
  const node = str(c.params, "node") as string;
  if (!decodeUpid(upid)) paramExc({ upid: "unable to parse worker upid" });
  if (bool(c.params, "download") && (c.params.get("start") !== undefined || c.params.get("limit") !== undefined)) {
    die("'download' cannot be used together with 'start' or 'limit' parameters");
  }
  const task = c.sim.tasks.tasks.get(upid);
  if (!task || task.node !== node) return reply([{ n: 1, t: "unable to open file - No such file or directory" }], 1);
  const start = int(c.params, "start") ?? 0;
  const limit = int(c.params, "limit") ?? 50;
  const lines: { n: number; t: string }[] = [];
  let count = 0;
  let remaining = limit;
  for (const t of task.lines) {
    if (count++ < start) continue;
    if (limit !== 0) {
      if (remaining <= 0) continue;
      remaining--;
    }
    lines.push({ n: count, t });
  }
  if (count === 0) {
    count = 1;
    lines.push({ n: 1, t: "no content" });
  }
  return reply(lines, count);
};

// ------------------------------------------------------------------------------------------ VM config

function configForOutput(c: CallContext, vm: SimVm, current: boolean): Record<string, unknown> {
  const conf = c.sim.state.effectiveConfig(vm, current);
  const props = c.sim.schema.byPath.get("/nodes/{node}/qemu/{vmid}/config")?.info?.GET?.returns?.properties;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(conf).sort()) {
    const v = conf[k] as string;
    const type = lookupProp(props, k)?.type;
    if ((type === "integer" || type === "boolean") && /^-?\d+$/.test(v)) out[k] = parseInt(v, 10);
    else if (type === "number" && /^-?[\d.]+$/.test(v)) out[k] = Number(v);
    else if (k === "memory" && c.sim.version === "7.4" && /^\d+$/.test(v)) out[k] = Number(v);
    else out[k] = v;
  }
  if (out.cipassword) out.cipassword = "**********";
  out.digest = c.sim.state.digest(vm);
  return out;
}

const getConfig: Handler = (c) => {
  const p = c.params;
  if (str(p, "snapshot") && bool(p, "current")) {
    paramExc({ snapshot: "cannot use 'snapshot' parameter with 'current'", current: "cannot use 'snapshot' parameter with 'current'" });
  }
  const vm = c.sim.state.loadConfig(str(p, "node") as string, int(p, "vmid") as number);
  const snap = str(p, "snapshot");
  if (snap) die(`snapshot '${snap}' does not exist`);
  return reply(configForOutput(c, vm, bool(p, "current") === true));
};

const CONFIG_META = ["node", "vmid", "digest", "background_delay", "skip_cloud_init", "import-working-storage", "skiplock", "delete", "revert", "force"];

function updateVm(c: CallContext, sync: boolean): Reply {
  const { state, schema } = c.sim;
  const p = c.params;
  const node = str(p, "node") as string;
  const vmid = int(p, "vmid") as number;
  const digest = str(p, "digest");
  const skiplock = bool(p, "skiplock") === true;
  rootOnly(c, ["skiplock"]);

  const sshkeys = str(p, "sshkeys");
  if (sshkeys !== undefined) validateSshPublicKeys(uriUnescape(sshkeys));

  const settings: Record<string, string> = {};
  for (const [k, v] of p) if (!CONFIG_META.includes(k) && v !== undefined && v !== null) settings[k] = scalarString(v);
  const deleteStr = str(p, "delete");
  const revertStr = str(p, "revert");
  if (!deleteStr && !revertStr && Object.keys(settings).length === 0) die("no options specified");
  if (settings.cdrom !== undefined) {
    settings.ide2 = settings.cdrom;
    delete settings.cdrom;
  }
  const putProps = schema.byPath.get("/nodes/{node}/qemu/{vmid}/config")?.info?.PUT?.parameters?.properties;
  const optionExists = (o: string) => !CONFIG_META.includes(o) && lookupProp(putProps, o) !== undefined;

  const revert = splitList(revertStr ?? "");
  for (const o of revert) {
    if (!optionExists(o)) paramExc({ revert: `unknown option '${o}'` });
    if (settings[o] !== undefined) paramExc({ delete: `you can't use '-${o}' and -revert ${o}' at the same time` });
  }
  const deletes: string[] = [];
  for (let o of splitList(deleteStr ?? "")) {
    if (o === "cdrom") o = "ide2";
    if (settings[o] !== undefined) paramExc({ delete: `you can't use '-${o}' and -delete ${o}' at the same time` });
    if (revert.includes(o)) paramExc({ revert: `you can't use '-delete ${o}' and -revert ${o}' at the same time` });
    if (!optionExists(o)) paramExc({ delete: `unknown option '${o}'` });
    deletes.push(o);
  }
  // new disks: check the storages now (check_storage_access)
  for (const [k, v] of Object.entries(settings)) {
    if (!DISK_KEY_RE.test(k)) continue;
    const m = /^([^:\s]+):(\d+(\.\d+)?|cloudinit)$/.exec(parseDrive(v).file);
    if (m && !state.storageConfigured(m[1] as string)) die(`storage '${m[1]}' does not exist`);
  }

  const paramText = [...Object.entries({ ...settings, ...(deleteStr ? { delete: deleteStr } : {}), ...(revertStr ? { revert: revertStr } : {}), ...(skiplock ? { skiplock: "1" } : {}) })]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `-${k} ${k === "cipassword" ? "<hidden>" : v}`)
    .join(" ");

  const loadAndCheck = (): SimVm => {
    const vm = state.loadConfig(node, vmid);
    if (digest && digest !== state.digest(vm)) die("checksum mismatch (file change by other user?)");
    if (!skiplock) checkLock(vm);
    if (settings.memory !== undefined || settings.balloon !== undefined) {
      const maxmem = currentMemoryMb(settings.memory ?? vm.pending.memory ?? vm.config.memory);
      const balloon = settings.balloon !== undefined ? Number(settings.balloon) : Number(vm.pending.balloon ?? vm.config.balloon ?? 0);
      if (balloon && balloon > maxmem) die("balloon value too large (must be smaller than assigned memory)");
    }
    return vm;
  };

  const apply = (vm: SimVm, log: (l: string) => void, created: SimVolume[]) => {
    for (const o of deletes) {
      const val = vm.config[o] ?? vm.pending[o];
      if (val === undefined) {
        log(`cannot delete '${o}' - not set in current configuration!`);
        continue;
      }
      delete vm.pending[o];
      if (vm.running && !appliesLive(o)) {
        if (!vm.pendingDelete.includes(o)) vm.pendingDelete.push(o);
      } else {
        if (DISK_KEY_RE.test(o) && !/^unused/.test(o)) {
          const d = parseDrive(val);
          if (!driveIsCdrom(d)) {
            let i = 0;
            while (vm.config[`unused${i}`] !== undefined) i++;
            vm.config[`unused${i}`] = d.file;
          }
        } else if (/^unused\d+$/.test(o)) {
          const vol = state.volume(vm.node, val);
          if (vol) state.freeVolume(vol);
        }
        delete vm.config[o];
      }
    }
    for (const o of revert) delete vm.pending[o];
    const diskSettings: Record<string, string> = {};
    for (const [k, v] of Object.entries(settings)) if (DISK_KEY_RE.test(k)) diskSettings[k] = v;
    const disks = createDisks(c, vm.node, vm.vmid, diskSettings, log, created);
    for (const [k, raw] of Object.entries(settings)) {
      let v = disks[k] ?? raw;
      if (/^net\d+$/.test(k)) v = normalizeNet(c.sim, v, () => state.newMac(vm, k));
      if (k === "tags") v = uniqueTags(v);
      if (k === "cipassword") {
        vm.config.cipassword = /^w/.test(vm.config.ostype ?? "") || /^\$(?:[156]|2[ay])(\$.+){2}/.test(v) ? v : encryptPw(v, vm.vmid);
        continue;
      }
      vm.pendingDelete = vm.pendingDelete.filter((x) => x !== k);
      if (vm.running && !appliesLive(k)) {
        vm.pending[k] = v;
      } else {
        vm.config[k] = v;
        delete vm.pending[k];
      }
    }
  };

  loadAndCheck(); // early checks before forking/locking
  if (sync) {
    const vm = loadAndCheck();
    apply(vm, () => {}, []);
    return reply(null);
  }
  const upid = startTask(c, node, "qmconfig", vmid, async (ctx) => {
    await ctx.sleep(ctx.durationMs);
    const vm = loadAndCheck();
    ctx.log(`update VM ${vmid}: ${paramText}`);
    ctx.checkpoint();
    const created: SimVolume[] = [];
    try {
      apply(vm, ctx.log, created);
    } catch (err) {
      created.forEach((v) => state.freeVolume(v));
      throw err;
    }
  });
  return reply(upid);
}

const putConfig: Handler = (c) => updateVm(c, true);
const postConfig: Handler = (c) => updateVm(c, false);

// ------------------------------------------------------------------------------------------ resize

function resizeVm(c: CallContext, vm: SimVm, disk: string, sizeStr: string, log: (l: string) => void, checkpoint: () => void): void {
  const { state } = c.sim;
  const value = vm.config[disk];
  if (!value) die(`disk '${disk}' does not exist`);
  const d = parseDrive(value);
  if (!d.file) die(`disk '${disk}' has no associated volume`);
  if (driveIsCdrom(d)) die("you can't resize a cdrom");
  const vol = state.volume(vm.node, d.file);
  const size = vol?.sizeBytes ?? parseSize(driveOpt(d, "size") ?? "");
  if (size === undefined) die(`Could not determine current size of volume '${d.file}'`);
  const m = /^(\+)?(\d+(\.\d+)?)([KMGT])?$/.exec(sizeStr);
  if (!m) die("internal error");
  const mult: Record<string, number> = { K: 1024, M: MiB, G: GiB, T: 1024 * GiB };
  let newsize = Number(m[2]) * (m[4] ? (mult[m[4]] as number) : 1);
  if (m[1]) newsize += size;
  newsize = Math.floor(newsize);
  if (newsize < size) die("shrinking disks is not supported");
  if (newsize === size) return;
  checkpoint();
  if (vol && (vol.storage.type === "lvmthin" || vol.storage.type === "lvm") && !vm.running) {
    const lv = vol.volname.split("/").pop() as string;
    const ext = (b: number) => Math.ceil(b / LV_EXTENT);
    log(`  Size of logical volume pve/${lv} changed from ${renderBytes(size)} (${ext(size)} extents) to ${renderBytes(newsize)} (${ext(newsize)} extents).`);
    log(`  Logical volume pve/${lv} successfully resized.`);
  } else if (vol && isFileStorage(vol.storage) && !vm.running) {
    log("Image resized.");
  }
  if (vol) vol.sizeBytes = newsize;
  setDriveOpt(d, "size", formatSize(newsize));
  vm.config[disk] = printDrive(d);
}

const putResize: Handler = (c) => {
  const { state } = c.sim;
  const p = c.params;
  const node = str(p, "node") as string;
  const vmid = int(p, "vmid") as number;
  const digest = str(p, "digest");
  const disk = str(p, "disk") as string;
  const sizeStr = str(p, "size") as string;
  const skiplock = bool(p, "skiplock") === true;
  rootOnly(c, ["skiplock"]);
  const updatefn = (log: (l: string) => void, checkpoint: () => void) => {
    const vm = state.loadConfig(node, vmid);
    if (digest && digest !== state.digest(vm)) die("checksum mismatch (file change by other user?)");
    if (!skiplock) checkLock(vm);
    resizeVm(c, vm, disk, sizeStr, log, checkpoint);
  };
  if (c.sim.version === "7.4") {
    updatefn(() => {}, () => {});
    return reply(null);
  }
  return reply(
    startTask(c, node, "resize", vmid, async (ctx) => {
      await ctx.sleep(ctx.durationMs);
      updatefn(ctx.log, ctx.checkpoint);
    }),
  );
};

// ------------------------------------------------------------------------------------------ power

/** check_running: dies when the config is not on this node */
function checkRunning(state: ClusterState, node: string, vmid: number): SimVm {
  const vm = state.vms.get(vmid);
  if (!vm || vm.node !== node) die(`unable to find configuration file for VM ${vmid} on node '${node}'`);
  return vm;
}

/**
 * qemu-server's choose_hostpci_devices and print_hostpci_devices, at start (pending changes
 * applied): each `hostpciN: mapping=<id>` takes the first device of that mapping on the VM's node
 * that no running VM (nor an earlier hostpci of this one) holds; `pcie=1` needs a q35 machine.
 * Dies with qemu-server's words when a mapping has no device on the node or none is free.
 */
function choosePciDevices(c: CallContext, vm: SimVm): { key: string; path: string; mapping?: string }[] {
  const { state } = c.sim;
  const conf = state.effectiveConfig(vm);
  const machine = (conf.machine ?? "").replace(/^type=/, "").split(",")[0] ?? "";
  const q35 = /^(q35|pc-q35-)/.test(machine);
  const used = state.pciInUse(vm.node);
  used.forEach((holder, path) => holder === vm.vmid && used.delete(path));
  const chosen: { key: string; path: string; mapping?: string }[] = [];
  for (let i = 0; i < 16; i++) {
    const key = `hostpci${i}`;
    const value = conf[key];
    if (value === undefined) continue;
    const d = parsePropertyString("pve-qm-hostpci", value);
    if (d.host !== undefined && d.mapping !== undefined) die("Cannot use both 'host' and 'mapping' at the same time");
    if (d.host === undefined && d.mapping === undefined) die("either 'host' or 'mapping' must be set.");
    if (d.mapping !== undefined) {
      const devices = state.pciMappingOn(String(d.mapping), vm.node);
      if (devices.length === 0) die(`PCI device mapping not found for '${d.mapping}'`);
      const free = devices.find((e) => e.path !== undefined && !used.has(e.path) && !chosen.some((x) => x.path === e.path));
      if (!free?.path) die(`could not find a free device for '${key}'`);
      chosen.push({ key, path: free.path, mapping: String(d.mapping) });
    } else {
      const path = String(d.host);
      const holder = used.get(path);
      if (holder !== undefined) die(`PCI device '${path}' already in use by VMID '${holder}'`);
      chosen.push({ key, path });
    }
    if (Number(d.pcie) === 1 && !q35) die("q35 machine model is not enabled");
  }
  return chosen;
}

function bootVm(c: CallContext, vm: SimVm): void {
  const now = c.sim.clock();
  const devices = choosePciDevices(c, vm);
  c.sim.state.applyPending(vm);
  vm.pciDevices = devices.length ? devices : undefined;
  vm.running = true;
  vm.startedAt = now;
  vm.agentReadyAt = now + c.sim.agentDelayMs;
  vm.pid = c.sim.state.nextPid(vm.node);
}

function haltVm(c: CallContext, vm: SimVm): void {
  vm.running = false;
  vm.startedAt = undefined;
  vm.agentReadyAt = undefined;
  vm.pid = undefined;
  vm.pciDevices = undefined;
  c.sim.state.applyPending(vm);
}

const postStart: Handler = (c) => {
  const p = c.params;
  const node = str(p, "node") as string;
  const vmid = int(p, "vmid") as number;
  rootOnly(c, ["skiplock", "stateuri", "migratedfrom", "migration_type", "migration_network", "targetstorage", "force-cpu", "with-conntrack-state", "nets-host-mtu"]);
  const skiplock = bool(p, "skiplock") === true;
  return reply(
    startTask(c, node, "qmstart", vmid, async (ctx) => {
      await ctx.sleep(ctx.durationMs);
      const vm = c.sim.state.loadConfig(node, vmid);
      if (c.sim.state.isTemplate(vm)) die("you can't start a vm if it's a template");
      if (!skiplock) checkLock(vm);
      if (vm.running) die(`VM ${vmid} already running`);
      // config_to_command: sockets x cores may not exceed the node's CPUs.
      const maxcpus = Number(vm.config.sockets ?? 1) * Number(vm.config.cores ?? 1);
      const allowed = c.sim.state.nodes.get(node)?.cpus ?? maxcpus;
      if (allowed < maxcpus) die(`MAX ${allowed} vcpus allowed per VM on this node`);
      choosePciDevices(c, vm);
      ctx.checkpoint();
      bootVm(c, vm);
    }),
  );
};

function stopLike(type: "qmstop" | "qmshutdown"): Handler {
  return (c) => {
    const p = c.params;
    const node = str(p, "node") as string;
    const vmid = int(p, "vmid") as number;
    rootOnly(c, ["skiplock", "keepActive", "migratedfrom"]);
    const skiplock = bool(p, "skiplock") === true;
    return reply(
      startTask(c, node, type, vmid, async (ctx) => {
        await ctx.sleep(ctx.durationMs);
        const vm = checkRunning(c.sim.state, node, vmid);
        if (!vm.running) return;
        if (!skiplock) checkLock(vm);
        ctx.checkpoint();
        haltVm(c, vm);
      }),
    );
  };
}

const postReboot: Handler = (c) => {
  const p = c.params;
  const node = str(p, "node") as string;
  const vmid = int(p, "vmid") as number;
  const vm0 = checkRunning(c.sim.state, node, vmid);
  if (!vm0.running) die(`VM ${vmid} not running`);
  return reply(
    startTask(c, node, "qmreboot", vmid, async (ctx) => {
      await ctx.sleep(ctx.durationMs);
      const vm = checkRunning(c.sim.state, node, vmid);
      if (!vm.running) return;
      checkLock(vm);
      ctx.checkpoint();
      haltVm(c, vm);
      bootVm(c, vm);
    }),
  );
};

const getStatusCurrent: Handler = (c) => {
  const p = c.params;
  const vm = c.sim.state.loadConfig(str(p, "node") as string, int(p, "vmid") as number);
  const d = vmStatusBase(c.sim, vm);
  d.qmpstatus = vm.running ? "running" : "stopped";
  d.ha = { managed: 0 };
  if (vm.config.agent !== undefined && /^(?:enabled=)?1/.test(vm.config.agent)) d.agent = 1;
  if (vm.running) {
    d["running-machine"] = vm.config.machine?.startsWith("pc-q35") ? `${vm.config.machine}+pve0` : "pc-i440fx-9.0+pve0";
    d["running-qemu"] = "9.0.2";
    d.balloon = d.maxmem;
    d.freemem = Math.floor((d.maxmem as number) - (d.mem as number));
    d.memhost = d.mem;
  }
  return reply(d);
};

/** The SLAAC link-local address (EUI-64) of a MAC address. */
function linkLocalIpv6(mac: string): string {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  const bytes = [(b[0] ?? 0) ^ 2, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0];
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  return `fe80::${groups.join(":")}`;
}

const getAgentNetwork: Handler = (c) => {
  const p = c.params;
  const vm = c.sim.state.loadConfig(str(p, "node") as string, int(p, "vmid") as number);
  if (vm.config.agent === undefined) die("No QEMU guest agent configured");
  if (!vm.running) die(`VM ${vm.vmid} is not running`);
  const enabled = /^(?:enabled=)?1/.test(vm.config.agent);
  if (!enabled || vm.agentReadyAt === undefined || c.sim.clock() < vm.agentReadyAt) die("QEMU guest agent is not running");
  const { ip, prefix } = c.sim.state.guestIpv4(vm);
  const mac = (/=([0-9A-Fa-f:]{17})/.exec(vm.config.net0 ?? "")?.[1] ?? "BC:24:11:00:00:01").toLowerCase();
  const ipv6 = linkLocalIpv6(mac);
  const windows = /^w/.test(vm.config.ostype ?? "");
  const stats = (seed: number) => ({
    "rx-bytes": 1_200_000 + seed,
    "rx-dropped": 0,
    "rx-errs": 0,
    "rx-packets": 9000 + (seed % 1000),
    "tx-bytes": 340_000 + seed,
    "tx-dropped": 0,
    "tx-errs": 0,
    "tx-packets": 3100 + (seed % 700),
  });
  const lo = {
    name: windows ? "Loopback Pseudo-Interface 1" : "lo",
    "hardware-address": "00:00:00:00:00:00",
    "ip-addresses": [
      { "ip-address-type": "ipv4", "ip-address": "127.0.0.1", prefix: 8 },
      { "ip-address-type": "ipv6", "ip-address": "::1", prefix: 128 },
    ],
    statistics: stats(vm.vmid),
  };
  const eth0 = {
    name: windows ? "Ethernet" : "eth0",
    "hardware-address": mac,
    "ip-addresses": [
      { "ip-address-type": "ipv4", "ip-address": ip, prefix },
      { "ip-address-type": "ipv6", "ip-address": ipv6, prefix: 64 },
    ],
    statistics: stats(vm.vmid * 7),
  };
  return reply({ result: windows ? [eth0, lo] : [lo, eth0] });
};

// ------------------------------------------------------------------------------------------ destroy

const deleteVm: Handler = (c) => {
  const { state } = c.sim;
  const p = c.params;
  const node = str(p, "node") as string;
  const vmid = int(p, "vmid") as number;
  const skiplock = bool(p, "skiplock") === true;
  rootOnly(c, ["skiplock"]);
  const early = () => {
    const vm = state.loadConfig(node, vmid);
    if (vm.config.protection === "1") die(`can't remove VM ${vmid} - protection mode enabled`);
    if (vm.running) die(`VM ${vmid} is running - destroy failed`);
    return vm;
  };
  early();
  return reply(
    startTask(c, node, "qmdestroy", vmid, async (ctx) => {
      await ctx.sleep(ctx.durationMs / 2);
      const vm = early();
      if (!skiplock) checkLock(vm);
      ctx.checkpoint();
      vm.config.lock = "destroyed";
      const vols = state.vmVolumes(vm);
      if (bool(p, "destroy-unreferenced-disks")) for (const v of state.ownedVolumes(node, vmid)) if (!vols.includes(v)) vols.push(v);
      for (const v of vols) {
        if (v.volname.startsWith("base-") && !v.volname.includes("/") && v.vmid !== vmid) continue;
        freeLog(v).forEach(ctx.log);
        state.freeVolume(v);
      }
      await ctx.sleep(ctx.durationMs / 2);
      if (bool(p, "purge")) ctx.log(`purging VM ${vmid} from related configurations..`);
      state.removeFromPools(vmid);
      state.vms.delete(vmid);
    }),
  );
};

// ------------------------------------------------------------------------------------------ create

/** valid_drive_names order: ide, sata, scsi, virtio */
const DRIVE_NAMES = [
  ...Array.from({ length: 4 }, (_v, i) => `ide${i}`),
  ...Array.from({ length: 6 }, (_v, i) => `sata${i}`),
  ...Array.from({ length: 31 }, (_v, i) => `scsi${i}`),
  ...Array.from({ length: 16 }, (_v, i) => `virtio${i}`),
];

/** get_default_bootdevices: first disk, first CD-ROM, first NIC */
function defaultBootDevices(conf: Record<string, string>): string[] {
  const res: string[] = [];
  for (const cdrom of [false, true]) {
    const first = DRIVE_NAMES.find((k) => conf[k] !== undefined && driveIsCdrom(parseDrive(conf[k] as string)) === cdrom);
    if (first) res.push(first);
  }
  const net = Array.from({ length: 32 }, (_v, i) => `net${i}`).find((k) => conf[k]);
  if (net) res.push(net);
  return res;
}

const postCreate: Handler = (c) => {
  const { state } = c.sim;
  const p = c.params;
  const node = str(p, "node") as string;
  const vmid = int(p, "vmid") as number;
  if (str(p, "archive")) die("restore is not supported by the simulator");
  const pool = str(p, "pool");
  const start = bool(p, "start") === true;
  const sshkeys = str(p, "sshkeys");
  if (sshkeys !== undefined) validateSshPublicKeys(uriUnescape(sshkeys));
  if (pool !== undefined && !state.pools.has(pool)) permExc(`pool '${pool}' does not exist`);
  const storage = str(p, "storage");
  if (storage) state.checkStorageEnabled(storage, node);

  const skip = ["node", "vmid", "archive", "bwlimit", "force", "pool", "start", "ha-managed", "storage", "unique", "live-restore", "import-working-storage"];
  const conf: Record<string, string> = {};
  for (const [k, v] of p) if (!skip.includes(k) && v !== undefined && v !== null) conf[k] = scalarString(v);
  if (conf.cdrom !== undefined) {
    conf.ide2 = conf.cdrom.includes(",") ? conf.cdrom : `${conf.cdrom},media=cdrom`;
    delete conf.cdrom;
  }
  for (const [k, v] of Object.entries(conf)) {
    if (!DISK_KEY_RE.test(k)) continue;
    const d = parseDrive(v);
    const m = /^(?:([^:\s]+):)?(\d+(\.\d+)?|cloudinit)$/.exec(d.file);
    if (m) {
      const sid = m[1] ?? storage;
      if (!sid) die("no storage ID specified (and no default storage)");
      if (!m[1]) conf[k] = printDrive({ ...d, file: `${sid}:${d.file}` });
      state.checkStorageEnabled(sid, node);
    }
  }

  const existing = state.vms.get(vmid);
  if (existing) die(`unable to create VM ${vmid} - VM ${vmid} already exists on node '${existing.node}'`);
  const vm: SimVm = { vmid, node, config: { lock: "create" }, pending: {}, pendingDelete: [], running: false, macSeq: 0, createdAt: c.sim.clock() };
  state.vms.set(vmid, vm);
  for (const [k, v] of Object.entries(conf)) if (/^net\d+$/.test(k)) conf[k] = normalizeNet(c.sim, v, () => state.newMac(vm, k));

  return reply(
    startTask(c, node, "qmcreate", vmid, async (ctx) => {
      const created: SimVolume[] = [];
      try {
        await ctx.sleep(ctx.durationMs / 2);
        const drives: Record<string, string> = {};
        for (const [k, v] of Object.entries(conf)) if (DISK_KEY_RE.test(k)) drives[k] = v;
        const disks = createDisks(c, node, vmid, drives, ctx.log, created);
        await ctx.sleep(ctx.durationMs / 2);
        ctx.checkpoint();
        const final: Record<string, string> = { ...conf, ...disks };
        if (final.cipassword && !/^w/.test(final.ostype ?? "")) final.cipassword = encryptPw(final.cipassword, vmid);
        if (!final.boot) final.boot = `order=${defaultBootDevices(final).join(";")}`;
        final.smbios1 ??= `uuid=${uuidFor(`smbios/${vmid}/${c.sim.clock()}`)}`;
        final.vmgenid ??= uuidFor(`vmgenid/${vmid}/${c.sim.clock()}`);
        final.meta = `creation-qemu=9.0.2,ctime=${Math.floor(c.sim.clock() / 1000)}`;
        if (final.tags) final.tags = uniqueTags(final.tags);
        vm.config = final;
        if (pool) state.addToPool(vmid, pool);
      } catch (err) {
        created.forEach((v) => state.freeVolume(v));
        state.vms.delete(vmid);
        if (err instanceof InjectedTaskError) throw err;
        throw new PveApiError(`unable to create VM ${vmid} - ${err instanceof Error ? err.message : String(err)}`);
      }
      if (start) {
        ctx.log("Execute autostart");
        bootVm(c, vm);
      }
    }),
  );
};

// ------------------------------------------------------------------------------------------ clone

type ClonePlan = { source: SimVm; full: boolean; target?: string; sharedvm: boolean };

const postClone: Handler = (c) => {
  const { state } = c.sim;
  const p = c.params;
  const node = str(p, "node") as string;
  const vmid = int(p, "vmid") as number;
  const newid = int(p, "newid") as number;
  const pool = str(p, "pool");
  const snapname = str(p, "snapname");
  const storage = str(p, "storage");
  const format = str(p, "format");
  let target = str(p, "target");
  if (target && (target === node || target === "localhost")) target = undefined;
  const name = str(p, "name");
  const description = str(p, "description");

  const loadAndCheck = (): ClonePlan => {
    if (pool !== undefined && !state.pools.has(pool)) permExc(`pool '${pool}' does not exist`);
    if (target && !state.nodes.has(target)) die(`no such cluster node '${target}'`);
    let storeCfg: SimStorage | undefined;
    if (storage) {
      storeCfg = state.checkStorageEnabled(storage, node);
      if (!storeCfg.content.includes("images")) paramExc({ storage: `storage '${storage}' does not support vm images` });
      if (target) {
        state.checkStorageEnabled(storage, target);
        if (!storeCfg.shared) die(`can't clone to non-shared storage '${storage}'`);
      }
    }
    const source = state.loadConfig(node, vmid);
    checkLock(source);
    if (snapname) die(`snapshot '${snapname}' does not exist`);
    const full = bool(p, "full") ?? !state.isTemplate(source);
    if (storage !== undefined && !full) die("parameter 'storage' not allowed for linked clones");
    if (format !== undefined && !full) die("parameter 'format' not allowed for linked clones");
    let sharedvm = true;
    for (const [k, v] of Object.entries(source.config)) {
      if (!DISK_KEY_RE.test(k) || /^unused/.test(k)) continue;
      const d = parseDrive(v);
      if (!d.file || d.file === "none") continue;
      if (d.file === "cdrom") {
        sharedvm = false;
        continue;
      }
      const sid = /^([^:]+):/.exec(d.file)?.[1];
      const s = sid ? state.storageOn(node, sid) : undefined;
      if (!s?.shared) sharedvm = false;
      if (!driveIsCdrom(d) && !full && !isCloudinitVolume(d.file) && k !== "tpmstate0") {
        const vol = state.volume(node, d.file);
        if (!vol || !/(^|\/)base-\d+-disk-\d+(\.\w+)?$/.test(vol.volname)) die(`Linked clone feature is not supported for '${d.file}' (${k})`);
      }
    }
    if (target && !sharedvm) die(`can't clone VM to node '${target}' (VM uses local storage)`);
    const existing = state.vms.get(newid);
    if (existing && existing.node === node) die(`unable to create VM ${newid}: config file already exists`);
    return { source, full, target, sharedvm };
  };

  loadAndCheck(); // early checks before forking/locking

  return reply(
    startTask(c, node, "qmclone", vmid, async (ctx) => {
      const plan = loadAndCheck();
      if (state.vms.has(newid)) {
        // the VMID exists on another node: pmxcfs refuses the new config file
        die(`close (rename) atomic file '/etc/pve/nodes/${node}/qemu-server/${newid}.conf' failed: File exists`);
      }
      const { source, full } = plan;
      const vm: SimVm = { vmid: newid, node, config: { lock: "clone" }, pending: {}, pendingDelete: [], running: false, macSeq: 0, createdAt: c.sim.clock() };
      state.vms.set(newid, vm);
      const created: SimVolume[] = [];
      try {
        const oldconf = { ...source.config };
        const newconf: Record<string, string> = { lock: "clone" };
        const drives: [string, ParsedDrive][] = [];
        for (const k of Object.keys(oldconf).sort()) {
          const v = oldconf[k] as string;
          if (/^(snapshots|parent|snaptime|vmstate|snapstate|runningcpu|runningmachine|running-nets-host-mtu)$/.test(k) || /^unused\d+$/.test(k)) continue;
          if (/^net\d+$/.test(k)) {
            newconf[k] = normalizeNet(c.sim, v.replace(/(^|,)([a-z0-9-]+)=[0-9A-Fa-f:]{17}/, "$1$2"), () => state.newMac(vm, k));
          } else if (DISK_KEY_RE.test(k)) {
            const d = parseDrive(v);
            if (driveIsCdrom(d) && !isCloudinitVolume(d.file)) newconf[k] = v;
            else drives.push([k, d]);
          } else {
            newconf[k] = v;
          }
        }
        newconf.smbios1 = (newconf.smbios1 ?? "").replace(/uuid=[0-9a-f-]+/, "").replace(/^,|,$/g, "");
        newconf.smbios1 = [`uuid=${uuidFor(`smbios/${newid}/${c.sim.clock()}`)}`, newconf.smbios1].filter(Boolean).join(",");
        if (newconf.vmgenid) newconf.vmgenid = uuidFor(`vmgenid/${newid}/${c.sim.clock()}`);
        delete newconf.template;
        newconf.name = name ?? `Copy-of-VM-${oldconf.name ?? vmid}`;
        if (description) newconf.description = description;

        const total = ctx.durationMs;
        const fullBytes = drives.reduce((sum, [k, d]) => {
          const isFull = full || isCloudinitVolume(d.file) || k === "tpmstate0";
          const vol = state.volume(node, d.file);
          return sum + (isFull && !isCloudinitVolume(d.file) && vol ? vol.sizeBytes : 0);
        }, 0);
        const overhead = Math.min(total * 0.1, 60);
        const copyTime = Math.max(0, total - overhead * drives.length);

        for (const [k, d] of drives) {
          const isCi = isCloudinitVolume(d.file);
          const isFull = full || isCi || k === "tpmstate0";
          const src = state.volume(node, d.file);
          if (!src) die(`unable to parse volume ID '${d.file}'`);
          ctx.log(`create ${isFull ? "full" : "linked"} clone of drive ${k} (${d.file})`);
          await ctx.sleep(overhead);
          let vol: SimVolume;
          if (!isFull) {
            vol = state.linkedClone(src, newid);
            created.push(vol);
            allocLog(vol).forEach(ctx.log);
          } else {
            const dest = storage ? state.checkStorageEnabled(storage, node) : src.storage;
            const fmt = isFileStorage(dest) ? (format === "raw" || format === "qcow2" ? format : src.format) : "raw";
            vol = state.allocVolume(dest, newid, src.sizeBytes, { cloudinit: isCi, format: fmt });
            created.push(vol);
            allocLog(vol).forEach(ctx.log);
            if (!isCi) {
              const size = src.sizeBytes;
              const share = fullBytes > 0 ? (size / fullBytes) * copyTime : 0;
              const steps = size >= GiB ? 101 : 2;
              await ctx.progress(steps, share, (i) => {
                const pct = steps === 2 ? i * 100 : Math.min(100, i + (i > 0 && i < 100 ? ((i * 37) % 7) / 100 : 0));
                return `transferred ${renderBytes(Math.floor((size * pct) / 100), 1)} of ${renderBytes(size, 1)} (${pct.toFixed(2)}%)`;
              });
            }
          }
          const nd: ParsedDrive = { file: vol.volid, opts: d.opts.filter(([key]) => key !== "format") };
          if (!isCi) setDriveOpt(nd, "size", formatSize(vol.sizeBytes));
          newconf[k] = printDrive(nd);
          vm.config = { ...newconf };
        }
        if (fullBytes === 0) await ctx.sleep(Math.max(0, total - overhead * drives.length));
        ctx.checkpoint();
        delete newconf.lock;
        vm.config = { ...newconf };
        if (plan.target) vm.node = plan.target;
        if (pool) state.addToPool(newid, pool);
      } catch (err) {
        for (const v of created) state.freeVolume(v);
        state.vms.delete(newid);
        if (err instanceof InjectedTaskError) throw err;
        throw new PveApiError(`clone failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
};

// ------------------------------------------------------------------------------------------ hardware mappings

/** A mapping as PVE::API2::Cluster::Mapping::PCI lists it: the section's keys, its id, type and the file's digest. */
function mappingEntry(c: CallContext, id: string): Record<string, unknown> {
  const m = c.sim.state.pciMappings.get(id);
  if (!m) die(`PCI mapping '${id}' not found`);
  const digest = createHash("sha1")
    .update(JSON.stringify([...c.sim.state.pciMappings.values()]))
    .digest("hex");
  return { id: m.id, type: "pci", ...(m.description ? { description: m.description } : {}), map: [...m.map], digest };
}

const listPciMappings: Handler = (c) => {
  const checkNode = str(c.params, "check-node");
  const ids = [...c.sim.state.pciMappings.keys()].sort();
  return reply(ids.map((id) => ({ ...mappingEntry(c, id), ...(checkNode !== undefined ? { checks: [] } : {}) })));
};

const getPciMapping: Handler = (c) => reply(mappingEntry(c, str(c.params, "id") as string));

// ------------------------------------------------------------------------------------------ registry

export const handlers: Record<string, Handler> = {
  "GET /version": getVersion,
  "GET /nodes": getNodes,
  "GET /nodes/{node}/storage": getNodeStorage,
  "GET /cluster/resources": getClusterResources,
  "GET /cluster/nextid": getNextId,
  "GET /cluster/mapping/pci": listPciMappings,
  "GET /cluster/mapping/pci/{id}": getPciMapping,
  "GET /access/ticket": getTicketDummy,
  "POST /access/ticket": postTicket,
  "GET /nodes/{node}/qemu": listQemu,
  "POST /nodes/{node}/qemu": postCreate,
  "DELETE /nodes/{node}/qemu/{vmid}": deleteVm,
  "POST /nodes/{node}/qemu/{vmid}/clone": postClone,
  "GET /nodes/{node}/tasks/{upid}/status": taskStatus,
  "GET /nodes/{node}/tasks/{upid}/log": taskLog,
  "DELETE /nodes/{node}/tasks/{upid}": stopTask,
  "GET /nodes/{node}/qemu/{vmid}/config": getConfig,
  "PUT /nodes/{node}/qemu/{vmid}/config": putConfig,
  "POST /nodes/{node}/qemu/{vmid}/config": postConfig,
  "PUT /nodes/{node}/qemu/{vmid}/resize": putResize,
  "POST /nodes/{node}/qemu/{vmid}/status/start": postStart,
  "POST /nodes/{node}/qemu/{vmid}/status/stop": stopLike("qmstop"),
  "POST /nodes/{node}/qemu/{vmid}/status/shutdown": stopLike("qmshutdown"),
  "POST /nodes/{node}/qemu/{vmid}/status/reboot": postReboot,
  "GET /nodes/{node}/qemu/{vmid}/status/current": getStatusCurrent,
  "GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces": getAgentNetwork,
};

