/**
 * Test helpers: plain fetch() requests against a running simulator (no PVE client code).
 */
import { generateKeyPairSync } from "node:crypto";
import http from "node:http";
import { startPveSimulator, type PveSimulator } from "./server";
import type { PveSimulatorOptions } from "./types";

export const TOKEN_ID = "root@pam!hangar";
export const TOKEN_SECRET = "0b7c2d5e-1f3a-4c6b-8d9e-a1b2c3d4e5f6";
export const TOKEN_HEADER = `PVEAPIToken=${TOKEN_ID}=${TOKEN_SECRET}`;
export const PASSWORD = "s3cret pass";

/** A small, fast cluster: pve1 + pve2, Ubuntu template 9000 on pve1 (local-lvm), Rocky 9002 on shared NFS (pve2). */
export function testOptions(overrides: Partial<PveSimulatorOptions> = {}): PveSimulatorOptions {
  return {
    nodes: ["pve1", "pve2"],
    templates: [
      { node: "pve1", vmid: 9000, name: "ubuntu-24.04-template", cores: 2, memory: 2048, diskGb: 32, ostype: "l26" },
      { node: "pve2", vmid: 9002, name: "rocky-9-template", cores: 2, memory: 4096, diskGb: 20, ostype: "l26", storage: "NFS" },
    ],
    vms: [{ node: "pve1", vmid: 100, name: "running-vm", cores: 1, memory: 1024, diskGb: 10, ostype: "l26", running: true }],
    pools: ["hangar"],
    tokens: [{ tokenId: TOKEN_ID, secret: TOKEN_SECRET }],
    users: [{ username: "root@pam", password: PASSWORD }],
    taskDurationMs: 40,
    agentDelayMs: 150,
    authFailureDelayMs: 0,
    ...overrides,
  };
}

export async function startTestSim(overrides: Partial<PveSimulatorOptions> = {}): Promise<PveSimulator> {
  return startPveSimulator(testOptions(overrides));
}

export type ApiResponse = {
  status: number;
  /** the HTTP reason phrase */
  reason: string;
  text: string;
  /** parsed JSON body (undefined when the body is empty or not JSON) */
  body: { data?: unknown; errors?: Record<string, string>; message?: string; total?: number } | undefined;
  headers: Headers;
};

export type RequestOptions = {
  /** a raw, hand-built form body, or fields to encode with URLSearchParams */
  form?: string | Record<string, string>;
  json?: unknown;
  /** raw body with this content type */
  raw?: { body: string; contentType?: string };
  query?: Record<string, string>;
  /** default: the API token; false: no Authorization header */
  auth?: false | { ticket: string; csrf?: string } | string;
  headers?: Record<string, string>;
};

export async function api(sim: PveSimulator, method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth === undefined) headers.Authorization = TOKEN_HEADER;
  else if (typeof opts.auth === "string") headers.Authorization = opts.auth;
  else if (opts.auth) {
    headers.Cookie = `PVEAuthCookie=${encodeURIComponent(opts.auth.ticket)}`;
    if (opts.auth.csrf) headers.CSRFPreventionToken = opts.auth.csrf;
  }
  let body: string | undefined;
  if (opts.form !== undefined) {
    body = typeof opts.form === "string" ? opts.form : new URLSearchParams(opts.form).toString();
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers["Content-Type"] = "application/json";
  } else if (opts.raw) {
    body = opts.raw.body;
    if (opts.raw.contentType) headers["Content-Type"] = opts.raw.contentType;
  }
  const qs = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : "";
  const res = await fetch(`${sim.url}/api2/json${path}${qs}`, { method, headers, body });
  const text = await res.text();
  let parsed: ApiResponse["body"];
  try {
    parsed = text ? (JSON.parse(text) as ApiResponse["body"]) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, reason: res.statusText, text, body: parsed, headers: res.headers };
}

export const data = <T = unknown>(r: ApiResponse): T => r.body?.data as T;

export const taskPath = (upid: string) => `/nodes/${upid.split(":")[1]}/tasks/${encodeURIComponent(upid)}`;

/** Polls GET .../tasks/{upid}/status until the task has stopped; returns the final status. */
export async function pollTask(sim: PveSimulator, upid: string, timeoutMs = 10_000, auth?: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(sim, "GET", `${taskPath(upid)}/status`, { auth });
    if (r.status !== 200) throw new Error(`task status ${r.status} ${r.reason}`);
    const st = data<Record<string, unknown>>(r);
    if (st.status === "stopped") return st;
    if (Date.now() > deadline) throw new Error(`task ${upid} did not finish`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

export async function taskLog(sim: PveSimulator, upid: string, auth?: string): Promise<string[]> {
  const r = await api(sim, "GET", `${taskPath(upid)}/log`, { query: { limit: "0" }, auth });
  return data<{ n: number; t: string }[]>(r).map((l) => l.t);
}

/** A real OpenSSH ed25519 public key line. */
export function sshPublicKey(comment = "ada@example.com"): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const type = Buffer.from("ssh-ed25519");
  const len = (b: Buffer) => {
    const l = Buffer.alloc(4);
    l.writeUInt32BE(b.length);
    return l;
  };
  const blob = Buffer.concat([len(type), type, len(raw), raw]);
  return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
}

export async function login(sim: PveSimulator, username = "root@pam", password = PASSWORD): Promise<{ ticket: string; csrf: string }> {
  const r = await api(sim, "POST", "/access/ticket", { form: { username, password }, auth: false });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.reason}`);
  const d = data<{ ticket: string; CSRFPreventionToken: string }>(r);
  return { ticket: d.ticket, csrf: d.CSRFPreventionToken };
}

/** A request through node:http (for what fetch refuses, e.g. a GET with a body); `path` is the full URL path. */
export function rawHttp(
  sim: PveSimulator,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; reason: string; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const length: Record<string, string> = opts.body !== undefined ? { "Content-Length": String(Buffer.byteLength(opts.body)) } : {};
    const req = http.request(`${sim.url}${path}`, { method, headers: { Authorization: TOKEN_HEADER, ...length, ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? "", text: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
