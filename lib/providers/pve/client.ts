import { ProviderError, type ProviderLogLine, type VmStatus } from "../types";

export type NodeInfo = { name: string; online: boolean; cpus?: number; memoryBytes?: number };
export type StorageInfo = { node: string; storage: string; type?: string; content: string[]; shared: boolean; availableBytes?: number; enabled: boolean };
export type TemplateInfo = { node: string; vmid: number; name: string; cpuCores?: number; memoryMb?: number; diskGb?: number };
import { bool, GiB, MiB, num, record, records, str, unexpected } from "./coerce";
import { PveConnection, type CallOptions, type PveConnectionOptions, type PveHttpMethod } from "./connection";
import type { PveParams } from "./form";
import { guestAddresses, type PveGuestAddress } from "./guest-agent";
import { vmParams, type PveConfigUpdate, type PveCreateVmParams } from "./params";
import { isUpid, parseUpid } from "./upid";
import { waitForTask, type PveTaskStatus, type WaitForTaskOptions } from "./wait";

export type { PveAuth, PveConnectionOptions as PveClientOptions, PveRequestInfo, PveRetryOptions } from "./connection";
export type { PveConfigUpdate, PveCreateVmParams } from "./params";
export type { PveGuestAddress } from "./guest-agent";
export type { PveTaskStatus, WaitForTaskOptions } from "./wait";

export type PveVersion = { version: string; release: string; repoid?: string };
export type PveStorageInfo = StorageInfo & { active?: boolean; totalBytes?: number; usedBytes?: number };
export type PveResource = {
  id: string;
  type: string;
  node?: string;
  vmid?: number;
  name?: string;
  status?: string;
  template: boolean;
  lock?: string;
  pool?: string;
  tags?: string;
  storage?: string;
  maxcpu?: number;
  maxmem?: number;
  maxdisk?: number;
};
/** One device of a PCI resource mapping on one node (an entry of the mapping's `map`). */
export type PvePciMappedDevice = { node: string; path: string; id?: string; iommugroup?: number; subsystemId?: string; description?: string };
/** A PCI resource mapping (`GET /cluster/mapping/pci`): a logical id and the devices it stands for, per node. */
export type PvePciMapping = { id: string; description?: string; devices: PvePciMappedDevice[] };
export type PveVmStatus = VmStatus & { status: string; qmpstatus?: string; name?: string; template?: boolean; agent?: boolean };
export type PveCloneOptions = {
  newid: number;
  name?: string;
  /**
   * Templates default to a linked clone, and PVE refuses `storage`/`format` for those: unless
   * `full` is true, the client leaves both out (the clone stays on the template's storage).
   */
  full?: boolean;
  storage?: string;
  format?: "raw" | "qcow2" | "vmdk";
  target?: string;
  pool?: string;
  description?: string;
};
type PowerAction = "start" | "stop" | "shutdown" | "reboot";

const NODE_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

/** Path segments come from callers: refuse anything that could change the path PVE sees. */
function seg(value: string | number, what: "node" | "vmid"): string {
  const text = String(value);
  if (what === "node" && !NODE_RE.test(text)) throw new ProviderError("parameter", `Invalid PVE node name: ${JSON.stringify(text)}`, { errors: { node: "invalid node name" } });
  if (what === "vmid" && !/^[1-9]\d{0,8}$/.test(text)) throw new ProviderError("parameter", `Invalid VMID: ${JSON.stringify(text)}`, { errors: { vmid: "invalid VMID" } });
  return encodeURIComponent(text);
}

function upidOf(data: unknown, what: string): string {
  if (!isUpid(data)) throw unexpected(what, data);
  return data;
}

/**
 * Typed access to the parts of the Proxmox VE API a VM portal needs. Every method maps to one
 * documented endpoint; see PROVIDERS.md for the protocol facts behind the encodings.
 */
export class PveClient {
  readonly connection: PveConnection;

  constructor(options: PveConnectionOptions) {
    this.connection = new PveConnection(options);
  }

  close(): void {
    this.connection.close();
  }

  /** Escape hatch for endpoints without a typed method; `path` is relative to /api2/json. */
  request(method: PveHttpMethod, path: string, params?: PveParams, options?: CallOptions): Promise<unknown> {
    return this.connection.call(method, path, params, options);
  }

  private vmPath(node: string, vmid: number, ...rest: string[]): string {
    return ["", "nodes", seg(node, "node"), "qemu", seg(vmid, "vmid"), ...rest].join("/");
  }

  async version(): Promise<PveVersion> {
    const data = record(await this.request("GET", "/version"), "GET /version");
    const version = str(data.version);
    if (!version) throw unexpected("GET /version", data);
    return { version, release: str(data.release) ?? "", repoid: str(data.repoid) };
  }

  async nodes(): Promise<NodeInfo[]> {
    const list = records(await this.request("GET", "/nodes"), "GET /nodes");
    return list.flatMap((n) => {
      const name = str(n.node);
      return name ? [{ name, online: n.status === "online", cpus: num(n.maxcpu), memoryBytes: num(n.maxmem) }] : [];
    });
  }

  async storages(node: string): Promise<PveStorageInfo[]> {
    const list = records(await this.request("GET", `/nodes/${seg(node, "node")}/storage`), "GET /nodes/{node}/storage");
    return list.flatMap((s) => {
      const storage = str(s.storage);
      if (!storage) return [];
      return [
        {
          node,
          storage,
          type: str(s.type),
          content: (str(s.content) ?? "").split(",").filter((c) => c !== ""),
          shared: bool(s.shared) ?? false,
          availableBytes: num(s.avail),
          enabled: bool(s.enabled) ?? true,
          active: bool(s.active),
          totalBytes: num(s.total),
          usedBytes: num(s.used),
        },
      ];
    });
  }

  async clusterResources(type?: "vm" | "storage" | "node" | "sdn"): Promise<PveResource[]> {
    const list = records(await this.request("GET", "/cluster/resources", { type }), "GET /cluster/resources");
    return list.flatMap((r) => {
      const id = str(r.id);
      const rtype = str(r.type);
      if (!id || !rtype) return [];
      return [
        {
          id,
          type: rtype,
          node: str(r.node),
          vmid: num(r.vmid),
          name: str(r.name),
          status: str(r.status),
          template: bool(r.template) ?? false,
          lock: str(r.lock),
          pool: str(r.pool),
          tags: str(r.tags),
          storage: str(r.storage),
          maxcpu: num(r.maxcpu),
          maxmem: num(r.maxmem),
          maxdisk: num(r.maxdisk),
        },
      ];
    });
  }

  /** QEMU templates across the cluster (container templates are left out). */
  async templates(): Promise<TemplateInfo[]> {
    const vms = await this.clusterResources("vm");
    return vms.flatMap((r) =>
      r.template && r.type === "qemu" && r.node && r.vmid !== undefined
        ? [
            {
              node: r.node,
              vmid: r.vmid,
              name: r.name ?? `VM ${r.vmid}`,
              cpuCores: r.maxcpu,
              memoryMb: r.maxmem === undefined ? undefined : r.maxmem / MiB,
              diskGb: r.maxdisk === undefined ? undefined : r.maxdisk / GiB,
            },
          ]
        : [],
    );
  }

  /**
   * The cluster's PCI resource mappings (`GET /cluster/mapping/pci`, PVE 8+): each `{id,
   * description, map}` where `map` holds one property string per device, `node=pve1,
   * path=0000:01:00,id=10de:2684,iommugroup=12[,subsystem-id=…][,description=…]`. Entries without
   * a node or path are left out (PVE's own checks would flag them).
   */
  async pciMappings(): Promise<PvePciMapping[]> {
    const list = records(await this.request("GET", "/cluster/mapping/pci"), "GET /cluster/mapping/pci");
    return list.flatMap((m) => {
      const id = str(m.id);
      if (!id) return [];
      const entries = Array.isArray(m.map) ? m.map : typeof m.map === "string" ? [m.map] : [];
      const devices = entries.flatMap((entry): PvePciMappedDevice[] => {
        if (typeof entry !== "string") return [];
        const kv = Object.fromEntries(
          entry
            .split(",")
            .filter((part) => part.includes("="))
            .map((part) => [part.slice(0, part.indexOf("=")).trim(), part.slice(part.indexOf("=") + 1).trim()]),
        );
        if (!kv.node || !kv.path) return [];
        const group = num(kv.iommugroup);
        return [{ node: kv.node, path: kv.path, ...(kv.id ? { id: kv.id } : {}), ...(group !== undefined ? { iommugroup: group } : {}), ...(kv["subsystem-id"] ? { subsystemId: kv["subsystem-id"] } : {}), ...(kv.description ? { description: kv.description } : {}) }];
      });
      const description = str(m.description);
      return [{ id, ...(description ? { description } : {}), devices }];
    });
  }

  /** The next free VMID. PVE answers a string ("100") though the schema says integer. */
  async nextId(): Promise<number> {
    const data = await this.request("GET", "/cluster/nextid");
    const id = num(data);
    if (id === undefined || !Number.isInteger(id)) throw unexpected("GET /cluster/nextid", data);
    return id;
  }

  /** Starts a clone task; the new VM stays locked `clone` until the returned task ends. */
  async clone(node: string, vmid: number, options: PveCloneOptions): Promise<string> {
    const full = options.full === true;
    const params: PveParams = {
      newid: options.newid,
      name: options.name,
      full: options.full,
      // PVE refuses these for linked clones ("parameter 'storage' not allowed for linked clones").
      storage: full ? options.storage : undefined,
      format: full ? options.format : undefined,
      target: options.target,
      pool: options.pool,
      description: options.description,
    };
    return upidOf(await this.request("POST", this.vmPath(node, vmid, "clone"), params), "clone");
  }

  /** Status of a task, asked of the node that runs it (the node inside the UPID). */
  async taskStatus(upid: string): Promise<PveTaskStatus> {
    const parsed = parseUpid(upid);
    const what = "GET /nodes/{node}/tasks/{upid}/status";
    const data = record(await this.request("GET", `/nodes/${seg(parsed.node, "node")}/tasks/${encodeURIComponent(upid)}/status`), what);
    const status = str(data.status);
    if (!status) throw unexpected(what, data);
    return {
      upid,
      node: parsed.node,
      status: status === "stopped" ? "stopped" : "running",
      exitstatus: str(data.exitstatus),
      type: str(data.type) ?? parsed.type,
      id: str(data.id) ?? parsed.id,
      user: str(data.user) ?? parsed.user,
      starttime: num(data.starttime) ?? Math.floor(parsed.starttime.getTime() / 1000),
    };
  }

  /** Raw task log lines from line offset `start` (0-based); line numbers `n` are 1-based. */
  async taskLog(upid: string, start = 0, limit = 500): Promise<ProviderLogLine[]> {
    const node = parseUpid(upid).node;
    const list = records(await this.request("GET", `/nodes/${seg(node, "node")}/tasks/${encodeURIComponent(upid)}/log`, { start, limit }), "GET /nodes/{node}/tasks/{upid}/log");
    return list.flatMap((l) => {
      const n = num(l.n);
      const t = str(l.t) ?? "";
      // PVE ends a failed task's log with "TASK ERROR: <reason>" (the task's exitstatus).
      return n === undefined ? [] : [t.startsWith("TASK ERROR:") ? { n, t, error: true } : { n, t }];
    });
  }

  /**
   * Stops a running task (`DELETE /nodes/{node}/tasks/{upid}`, asked of the node inside the UPID;
   * PVE signals the worker, which ends with `interrupted by signal` and undoes what it can, e.g. a
   * clone removes its new VM). PVE answers null; a task that already ended is left as it is.
   */
  async stopTask(upid: string): Promise<void> {
    const node = parseUpid(upid).node;
    await this.request("DELETE", `/nodes/${seg(node, "node")}/tasks/${encodeURIComponent(upid)}`, undefined, { idempotent: true });
  }

  /** Polls until the task stops; `OK` and `WARNINGS: N` succeed, anything else is `task_failed`. */
  waitForTask(upid: string, options: WaitForTaskOptions = {}): Promise<PveTaskStatus> {
    return waitForTask(this, upid, options);
  }

  /** Synchronous config change (`PUT`); PVE answers null. */
  async updateConfig(node: string, vmid: number, params: PveConfigUpdate): Promise<null> {
    await this.request("PUT", this.vmPath(node, vmid, "config"), vmParams(params), { idempotent: true });
    return null;
  }

  /** Asynchronous config change (`POST`): a UPID, or null when PVE had nothing to run. */
  async updateConfigAsync(node: string, vmid: number, params: PveConfigUpdate): Promise<string | null> {
    const data = await this.request("POST", this.vmPath(node, vmid, "config"), vmParams(params), { idempotent: true });
    return data === null ? null : upidOf(data, "POST config");
  }

  /**
   * `size` is `+10G` (grow by) or `32G` (set). PVE 7 resizes synchronously and answers null;
   * PVE 8/9 answer a UPID and report errors (e.g. shrinking) as the task's exit status.
   */
  async resize(node: string, vmid: number, disk: string, size: string): Promise<string | null> {
    const data = await this.request("PUT", this.vmPath(node, vmid, "resize"), { disk, size }, { idempotent: !size.startsWith("+") });
    return data === null ? null : upidOf(data, "resize");
  }

  start(node: string, vmid: number): Promise<string> {
    return this.power(node, vmid, "start");
  }

  stop(node: string, vmid: number, options: { timeout?: number } = {}): Promise<string> {
    return this.power(node, vmid, "stop", options);
  }

  shutdown(node: string, vmid: number, options: { timeout?: number; forceStop?: boolean } = {}): Promise<string> {
    return this.power(node, vmid, "shutdown", options);
  }

  reboot(node: string, vmid: number, options: { timeout?: number } = {}): Promise<string> {
    return this.power(node, vmid, "reboot", options);
  }

  private async power(node: string, vmid: number, action: PowerAction, params: PveParams = {}): Promise<string> {
    return upidOf(await this.request("POST", this.vmPath(node, vmid, "status", action), params), action);
  }

  async currentStatus(node: string, vmid: number): Promise<PveVmStatus> {
    const data = record(await this.request("GET", this.vmPath(node, vmid, "status", "current")), "GET status/current");
    const status = str(data.status) ?? "unknown";
    const qmpstatus = str(data.qmpstatus);
    const maxmem = num(data.maxmem);
    const maxdisk = num(data.maxdisk);
    const state = status === "stopped" ? "stopped" : status !== "running" ? "unknown" : qmpstatus === "paused" || qmpstatus === "suspended" || qmpstatus === "prelaunch" ? "paused" : "running";
    return {
      state,
      status,
      qmpstatus,
      lock: str(data.lock) || undefined,
      cpus: num(data.cpus),
      memoryMb: maxmem === undefined ? undefined : maxmem / MiB,
      diskGb: maxdisk === undefined ? undefined : maxdisk / GiB,
      uptimeSeconds: num(data.uptime),
      name: str(data.name),
      template: bool(data.template),
      agent: bool(data.agent),
    };
  }

  /**
   * The VM's configuration, scalar values only: by default with pending changes applied (what it
   * gets at its next start); `current: true`: what it runs with now.
   */
  async vmConfig(node: string, vmid: number, options: { current?: boolean } = {}): Promise<Record<string, string | number>> {
    const data = record(await this.request("GET", this.vmPath(node, vmid, "config"), options.current ? { current: true } : undefined), "GET config");
    const out: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(data)) if (typeof value === "string" || typeof value === "number") out[key] = value;
    return out;
  }

  /** Guest addresses (loopback and link-local left out). Fails while the agent is not up. */
  async agentNetworkInterfaces(node: string, vmid: number): Promise<PveGuestAddress[]> {
    return guestAddresses(await this.request("GET", this.vmPath(node, vmid, "agent", "network-get-interfaces")));
  }

  /** Destroys the VM, its disks (also unreferenced ones) and its job/HA/ACL entries. */
  async destroy(node: string, vmid: number): Promise<string> {
    const data = await this.request("DELETE", this.vmPath(node, vmid), { purge: true, "destroy-unreferenced-disks": true });
    return upidOf(data, "destroy");
  }

  async vmExists(node: string, vmid: number): Promise<boolean> {
    try {
      await this.request("GET", this.vmPath(node, vmid, "status", "current"));
      return true;
    } catch (error) {
      if (error instanceof ProviderError && error.kind === "not_found") return false;
      throw error;
    }
  }

  /** Creates a VM from scratch (`qmcreate` task). */
  async createVm(node: string, params: PveCreateVmParams): Promise<string> {
    return upidOf(await this.request("POST", `/nodes/${seg(node, "node")}/qemu`, vmParams(params)), "create");
  }
}
