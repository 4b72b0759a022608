import type http from "node:http";
import { bool, isRecord, num, str } from "../pve/coerce";
import type { TlsOptions } from "../types";
import { errorFromResponse, VergeOsError } from "./errors";
import { and, where, whereKey, type Filter } from "./filter";
import {
  API_PREFIX,
  AGENT_INFO_SCAN_DEPTH,
  DEVICE_GROUP_MATCHES_UUID_OR_KEY,
  KEY_FROM_LOCATION,
  KEYS_AS_JSON_STRINGS,
  MACHINE_STATUS_FIELDS,
  MAX_RETRY_AFTER_MS,
  RESOURCE_GROUP_FIELDS,
  RETRY_STATUSES,
  RETRY_STATUSES_UNPROCESSED,
  TOKEN_HEADER,
  TOKEN_PATH,
  TOKEN_RELOGIN_ON_401,
  VM_READBACK_FIELDS,
  OVERRIDE_TIER_ON_IMPORT,
  SEND_DISKSIZE_ON_IMPORT,
} from "./protocol-guesses";
import { createAgent, send, wasNeverSent, type RawResponse } from "./transport";
import {
  asKey,
  type ClusterKey,
  type DeviceKey,
  type DriveKey,
  type FileKey,
  type Key,
  type MachineKey,
  type MachineStatusKey,
  type NicKey,
  type ResourceGroupKey,
  type ResourceGroupUuid,
  type TierNumber,
  type VergeCluster,
  type VergeCreated,
  type VergeCreatedDevice,
  type VergeCreatedVm,
  type VergeCreateDevice,
  type VergeCreateDrive,
  type VergeCreateNic,
  type VergeCreateVm,
  type VergeDevice,
  type VergeDrive,
  type VergeMachineStatus,
  type VergeMediaSource,
  type VergeNic,
  type VergePowerAction,
  type VergeResourceGroup,
  type VergeStorageTier,
  type VergeUpdateVm,
  type VergeVgpuDevice,
  type VergeVm,
  type VergeVnet,
  type VmKey,
  type VnetKey,
} from "./types";

export type VergeAuth =
  /** `Authorization: Bearer <key>` (doc seed, api-keys.md). */
  | { type: "apiKey"; apiKey: string }
  /** HTTP Basic on every request (doc api-guide). */
  | { type: "basic"; username: string; password: string }
  /** `POST /api/sys/tokens {login, password}`, then `x-yottabyte-token` (doc api-guide); renewed on 401. */
  | { type: "token"; username: string; password: string };

export type VergeRetryOptions = { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };

/** A request as sent, for tests and tracing: no headers (they hold credentials). */
export type VergeRequestInfo = { method: HttpMethod; path: string; query: Record<string, string>; body?: unknown; attempt: number };

export type VergeClientOptions = {
  /** `https://verge.example` (an `/api` or `/api/v4` suffix is dropped); `http://` works for stubs. */
  baseUrl: string;
  auth: VergeAuth;
  tls?: TlsOptions;
  /** Deadline of one HTTP attempt, connect to last byte, ms. Default 30 s. */
  timeoutMs?: number;
  /** Deadline of one call with all its retries and back-off, ms. Default: none. */
  callTimeoutMs?: number;
  /** Default 4 attempts, 500 ms doubling, capped at 8 s, with jitter. */
  retry?: VergeRetryOptions;
  onRequest?: (info: VergeRequestInfo) => void;
  /** For tests: how to wait between attempts. */
  sleep?: (ms: number) => Promise<void>;
};

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export type ListQuery = {
  /** `all`, `most`, `summary` or field names (joins with `#`, aliases with `as`). */
  fields?: string | readonly string[];
  filter?: Filter;
  /** `+name` / `-name`. */
  sort?: string;
  /** 0 = no limit. */
  limit?: number;
  offset?: number;
};

export type CallOptions = {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /**
   * May the request be repeated when it might have been processed (500/502/504, a broken
   * reused connection)? Default: true for GET, PUT and DELETE, false for POST.
   */
  idempotent?: boolean;
};

/** Errors of the token login itself (not of a request made with a token). */
const loginFailures = new WeakSet<VergeOsError>();

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Normalises the base URL to `scheme://host[:port][/prefix]` without `/api[/v4]`. */
export function normalizeBaseUrl(baseUrl: string): URL {
  const withScheme = /^[a-z]+:\/\//i.test(baseUrl) ? baseUrl : `https://${baseUrl}`;
  const url = new URL(withScheme);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`VergeOS base URL must be http(s): ${baseUrl}`);
  url.pathname = url.pathname.replace(/\/+$/, "").replace(/\/api(\/v4)?$/, "");
  url.search = "";
  url.hash = "";
  return url;
}

/** `a=b&c=d` with every part percent-encoded (`#` as `%23`, space as `%20`, never `+`). */
export function encodeQuery(query: Record<string, string | undefined>): string {
  return Object.entries(query)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
}

/** A key as a JSON request value (see KEYS_AS_JSON_STRINGS). */
export function wireKey(key: Key<string>): string | number {
  return KEYS_AS_JSON_STRINGS || !/^\d+$/.test(key) ? String(key) : Number(key);
}

function unexpected(what: string, data: unknown): VergeOsError {
  const shown = JSON.stringify(data) ?? String(data);
  return new VergeOsError("server", "server", `Unexpected VergeOS response to ${what}: ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}`, {}, what);
}

function optKey<T extends Key<string>>(value: unknown): T | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  try {
    return asKey<T>(value);
  } catch {
    return undefined;
  }
}

function positiveInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new VergeOsError("parameter", "parameter", `${what} must be a positive integer, got ${value}`);
  return value;
}

function seg(key: Key<string>): string {
  return encodeURIComponent(key);
}

/** Every IP address string inside `value` (agent_guest_info's shape is undocumented). */
export function addressesIn(value: unknown, depth = 0, out = new Set<string>()): Set<string> {
  if (depth > AGENT_INFO_SCAN_DEPTH) return out;
  if (typeof value === "string") {
    for (const m of value.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\b/g)) {
      const ip = m[1] ?? "";
      const parts = ip.split(".").map(Number);
      if (parts.every((p) => p <= 255) && parts[0] !== 127 && !(parts[0] === 169 && parts[1] === 254) && ip !== "0.0.0.0") out.add(ip);
    }
  } else if (Array.isArray(value)) for (const v of value) addressesIn(v, depth + 1, out);
  else if (isRecord(value)) for (const v of Object.values(value)) addressesIn(v, depth + 1, out);
  return out;
}

/**
 * Typed access to the parts of VergeOS API v4 a VM portal needs (see PROVIDERS.md, VergeOS).
 * Units: RAM in MB, disk sizes in bytes. VM keys and machine keys are distinct types: power
 * actions and `/vms/{key}` take a VmKey; drives, NICs, devices and status take a MachineKey.
 *
 * Retries: GET/PUT/DELETE on 429/500/502/503/504 and network failures; POST only when it
 * cannot have been processed (429, 503, a connection that never came up). POSTs go on a fresh
 * connection each (never a reused keep-alive one), so "never came up" is always decidable. Exponential
 * back-off with jitter, `Retry-After` honoured. A 401 with token auth logs in again once.
 */
export class VergeClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  /** For requests that must not be repeated (POSTs): a new connection each, see createAgent. */
  private readonly freshAgent: http.Agent;
  private readonly tls: TlsOptions;
  private readonly retry: Required<VergeRetryOptions>;
  private readonly sleep: (ms: number) => Promise<void>;
  private token: string | undefined;
  private login: Promise<string> | undefined;

  constructor(private readonly options: VergeClientOptions) {
    this.base = normalizeBaseUrl(options.baseUrl);
    this.tls = options.tls ?? { verify: true };
    this.agent = createAgent(this.base, this.tls);
    this.freshAgent = createAgent(this.base, this.tls, false);
    this.sleep = options.sleep ?? defaultSleep;
    this.retry = {
      attempts: Math.max(1, options.retry?.attempts ?? 4),
      baseDelayMs: options.retry?.baseDelayMs ?? 500,
      maxDelayMs: options.retry?.maxDelayMs ?? 8_000,
    };
  }

  /** Logs a session token out (best effort) and closes pooled connections. */
  async close(): Promise<void> {
    const token = this.token;
    this.token = undefined;
    if (token) {
      try {
        await this.exchange("DELETE", `${TOKEN_PATH}/${encodeURIComponent(token)}`, {}, undefined, { [TOKEN_HEADER]: token }, 1);
      } catch {
        // the token lapses by itself
      }
    }
    this.agent.destroy();
    this.freshAgent.destroy();
  }

  // ------------------------------------------------------------------ transport

  /**
   * One API call: `path` is relative to /api/v4 (e.g. `/vms/42`). Resolves to the parsed JSON
   * body, or null for an empty body. Throws VergeOsError (a ProviderError) with the server's words.
   */
  async call(method: HttpMethod, path: string, options: CallOptions = {}): Promise<unknown> {
    const idempotent = options.idempotent ?? method !== "POST";
    const deadline = this.options.callTimeoutMs === undefined ? Infinity : Date.now() + this.options.callTimeoutMs;
    const perAttempt = this.options.timeoutMs ?? 30_000;
    let relogged = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const auth = await this.authHeaders();
        const timeoutMs = Math.max(1, Math.min(perAttempt, deadline - Date.now()));
        return await this.exchange(method, `${API_PREFIX}${path}`, options.query ?? {}, options.body, auth, attempt, timeoutMs, idempotent);
      } catch (error) {
        if (!(error instanceof VergeOsError)) throw error;
        if (TOKEN_RELOGIN_ON_401 && error.details.status === 401 && this.options.auth.type === "token" && !relogged && !loginFailures.has(error)) {
          relogged = true;
          this.token = undefined;
          attempt--;
          continue;
        }
        if (attempt >= this.retry.attempts || !this.retryable(error, idempotent)) throw error;
        const delay = this.backoff(attempt, error);
        if (Date.now() + delay >= deadline) {
          throw new VergeOsError(error.kind, error.reason, `${error.message} (no answer within the call's deadline of ${this.options.callTimeoutMs} ms, ${attempt} attempt${attempt === 1 ? "" : "s"})`, error.details, error.request);
        }
        await this.sleep(delay);
      }
    }
  }

  private retryable(error: VergeOsError, idempotent: boolean): boolean {
    const status = error.details.status;
    if (status !== undefined) return idempotent ? RETRY_STATUSES.has(status) : RETRY_STATUSES_UNPROCESSED.has(status);
    if (error.reason === "network") return idempotent || wasNeverSent(error);
    return false;
  }

  private backoff(attempt: number, error: VergeOsError): number {
    const retryAfter = (error as VergeOsError & { retryAfterMs?: number }).retryAfterMs;
    if (retryAfter !== undefined) return Math.min(retryAfter, MAX_RETRY_AFTER_MS);
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const auth = this.options.auth;
    if (auth.type === "apiKey") return { Authorization: `Bearer ${auth.apiKey}` };
    if (auth.type === "basic") return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}` };
    if (!this.token) {
      // One login for all concurrent callers.
      this.login ??= this.fetchToken().finally(() => (this.login = undefined));
      this.token = await this.login;
    }
    return { [TOKEN_HEADER]: this.token };
  }

  private async fetchToken(): Promise<string> {
    const auth = this.options.auth;
    if (auth.type !== "token") throw new Error("fetchToken without token credentials");
    let data: unknown;
    try {
      data = await this.exchange("POST", TOKEN_PATH, {}, { login: auth.username, password: auth.password }, {}, 1);
    } catch (error) {
      // A refused login is final: no second login for a 401 that the login itself got.
      if (error instanceof VergeOsError) loginFailures.add(error);
      throw error;
    }
    const token = isRecord(data) ? str(data.$key) : undefined;
    if (!token) throw new VergeOsError("auth", "auth", `VergeOS login for ${auth.username} returned no token`, {}, `POST ${TOKEN_PATH}`);
    return token;
  }

  private async exchange(
    method: HttpMethod,
    fullPath: string,
    query: Record<string, string | undefined>,
    body: unknown,
    authHeaders: Record<string, string>,
    attempt: number,
    timeoutMs = this.options.timeoutMs ?? 30_000,
    idempotent = true,
  ): Promise<unknown> {
    const url = new URL(this.base);
    url.pathname = `${this.base.pathname.replace(/\/+$/, "")}${fullPath}`;
    const qs = encodeQuery(query);
    url.search = qs ? `?${qs}` : "";
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": "hangar-vergeos-client", ...authHeaders };
    if (text !== undefined) headers["Content-Type"] = "application/json";
    // The logout path holds the session token: never show it in messages or traces.
    const shownPath = fullPath.startsWith(`${TOKEN_PATH}/`) ? `${TOKEN_PATH}/…` : fullPath.replace(API_PREFIX, "");
    const what = `${method} ${shownPath}`;
    this.options.onRequest?.({
      method,
      path: shownPath,
      query: Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)),
      body: fullPath === TOKEN_PATH ? undefined : body,
      attempt,
    });
    const res: RawResponse = await send(idempotent ? this.agent : this.freshAgent, this.tls, { method, url, headers, body: text, timeoutMs, label: what });
    if (res.status < 200 || res.status > 299) {
      const error = errorFromResponse(res.status, res.statusMessage, res.body, what);
      const retryAfter = Number(res.headers["retry-after"]);
      if (Number.isFinite(retryAfter) && retryAfter >= 0) Object.assign(error, { retryAfterMs: retryAfter * 1000 });
      throw error;
    }
    if (!res.body.trim()) return null;
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      // PUT/DELETE bodies are undocumented: never require one (PROVIDERS.md).
      if (method === "PUT" || method === "DELETE") return null;
      throw new VergeOsError("server", "server", `VergeOS answered ${what} with a non-JSON body (${res.headers["content-type"] ?? "no content type"})`, { status: res.status }, what);
    }
  }

  // ------------------------------------------------------------------ generic table access

  /** `GET /<table>` with list parameters; a lone object is read as a one-row list. */
  async list(table: string, query: ListQuery = {}): Promise<Record<string, unknown>[]> {
    const fields = typeof query.fields === "string" ? query.fields : query.fields?.join(",");
    const data = await this.call("GET", `/${table}`, {
      query: {
        fields,
        filter: query.filter,
        sort: query.sort,
        limit: query.limit === undefined ? undefined : String(Math.max(0, Math.floor(query.limit))),
        offset: query.offset === undefined ? undefined : String(Math.max(0, Math.floor(query.offset))),
      },
    });
    if (data === null) return [];
    if (Array.isArray(data)) return data.filter(isRecord);
    if (isRecord(data)) return [data];
    throw unexpected(`GET /${table}`, data);
  }

  /** `GET /<table>/{key}`. */
  async get(table: string, key: Key<string>, fields?: string): Promise<Record<string, unknown>> {
    const data = await this.call("GET", `/${table}/${seg(key)}`, { query: { fields } });
    const row = Array.isArray(data) ? data[0] : data;
    if (!isRecord(row)) throw unexpected(`GET /${table}/{key}`, data);
    return row;
  }

  /** `POST /<table>`: 201 `{location, dbpath, $row, $key, response?}` (any 2xx with a key). */
  async create<K extends Key<string>>(table: string, body: Record<string, unknown>): Promise<VergeCreated<K>> {
    const data = await this.call("POST", `/${table}`, { body });
    if (!isRecord(data)) throw unexpected(`POST /${table}`, data);
    const location = str(data.location);
    let key = optKey<K>(data.$key);
    if (!key && KEY_FROM_LOCATION && location) key = optKey<K>(location.split("/").filter(Boolean).pop());
    if (!key) throw unexpected(`POST /${table}`, data);
    return { key, row: num(data.$row), location, dbpath: str(data.dbpath), response: isRecord(data.response) ? data.response : undefined };
  }

  /** `PUT /<table>/{key}` with absolute values; the answer's body is not required. */
  async update(table: string, key: Key<string>, body: Record<string, unknown>): Promise<void> {
    await this.call("PUT", `/${table}/${seg(key)}`, { body });
  }

  /** `DELETE /<table>/{key}`. */
  async remove(table: string, key: Key<string>): Promise<void> {
    await this.call("DELETE", `/${table}/${seg(key)}`);
  }

  /** Every row of a list query, `pageSize` rows per request. */
  async listAll(table: string, query: Omit<ListQuery, "limit" | "offset"> = {}, pageSize = 100): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.list(table, { ...query, limit: pageSize, offset });
      rows.push(...page);
      if (page.length < pageSize) return rows;
      if (offset > 1_000_000) throw unexpected(`GET /${table}`, "more than a million rows");
    }
  }

  // ------------------------------------------------------------------ discovery

  async clusters(): Promise<VergeCluster[]> {
    const rows = await this.listAll("clusters", { fields: "$key,name,description,max_ram_per_vm,max_cores_per_vm" });
    return rows.flatMap((r) => {
      const key = optKey<ClusterKey>(r.$key);
      return key ? [{ key, name: str(r.name) ?? `cluster ${key}`, description: str(r.description), maxRamPerVmMb: num(r.max_ram_per_vm), maxCoresPerVm: num(r.max_cores_per_vm) }] : [];
    });
  }

  async vnets(): Promise<VergeVnet[]> {
    const rows = await this.listAll("vnets", { fields: "$key,name,type,network" });
    return rows.flatMap((r) => {
      const key = optKey<VnetKey>(r.$key);
      return key ? [{ key, name: str(r.name) ?? `vnet ${key}`, type: str(r.type), network: str(r.network) }] : [];
    });
  }

  /** Storage tiers with capacity, used and free space, bytes (free = capacity − used, sdk). */
  async storageTiers(): Promise<VergeStorageTier[]> {
    const rows = await this.listAll("storage_tiers", { fields: "$key,tier,description,capacity,used" });
    return rows.flatMap((r) => {
      const tier = str(r.tier);
      if (!tier || !/^[1-5]$/.test(tier)) return [];
      const capacityBytes = num(r.capacity) ?? 0;
      const usedBytes = num(r.used) ?? 0;
      return [{ key: str(r.$key) ?? tier, tier: tier as TierNumber, description: str(r.description), capacityBytes, usedBytes, freeBytes: Math.max(0, capacityBytes - usedBytes) }];
    });
  }

  /** Rows of `files` usable as media sources (`type` e.g. iso, qcow2, raw, vmdk); sizes in bytes. */
  async mediaSources(type?: string): Promise<VergeMediaSource[]> {
    const rows = await this.listAll("files", { fields: "$key,name,type,filesize", filter: type ? where("type", "eq", type) : undefined });
    return rows.flatMap((r) => {
      const key = optKey<FileKey>(r.$key);
      return key ? [{ key, name: str(r.name) ?? `file ${key}`, type: str(r.type), fileSizeBytes: num(r.filesize) }] : [];
    });
  }

  /** Resource groups (device pools); `gpuOnly` keeps classes `gpu` and `vgpu`. */
  async resourceGroups(options: { gpuOnly?: boolean } = {}): Promise<VergeResourceGroup[]> {
    const rows = await this.listAll("resource_groups", { fields: RESOURCE_GROUP_FIELDS });
    const groups = rows.flatMap((r) => {
      const uuid = optKey<ResourceGroupUuid>(r.uuid);
      if (!uuid) return [];
      return [
        {
          key: optKey<ResourceGroupKey>(r.$key) ?? (uuid as string as ResourceGroupKey),
          uuid,
          name: str(r.name) ?? uuid,
          description: str(r.description),
          type: str(r.type),
          class: str(r.class),
          enabled: bool(r.enabled) ?? false,
          resourceCount: num(r.resource_count),
        },
      ];
    });
    // Filtered locally: both classes at once, and no dependence on `or` support.
    return options.gpuOnly ? groups.filter((g) => g.class === "gpu" || g.class === "vgpu") : groups;
  }

  /** Physical NVIDIA devices per node (no group field; groups pick devices by rules, sdk). */
  async vgpuDevices(): Promise<VergeVgpuDevice[]> {
    const rows = await this.listAll("node_nvidia_vgpu_devices", { fields: "$key,node,name,slot,max_instances" });
    return rows.flatMap((r) => {
      const key = str(r.$key);
      return key ? [{ key, name: str(r.name) ?? key, node: str(r.node), slot: str(r.slot), maxInstances: num(r.max_instances) }] : [];
    });
  }

  // ------------------------------------------------------------------ VMs

  private readVm(r: Record<string, unknown>): VergeVm | undefined {
    const key = optKey<VmKey>(r.$key);
    if (!key) return undefined;
    return {
      key,
      name: str(r.name) ?? "",
      machine: optKey<MachineKey>(r.machine),
      description: str(r.description),
      cluster: optKey<ClusterKey>(r.cluster),
      cpuCores: num(r.cpu_cores),
      ramMb: num(r.ram),
      isSnapshot: bool(r.is_snapshot),
    };
  }

  private static readonly VM_FIELDS = "$key,name,machine,description,cluster,cpu_cores,ram,is_snapshot";

  /**
   * `POST /vms`. RAM in MB, cores as an integer, booleans native. Answers the VM key and, when
   * the server says it (`response.machine`), the machine key; else use `machineOf`.
   * 409 when the name is taken.
   */
  async createVm(spec: VergeCreateVm): Promise<VergeCreatedVm> {
    if (!spec.name.trim()) throw new VergeOsError("parameter", "parameter", "A VergeOS VM needs a name");
    const body: Record<string, unknown> = {
      name: spec.name,
      description: spec.description,
      cluster: spec.cluster === undefined ? undefined : wireKey(spec.cluster),
      cpu_cores: positiveInt(spec.cpuCores, "cpu_cores"),
      ram: positiveInt(spec.ramMb, "ram (MB)"),
      guest_agent: spec.guestAgent,
      uefi: spec.uefi,
      secure_boot: spec.secureBoot,
      video: spec.video,
      os_family: spec.osFamily,
      machine_type: spec.machineType,
      rtc_base: spec.rtcBase,
    };
    if (spec.cloudInit && spec.cloudInit.files.length > 0) {
      // Files are attached only when the datasource is not `none`: always set both (sdk).
      body.cloudinit_datasource = spec.cloudInit.datasource;
      body.cloudinit_files = spec.cloudInit.files.map((f) => ({ name: f.name, contents: f.contents }));
    }
    const created = await this.create<VmKey>("vms", stripUndefined(body));
    return { ...created, machine: optKey<MachineKey>(created.response?.machine) };
  }

  /** `GET /vms/{key}`. 404 → ProviderError `not_found`. */
  async getVm(key: VmKey): Promise<VergeVm> {
    const row = await this.get("vms", key, VergeClient.VM_FIELDS);
    const vm = this.readVm(row) ?? (isRecord(row) ? { key, name: str(row.name) ?? "", machine: optKey<MachineKey>(row.machine) } : undefined);
    if (!vm) throw unexpected("GET /vms/{key}", row);
    return vm;
  }

  /** The machine key of a VM, read back (`fields=$key,name,machine`). */
  async machineOf(key: VmKey): Promise<MachineKey> {
    const row = await this.get("vms", key, VM_READBACK_FIELDS);
    const machine = optKey<MachineKey>(row.machine);
    if (!machine) throw unexpected("GET /vms/{key} (machine)", row);
    return machine;
  }

  /** VMs, snapshots left out (`is_snapshot eq false`, sdk) unless asked for. */
  async listVms(options: { includeSnapshots?: boolean; filter?: Filter } = {}): Promise<VergeVm[]> {
    const filter = and(options.includeSnapshots ? undefined : where("is_snapshot", "eq", false), options.filter);
    const rows = await this.listAll("vms", { fields: VergeClient.VM_FIELDS, filter: filter || undefined });
    return rows.flatMap((r) => {
      const vm = this.readVm(r);
      // Also filtered locally: a server ignoring the filter must not hand us snapshots.
      return vm && (options.includeSnapshots || vm.isSnapshot !== true) ? [vm] : [];
    });
  }

  /** The VM (not a snapshot) with exactly this name, if any. */
  async findVmByName(name: string): Promise<VergeVm | undefined> {
    const vms = await this.listVms({ filter: where("name", "eq", name) });
    return vms.find((vm) => vm.name === name);
  }

  /** `PUT /vms/{key}`: cores, RAM (MB), description. */
  async updateVm(key: VmKey, changes: VergeUpdateVm): Promise<void> {
    await this.update(
      "vms",
      key,
      stripUndefined({
        cpu_cores: changes.cpuCores === undefined ? undefined : positiveInt(changes.cpuCores, "cpu_cores"),
        ram: changes.ramMb === undefined ? undefined : positiveInt(changes.ramMb, "ram (MB)"),
        description: changes.description,
      }),
    );
  }

  /** `DELETE /vms/{key}`: removes drives, NICs, devices and cloud-init files too (doc). */
  async deleteVm(key: VmKey): Promise<void> {
    await this.remove("vms", key);
  }

  // ------------------------------------------------------------------ hardware (machine key)

  /**
   * `POST /machine_drives` on the machine. `sizeBytes` in bytes; `preferredTier` "1".."5";
   * import/clone need `mediaSource` (a `files` row). 507 when the tier is full.
   */
  async createDrive(spec: VergeCreateDrive): Promise<VergeCreated<DriveKey>> {
    const fromSource = spec.media === "import" || spec.media === "clone" || spec.media === "cdrom";
    if (fromSource && spec.mediaSource === undefined) throw new VergeOsError("parameter", "parameter", `A ${spec.media} drive needs a media source`);
    const sendSize = spec.sizeBytes !== undefined && (spec.media === "disk" || ((spec.media === "import" || spec.media === "clone") && SEND_DISKSIZE_ON_IMPORT));
    const body = stripUndefined({
      machine: wireKey(spec.machine),
      name: spec.name,
      description: spec.description,
      media: spec.media,
      interface: spec.interface,
      disksize: sendSize && spec.sizeBytes !== undefined ? positiveInt(spec.sizeBytes, "disksize (bytes)") : undefined,
      preferred_tier: spec.preferredTier,
      show_pt: OVERRIDE_TIER_ON_IMPORT && spec.preferredTier !== undefined && (spec.media === "import" || spec.media === "clone") ? true : undefined,
      media_source: spec.mediaSource === undefined ? undefined : wireKey(spec.mediaSource),
    });
    return this.create<DriveKey>("machine_drives", body);
  }

  private readDrive(r: Record<string, unknown>): VergeDrive | undefined {
    const key = optKey<DriveKey>(r.$key);
    if (!key) return undefined;
    return {
      key,
      machine: optKey<MachineKey>(r.machine),
      name: str(r.name),
      media: str(r.media),
      interface: str(r.interface),
      sizeBytes: num(r.disksize),
      preferredTier: str(r.preferred_tier),
      mediaSource: str(r.media_source),
    };
  }

  private static readonly DRIVE_FIELDS = "$key,machine,name,media,interface,disksize,preferred_tier,media_source";

  /** The machine's drives. */
  async drives(machine: MachineKey): Promise<VergeDrive[]> {
    const rows = await this.listAll("machine_drives", { fields: VergeClient.DRIVE_FIELDS, filter: whereKey("machine", machine) });
    return rows.flatMap((r) => {
      const d = this.readDrive(r);
      return d && (d.machine === undefined || d.machine === machine) ? [d] : [];
    });
  }

  async getDrive(key: DriveKey): Promise<VergeDrive> {
    const d = this.readDrive(await this.get("machine_drives", key, VergeClient.DRIVE_FIELDS));
    if (!d) throw unexpected("GET /machine_drives/{key}", key);
    return d;
  }

  /** `PUT /machine_drives/{key} {disksize}`: the absolute new size in bytes (drives never shrink). */
  async resizeDrive(key: DriveKey, sizeBytes: number): Promise<void> {
    await this.update("machine_drives", key, { disksize: positiveInt(sizeBytes, "disksize (bytes)") });
  }

  /** `POST /machine_nics {machine, vnet, interface?, name?}`. */
  async createNic(spec: VergeCreateNic): Promise<VergeCreated<NicKey>> {
    return this.create<NicKey>("machine_nics", stripUndefined({ machine: wireKey(spec.machine), vnet: wireKey(spec.vnet), name: spec.name, interface: spec.interface }));
  }

  /** The machine's NICs with their MAC and (once the guest reports it) IP address. */
  async nics(machine: MachineKey): Promise<VergeNic[]> {
    const rows = await this.listAll("machine_nics", { fields: "$key,machine,vnet,name,interface,macaddress,ipaddress", filter: whereKey("machine", machine) });
    return rows.flatMap((r) => {
      const key = optKey<NicKey>(r.$key);
      const m = optKey<MachineKey>(r.machine);
      if (!key || (m !== undefined && m !== machine)) return [];
      return [{ key, machine: m, vnet: str(r.vnet), name: str(r.name), interface: str(r.interface), macAddress: str(r.macaddress), ipAddress: str(r.ipaddress) || undefined }];
    });
  }

  /** `POST /machine_devices {machine, resource_group: <UUID>, settings_args: {}}`; `response.uuid` when given. */
  async createDevice(spec: VergeCreateDevice): Promise<VergeCreatedDevice> {
    const created = await this.create<DeviceKey>("machine_devices", stripUndefined({ machine: wireKey(spec.machine), resource_group: spec.resourceGroup, name: spec.name, settings_args: {} }));
    return { ...created, uuid: str(created.response?.uuid) };
  }

  private readDevice(r: Record<string, unknown>): VergeDevice | undefined {
    const key = optKey<DeviceKey>(r.$key);
    return key ? { key, machine: optKey<MachineKey>(r.machine), resourceGroup: str(r.resource_group), uuid: str(r.uuid), name: str(r.name) } : undefined;
  }

  /** The machine's devices, or every device row when `machine` is omitted (to count group use). */
  async devices(machine?: MachineKey): Promise<VergeDevice[]> {
    const rows = await this.listAll("machine_devices", { fields: "$key,machine,resource_group,uuid,name", filter: machine === undefined ? undefined : whereKey("machine", machine) });
    return rows.flatMap((r) => {
      const d = this.readDevice(r);
      return d && (machine === undefined || d.machine === undefined || d.machine === machine) ? [d] : [];
    });
  }

  /** Does this device row belong to the group (by UUID, or by the group's `$key`)? */
  static deviceInGroup(device: VergeDevice, group: { uuid: ResourceGroupUuid; key?: ResourceGroupKey }): boolean {
    if (device.resourceGroup === undefined) return false;
    if (device.resourceGroup.toLowerCase() === group.uuid.toLowerCase()) return true;
    return DEVICE_GROUP_MATCHES_UUID_OR_KEY && group.key !== undefined && device.resourceGroup === group.key;
  }

  /**
   * GPU resource groups with how many devices are attached to machines and how many are free
   * (see RESOURCE_GROUP_FIELDS in protocol-guesses: attached devices count as taken).
   */
  async gpuGroupUsage(): Promise<(VergeResourceGroup & { attached: number; free: number | undefined })[]> {
    const [groups, devices] = await Promise.all([this.resourceGroups({ gpuOnly: true }), this.devices()]);
    return groups.map((g) => {
      const attached = devices.filter((d) => VergeClient.deviceInGroup(d, g)).length;
      return { ...g, attached, free: g.resourceCount === undefined ? undefined : Math.max(0, g.resourceCount - attached) };
    });
  }

  // ------------------------------------------------------------------ power and status

  /**
   * `POST /vm_actions {vm: <VM key>, action, params?}`: asynchronous (poll `machineStatus`).
   * 409 when already in that state; 507 when resources (e.g. a GPU) are short at power-on.
   */
  async vmAction(vm: VmKey, action: VergePowerAction, params?: Record<string, unknown>): Promise<unknown> {
    return this.call("POST", "/vm_actions", { body: stripUndefined({ vm: wireKey(vm), action, params }) });
  }

  private readStatus(r: Record<string, unknown>): VergeMachineStatus | undefined {
    const key = optKey<MachineStatusKey>(r.$key);
    if (!key) return undefined;
    return {
      key,
      machine: optKey<MachineKey>(r.machine),
      status: str(r.status),
      statusInfo: str(r.status_info),
      state: str(r.state),
      running: bool(r.running),
      powerstate: bool(r.powerstate),
      node: str(r.node) || undefined,
      agentGuestInfo: r.agent_guest_info,
    };
  }

  /**
   * The status row of a machine, found by `filter=machine eq <machine key>&limit=1` (its own
   * `$key` differs from the machine key). Undefined when there is none.
   */
  async machineStatus(machine: MachineKey): Promise<VergeMachineStatus | undefined> {
    const rows = await this.list("machine_status", { fields: MACHINE_STATUS_FIELDS, filter: whereKey("machine", machine), limit: 1 });
    for (const r of rows) {
      const s = this.readStatus(r);
      if (s && (s.machine === undefined || s.machine === machine)) return s;
    }
    return undefined;
  }

  /** The guest's addresses: NIC `ipaddress` values first, then any in the agent's data. */
  async guestAddresses(machine: MachineKey): Promise<string[]> {
    const nics = await this.nics(machine);
    const out = new Set<string>();
    for (const n of nics) for (const ip of addressesIn(n.ipAddress ?? "")) out.add(ip);
    if (out.size === 0) {
      const status = await this.machineStatus(machine);
      for (const ip of addressesIn(status?.agentGuestInfo)) out.add(ip);
    }
    return [...out];
  }
}

function stripUndefined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

