/**
 * The HTTP(S) front end of the Nova Cloud simulator: FastAPI-like JSON without an envelope,
 * `{"detail": "..."}` errors, 422 with a list of `{loc, msg, type}` for malformed bodies, Bearer
 * auth (API key or JWT). Routes: the documented ones plus the guessed ones of protocol-guesses.ts
 * (so the client's guesses are exercised), and /__simulator/* control endpoints.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import Decimal from "decimal.js";
import { SimAuth } from "./auth";
import { NovaFaults } from "./faults";
import { NovaSimState, SimHttpError, type CreateBody, type SimSshKey, vmJson } from "./state";
import type { NovaSimulatorOptions, SimRequestLogEntry } from "./types";
import { DEFAULT_GPU_TYPES, DEFAULT_NODES, DEFAULT_TEMPLATES } from "./defaults";

export type NovaSimulator = {
  /** e.g. https://127.0.0.1:41234 */
  url: string;
  port: number;
  readonly state: NovaSimState;
  readonly auth: SimAuth;
  readonly faults: NovaFaults;
  /** Every request answered, oldest first. */
  readonly requests: SimRequestLogEntry[];
  /** The simulator's clock (real time plus `advanceTime`). */
  now(): number;
  /** Moves the clock forward (billing, token expiry) and bills up to the new time. */
  advanceTime(ms: number): void;
  /** Preempts an interruptible VM. */
  interrupt(vmId: string): void;
  /** GPUs of a type on a node taken by other customers (0 frees them). */
  setExternalUse(node: string, gpuType: string, count: number): void;
  /** An on-demand customer takes `count` GPUs: interruptible rentals there are interrupted to make room. Returns their ids. */
  claimGpus(node: string, gpuType: string, count: number): string[];
  setBalance(balance: string): void;
  /** The balance now (billed up to now), as a decimal string. */
  balance(): string;
  stop(): Promise<void>;
};

type Body = Record<string, unknown>;

// ------------------------------------------------------------------ pydantic-like validation

type FieldRule = { name: string; kind: "str" | "int"; required?: boolean; min?: number; enumOf?: readonly (string | number)[]; minLength?: number; maxLength?: number };

function validate(body: unknown, rules: FieldRule[]): { loc: (string | number)[]; msg: string; type: string; input?: unknown }[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return [{ loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", type: "model_attributes_type", input: body }];
  const b = body as Body;
  const out: { loc: (string | number)[]; msg: string; type: string; input?: unknown }[] = [];
  for (const rule of rules) {
    const value = b[rule.name];
    const loc = ["body", rule.name];
    if (value === undefined || value === null) {
      if (rule.required) out.push({ loc, msg: "Field required", type: "missing", input: body });
      continue;
    }
    if (rule.kind === "int" && !(typeof value === "number" && Number.isInteger(value)) && !(typeof value === "string" && /^-?\d+$/.test(value))) {
      out.push({ loc, msg: "Input should be a valid integer", type: "int_parsing", input: value });
      continue;
    }
    if (rule.kind === "str" && typeof value !== "string") {
      out.push({ loc, msg: "Input should be a valid string", type: "string_type", input: value });
      continue;
    }
    const n = rule.kind === "int" ? Number(value) : undefined;
    if (rule.enumOf && !rule.enumOf.includes(rule.kind === "int" ? (n as number) : (value as string))) {
      const names = rule.enumOf.map((e) => (typeof e === "string" ? `'${e}'` : String(e)));
      out.push({ loc, msg: `Input should be ${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`, type: "enum", input: value });
      continue;
    }
    if (rule.min !== undefined && n !== undefined && n < rule.min) out.push({ loc, msg: `Input should be greater than or equal to ${rule.min}`, type: "greater_than_equal", input: value });
    if (rule.minLength !== undefined && typeof value === "string" && value.length < rule.minLength) out.push({ loc, msg: `String should have at least ${rule.minLength} characters`, type: "string_too_short", input: value });
    if (rule.maxLength !== undefined && typeof value === "string" && value.length > rule.maxLength) out.push({ loc, msg: `String should have at most ${rule.maxLength} characters`, type: "string_too_long", input: value });
  }
  return out;
}

const CREATE_RULES: FieldRule[] = [
  { name: "node", kind: "str", required: true },
  { name: "gpu_type", kind: "str", required: true },
  { name: "gpu_count", kind: "int", required: true },
  { name: "storage_gb", kind: "int", required: true, min: 50 },
  { name: "template_vmid", kind: "int", required: true },
  { name: "rental_type", kind: "str", enumOf: ["on_demand", "reserved", "interruptible"] },
  { name: "reservation_months", kind: "int", enumOf: [1, 3, 6] },
  { name: "auth_method", kind: "str", enumOf: ["ssh_key", "password"] },
  { name: "ssh_key_id", kind: "str" },
  { name: "password", kind: "str", minLength: 12 },
];
const RESERVATION_RULES: FieldRule[] = [
  { name: "gpu_type", kind: "str", required: true },
  { name: "gpu_count", kind: "int", required: true },
  { name: "storage_gb", kind: "int", required: true, min: 50 },
  { name: "reservation_months", kind: "int", required: true, enumOf: [1, 3, 6] },
];
const SSH_KEY_RULES: FieldRule[] = [
  { name: "ssh_public_key", kind: "str", required: true, maxLength: 16000 },
  { name: "label", kind: "str", maxLength: 100 },
];

function checked(body: unknown, rules: FieldRule[]): Body {
  const problems = validate(body, rules);
  if (problems.length > 0) throw new SimHttpError(422, problems);
  return body as Body;
}

const keyJson = (k: SimSshKey) => ({ id: k.id, label: k.label, key_type: k.key_type, fingerprint: k.fingerprint, created_at: k.created_at });
const money = (d: Decimal) => Number(d.toDecimalPlaces(2).toString());

export async function startNovaSimulator(options: NovaSimulatorOptions = {}): Promise<NovaSimulator> {
  let offset = 0;
  const source = options.clock ?? Date.now;
  const clock = () => source() + offset;
  const faults = new NovaFaults();
  const state = new NovaSimState(
    options.gpuTypes ?? DEFAULT_GPU_TYPES,
    options.nodes ?? DEFAULT_NODES,
    options.templates ?? DEFAULT_TEMPLATES,
    new Decimal(options.storageGbHourly ?? "0.0002"),
    options.balance ?? "100.00",
    options.currency ?? "USD",
    { creatingMs: 300, startingMs: 300, stoppingMs: 200, purgeMs: 500, ...options.durations },
    options.reservationDiscountPercent ?? { 1: "5", 3: "10", 6: "20" },
    clock,
    () => faults.vmOutcomes.shift(),
  );
  state.stopAtZeroBalance = options.stopAtZeroBalance ?? false;
  const auth = new SimAuth(options.apiKeys ?? [], options.users ?? [], options.accessTokenTtlMs ?? 3_600_000, options.refreshTokenTtlMs ?? 7 * 86_400_000, options.loginsPerMinute ?? 5, clock);
  const requests: SimRequestLogEntry[] = [];
  const control = options.control ?? true;

  type Out = { status: number; body?: unknown; headers?: Record<string, string> };

  const route = async (method: string, path: string, query: URLSearchParams, body: unknown, authorization: string | undefined, entry: SimRequestLogEntry): Promise<Out> => {
    const needAuth = () => {
      entry.authorization = auth.check(authorization);
    };
    const b = (typeof body === "object" && body !== null ? body : {}) as Body;
    let m: RegExpExecArray | null;

    // public
    if (method === "GET" && path === "/search") {
      const offers = state.nodes.flatMap((node) =>
        Object.entries(node.gpus).flatMap(([type, total]) => {
          const g = state.gpuType(type);
          if (!g) return [];
          return [
            {
              gpu_type: g.type,
              gpu_count: total,
              gpu_ram_mb: g.ramMb,
              gpu_price_hourly: Number(g.hourly),
              interruptible_rate: Number(g.interruptibleHourly),
              available: state.freeGpus(node.id, g.type),
              location: node.location,
              node: node.id,
              cpu_cores_per_gpu: g.cpuCoresPerGpu,
              ram_gb_per_gpu: g.ramGbPerGpu,
            },
          ];
        }),
      );
      return { status: 200, body: offers };
    }
    if (method === "GET" && path === "/pricing") {
      return {
        status: 200,
        body: {
          gpus: Object.fromEntries(state.gpuTypes.map((g) => [g.type, Number(g.hourly)])),
          interruptible: Object.fromEntries(state.gpuTypes.map((g) => [g.type, Number(g.interruptibleHourly)])),
          storage_gb_hour: Number(state.storageGbHourly.toString()),
          currency: state.currency,
        },
      };
    }
    if (method === "POST" && path === "/auth/login") return { status: 200, body: auth.login(checked(body, [{ name: "email", kind: "str", required: true }, { name: "password", kind: "str", required: true }])) };
    if (method === "POST" && path === "/auth/refresh") return { status: 200, body: auth.refresh(checked(body, [{ name: "refresh_token", kind: "str", required: true }])) };

    // control
    if (control && path.startsWith("/__simulator/")) {
      if (method === "POST" && path === "/__simulator/interrupt") {
        state.interrupt(String(b.vm_id));
        return { status: 200, body: { ok: true } };
      }
      if (method === "POST" && path === "/__simulator/balance") {
        state.bill();
        state.balance = new Decimal(String(b.balance));
        return { status: 200, body: { balance: money(state.balance) } };
      }
      if (method === "POST" && path === "/__simulator/claim") {
        return { status: 200, body: { interrupted: state.claimGpus(String(b.node), String(b.gpu_type), Number(b.count ?? 1)) } };
      }
      if (method === "POST" && path === "/__simulator/external-use") {
        state.externalUse.set(`${String(b.node)}/${String(b.gpu_type)}`, Number(b.count));
        return { status: 200, body: { ok: true } };
      }
      if (method === "POST" && path === "/__simulator/faults") {
        if (b.reset) faults.reset();
        if (typeof b.status === "number") faults.failNext({ status: b.status, detail: b.detail, count: typeof b.count === "number" ? b.count : 1, method: typeof b.method === "string" ? b.method : undefined, path: typeof b.path === "string" ? b.path : undefined, retryAfterSeconds: typeof b.retry_after === "number" ? b.retry_after : undefined });
        if (typeof b.delay_ms === "number") faults.delay({ ms: b.delay_ms, count: typeof b.count === "number" ? b.count : undefined });
        if (b.vm_outcome === "failed" || b.vm_outcome === "offline") faults.failNextVm(b.vm_outcome);
        return { status: 200, body: { ok: true } };
      }
      if (method === "POST" && path === "/__simulator/advance-time") {
        offset += Number(b.ms ?? 0);
        state.bill();
        return { status: 200, body: { now: new Date(clock()).toISOString() } };
      }
      if (method === "GET" && path === "/__simulator/state") {
        state.bill();
        return { status: 200, body: { balance: money(state.balance), vms: [...state.vms.values()].map(vmJson), ssh_keys: state.sshKeys.map(keyJson), reservations: [...state.reservations.values()] } };
      }
    }

    needAuth();
    if (method === "POST" && path === "/auth/api-key") return { status: 201, body: auth.createApiKey() };
    if (method === "GET" && path === "/billing/balance") {
      state.bill();
      return { status: 200, body: { balance: money(state.balance), currency: state.currency } };
    }
    if (method === "GET" && path === "/billing/current-spend") {
      state.bill();
      const running = [...state.vms.values()].filter((v) => v.status !== "destroyed");
      const perHour = running.reduce((sum, v) => sum.plus(v.status === "running" ? v.hourly_rate : v.storage_hourly_rate), new Decimal(0));
      return {
        status: 200,
        body: {
          total_per_hour: money(perHour),
          total_per_day: money(perHour.times(24)),
          total_per_month: money(perHour.times(730)),
          hourly_rate: money(perHour),
          running_vms: running.filter((v) => v.status === "running").length,
          last_updated: new Date(clock()).toISOString(),
          vms: running.map((v) => ({ vm_id: v.id, vmid: v.vmid, gpu_type: v.gpu_type, gpu_count: v.gpu_count, storage_gb: v.storage_gb, gpu_cost_per_hour: Number(v.gpu_hourly_rate.toString()), storage_cost_per_hour: Number(v.storage_hourly_rate.toString()), network_cost_per_hour: 0, total_cost_per_hour: Number(v.hourly_rate.toString()) })),
        },
      };
    }
    if (method === "POST" && path === "/reservations/calculate") {
      const r = checked(body, RESERVATION_RULES);
      const q = state.calculateReservation(String(r.gpu_type), Number(r.gpu_count), Number(r.storage_gb), Number(r.reservation_months));
      return { status: 200, body: { discount_percent: q.discount_percent, deposit_required: money(q.deposit_required), monthly_cost: money(q.monthly_cost), hourly_rate_after_discount: Number(q.hourly_rate_after_discount.toString()), cancellation_fee_25_percent: money(q.cancellation_fee_25_percent) } };
    }
    if (path === "/ssh-keys") {
      if (method === "GET") return { status: 200, body: state.sshKeys.map(keyJson) };
      if (method === "POST") {
        const r = checked(body, SSH_KEY_RULES);
        return { status: 201, body: keyJson(state.addSshKey(String(r.ssh_public_key), typeof r.label === "string" ? r.label : undefined)) };
      }
    }
    if ((m = /^\/ssh-keys\/([^/]+)$/.exec(path))) {
      const index = state.sshKeys.findIndex((k) => k.id === m?.[1]);
      if (index < 0) throw new SimHttpError(404, "SSH key not found");
      if (method === "GET") return { status: 200, body: keyJson(state.sshKeys[index] as SimSshKey) };
      if (method === "DELETE") {
        state.sshKeys.splice(index, 1);
        return { status: 204 };
      }
    }
    if (path === "/vms") {
      if (method === "GET") {
        state.bill();
        const limit = Number(query.get("limit") ?? 50);
        const offset = Number(query.get("offset") ?? 0);
        return { status: 200, body: [...state.vms.values()].slice(offset, offset + limit).map(vmJson) };
      }
      if (method === "POST") {
        const r = checked(body, CREATE_RULES);
        const create: CreateBody = {
          node: String(r.node),
          gpu_type: String(r.gpu_type),
          gpu_count: Number(r.gpu_count),
          storage_gb: Number(r.storage_gb),
          template_vmid: Number(r.template_vmid),
          rental_type: (r.rental_type as CreateBody["rental_type"] | undefined) ?? "on_demand",
          reservation_months: r.reservation_months === undefined || r.reservation_months === null ? undefined : Number(r.reservation_months),
          auth_method: (r.auth_method as CreateBody["auth_method"] | undefined) ?? "ssh_key",
          ssh_key_id: typeof r.ssh_key_id === "string" ? r.ssh_key_id : undefined,
          password: typeof r.password === "string" ? r.password : undefined,
        };
        return { status: 201, body: vmJson(state.createVm(create)) };
      }
    }
    if ((m = /^\/vms\/([^/]+)$/.exec(path))) {
      if (method === "GET") return { status: 200, body: vmJson(state.getVm(m[1] as string)) };
      if (method === "DELETE") {
        state.destroy(m[1] as string);
        return { status: 200, body: { message: "VM destroyed" } };
      }
    }
    if ((m = /^\/vms\/([^/]+)\/(start|stop|restart)$/.exec(path)) && method === "POST") {
      const id = m[1] as string;
      const vm = m[2] === "start" ? state.start(id) : m[2] === "stop" ? state.stop(id) : state.restart(id);
      return { status: 200, body: vmJson(vm) };
    }
    throw new SimHttpError(404, "Not Found");
  };

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://sim");
        const method = (req.method ?? "GET").toUpperCase();
        const path = url.pathname.replace(/\/+$/, "") || "/";
        const entry: SimRequestLogEntry = { method, path, status: 0, authorization: "none" };
        requests.push(entry);
        const write = (out: Out) => {
          entry.status = out.status;
          const payload = out.body === undefined ? "" : JSON.stringify(out.body);
          res.writeHead(out.status, { ...(payload ? { "Content-Type": "application/json" } : {}), ...out.headers });
          res.end(payload);
        };
        if (faults.takeDrop()) {
          req.socket.destroy();
          return;
        }
        const wait = faults.takeDelay(method, path);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const fault = path.startsWith("/__simulator/") ? undefined : faults.takeFailure(method, path);
        const faultOut = (f: NonNullable<typeof fault>): Out => ({ status: f.status, body: { detail: f.detail ?? http.STATUS_CODES[f.status] ?? "Error" }, headers: f.retryAfterSeconds !== undefined ? { "Retry-After": String(f.retryAfterSeconds) } : {} });
        if (fault && !fault.afterHandling) {
          write(faultOut(fault));
          return;
        }
        let body: unknown;
        const raw = Buffer.concat(chunks).toString("utf8");
        if (raw.trim()) {
          try {
            body = JSON.parse(raw);
          } catch {
            write({ status: 422, body: { detail: [{ loc: ["body", 0], msg: "JSON decode error", type: "json_invalid" }] } });
            return;
          }
        }
        entry.body = body;
        try {
          const out = await route(method, path, url.searchParams, body, req.headers.authorization, entry);
          write(fault ? faultOut(fault) : out);
        } catch (error) {
          if (error instanceof SimHttpError) write({ status: error.status, body: { detail: error.detail }, headers: error.headers });
          else write({ status: 500, body: { detail: "Internal Server Error" } });
        }
      })();
    });
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== "0.0.0.0" ? options.host : "127.0.0.1";

  return {
    url: `${options.tls ? "https" : "http"}://${host}:${port}`,
    port,
    state,
    auth,
    faults,
    requests,
    now: clock,
    advanceTime(ms: number) {
      offset += ms;
      state.bill();
    },
    interrupt(vmId: string) {
      state.interrupt(vmId);
    },
    setExternalUse(node: string, gpuType: string, count: number) {
      state.externalUse.set(`${node}/${gpuType}`, count);
    },
    claimGpus(node: string, gpuType: string, count: number) {
      return state.claimGpus(node, gpuType, count);
    },
    setBalance(balance: string) {
      state.bill();
      state.balance = new Decimal(balance);
    },
    balance() {
      state.bill();
      return state.balance.toString();
    },
    async stop() {
      state.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
