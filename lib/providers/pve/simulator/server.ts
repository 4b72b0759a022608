/**
 * The HTTP(S) front end: the request pipeline of pve-http-server (PVE::APIServer::AnyEvent) and
 * pve-manager's PVE::HTTPServer, in the same order - authentication before the body is read, body
 * and query decoding, handler lookup, proxy-to-node, parameter verification, the handler, and the
 * formatter that wraps results as {"data": ...} and failures as a status line plus JSON body.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { AuthFailure, AuthService } from "./auth";
import { PveApiError } from "./errors";
import { FaultInjector } from "./faults";
import { type RawParams, decodeUrlencoded, jsonToParams, malformedJsonMessage, paramsToObject } from "./form";
import { type CallContext, type SimContext, handlers } from "./handlers";
import { type ApiSchema, type HttpMethod, loadApiSchema, matchRoute, scalarString, validateParams } from "./schema";
import { ClusterState, DEFAULT_DURATIONS, DEFAULT_STORAGES } from "./state";
import { type SimTask, TaskEngine } from "./tasks";
import type { PveSimulatorOptions, PveTaskType, PveVersion, SimFaults, SimRequestLogEntry } from "./types";
import { sleep } from "./util";

export type PveSimulator = {
  /** e.g. http://127.0.0.1:41234 (append /api2/json) */
  url: string;
  port: number;
  version: PveVersion;
  /** the cluster: nodes, storages, VMs (config, pending, power state), pools; replaced by resetState() */
  readonly state: ClusterState;
  /** every task started so far, by UPID */
  readonly tasks: Map<string, SimTask>;
  faults: SimFaults;
  /** received requests, oldest first (bounded by maxRequestLog) */
  requests: SimRequestLogEntry[];
  /** the schema in use ("file" or the built-in fallback) */
  schema: ApiSchema;
  /** resolves when the task has stopped */
  waitForTask(upid: string, timeoutMs?: number): Promise<SimTask>;
  /** back to the initial cluster (VMs, tasks, locks); faults are reset too */
  resetState(): void;
  stop(): Promise<void>;
};

const API_BASE = "/api2/json";

/** node's http server refuses control characters in the reason phrase; PVE sends the first line only */
function reasonPhrase(msg: string): string {
  const first = (/^(.*)$/m.exec(msg)?.[1] ?? "").replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");
  return first;
}

function durationsFrom(opt: PveSimulatorOptions["taskDurationMs"]): (t: PveTaskType) => number {
  if (typeof opt === "number") return () => opt;
  return (t) => opt?.[t] ?? DEFAULT_DURATIONS[t];
}

function buildCluster(options: PveSimulatorOptions, version: PveVersion, clock: () => number): ClusterState {
  const state = new ClusterState(version, clock);
  state.addNodes(options.nodes ?? ["pve1"]);
  state.addStorages(options.storages ?? DEFAULT_STORAGES);
  for (const p of options.pools ?? []) state.pools.add(p);
  state.addPciMappings(options.pciMappings ?? []);
  for (const t of options.templates ?? []) state.addGuest(t, true);
  for (const v of options.vms ?? []) state.addGuest(v, false);
  return state;
}

export async function startPveSimulator(options: PveSimulatorOptions = {}): Promise<PveSimulator> {
  const version: PveVersion = options.version ?? "9.1";
  const clock = options.clock ?? Date.now;
  const messageInBody = options.messageInBody ?? version !== "7.4";
  const authDelay = options.authFailureDelayMs ?? 3000;
  const maxLog = options.maxRequestLog ?? 5000;
  const schema = loadApiSchema(version, options.schemaDir);
  const durationFor = durationsFrom(options.taskDurationMs);

  const sim: SimContext = {
    version,
    state: buildCluster(options, version, clock),
    tasks: new TaskEngine(clock, durationFor, options.workerStartDelayMs ?? 0),
    auth: new AuthService(options.users ?? [], options.tokens ?? [], version, clock),
    schema,
    clock,
    agentDelayMs: options.agentDelayMs ?? 3000,
    resourcesLagMs: options.resourcesLagMs ?? 0,
    firstVmid: options.firstVmid ?? 100,
    clusterName: options.clusterName ?? "hangar-sim",
  };
  const faults = new FaultInjector(
    () => sim.state,
    () => sim.tasks,
  );
  const requests: SimRequestLogEntry[] = [];

  // ---------------------------------------------------------------- responses

  type Out = { status: number; reason: string; body?: string; contentType?: string };

  const jsonOut = (status: number, reason: string, payload: Record<string, unknown>): Out => ({
    status,
    reason,
    body: JSON.stringify(payload),
    contentType: "application/json;charset=UTF-8",
  });

  /** The JSON formatter's error envelope. */
  const errorOut = (status: number, message: string, errors?: Record<string, string>): Out => {
    const payload: Record<string, unknown> = { data: null };
    if (errors) payload.errors = errors;
    if (messageInBody) payload.message = message;
    return jsonOut(status, reasonPhrase(message), payload);
  };

  /** $self->error(): outside the API handler, the message is the (plain) body in newer versions */
  const plainError = (status: number, message: string): Out => ({
    status,
    reason: reasonPhrase(message),
    body: messageInBody ? message : undefined,
  });

  const send = (res: http.ServerResponse, out: Out) => {
    const date = new Date().toUTCString();
    const headers: Record<string, string> = {
      "Cache-Control": "max-age=0",
      Date: date,
      Expires: date,
      Pragma: "no-cache",
      Server: "pve-api-daemon/3.0",
    };
    if (out.status >= 400) headers.Connection = "close";
    if (out.contentType) headers["Content-Type"] = out.contentType;
    if (out.body !== undefined && out.body !== "") headers["Content-Length"] = String(Buffer.byteLength(out.body));
    res.writeHead(out.status, out.reason, headers);
    res.end(out.body && out.body !== "" ? out.body : undefined);
  };

  // ---------------------------------------------------------------- control API

  const handleControl = async (req: http.IncomingMessage, path: string, body: Buffer): Promise<Out> => {
    if (req.method === "GET" && path === "/__simulator/state") {
      return jsonOut(200, "OK", {
        data: {
          ...sim.state.snapshot(),
          tasks: [...sim.tasks.tasks.values()].map((t) => ({ upid: t.upid, node: t.node, type: t.type, id: t.id, user: t.user, status: t.status, exitstatus: t.exitstatus })),
          faults: faults.summary(),
        },
      });
    }
    if (req.method === "GET" && path === "/__simulator/requests") return jsonOut(200, "OK", { data: requests });
    if (req.method === "POST" && (path === "/__simulator/faults" || path === "/__simulator/reset")) {
      try {
        if (path === "/__simulator/reset") {
          resetState();
        } else {
          const parsed = JSON.parse(body.toString("utf8") || "{}") as unknown;
          const entries = Array.isArray(parsed) ? parsed : [parsed];
          for (const e of entries) {
            if (!e || typeof e !== "object") throw new Error("each entry must be an object with an 'action'");
            if ((e as Record<string, unknown>).action === "resetState") resetState();
            else faults.apply(e as Record<string, unknown>);
          }
        }
        return jsonOut(200, "OK", { data: { ok: true, faults: faults.summary() } });
      } catch (err) {
        return jsonOut(400, "Bad Request", { data: null, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return jsonOut(404, "Not Found", { data: null, message: `no such simulator endpoint: ${req.method} ${path}` });
  };

  // ---------------------------------------------------------------- API pipeline

  const readBody = (req: http.IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });

  const handleApi = async (req: http.IncomingMessage, path: string, rawQuery: string | undefined, entry: SimRequestLogEntry, started: number): Promise<Out> => {
    const method = (req.method ?? "GET").toUpperCase();
    const apiPath = path.slice(API_BASE.length) || "/";
    const delayed = async (out: Out) => {
      const wait = authDelay - (Date.now() - started);
      if (wait > 0) await sleep(wait);
      return out;
    };

    // authentication happens on the request header, before the body is read
    let user = "";
    try {
      const auth = sim.auth.authenticate({
        method,
        apiPath,
        cookie: req.headers.cookie,
        authorization: req.headers.authorization,
        csrf: typeof req.headers.csrfpreventiontoken === "string" ? req.headers.csrfpreventiontoken : undefined,
      });
      if (auth) user = auth.user;
    } catch (err) {
      if (err instanceof AuthFailure) {
        req.resume();
        return delayed({ status: 401, reason: reasonPhrase(err.message) });
      }
      throw err;
    }
    entry.user = user || undefined;

    const len = Number(req.headers["content-length"] ?? 0);
    const ctype = req.headers["content-type"];
    const ct = ctype ? ctype.split(/\s*[;,]\s*/)[0] : undefined;
    if (len) {
      if (method !== "PUT" && method !== "POST") {
        req.resume();
        return plainError(501, `Unexpected content for method '${method}'`);
      }
      if (len > 512 * 1024) {
        req.resume();
        return plainError(501, "for data too large");
      }
      if (ct && ct !== "application/x-www-form-urlencoded" && ct !== "application/json") {
        req.resume();
        return plainError(506, `upload 'Content-Type '${ctype}' not implemented`);
      }
    }
    const body = await readBody(req);

    // extract_params: body (PUT/POST), then query parameters on top
    let params: RawParams = new Map();
    if (method === "PUT" || method === "POST") {
      if (ct === "application/json") {
        const text = body.toString("utf8");
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return plainError(500, malformedJsonMessage(text));
        }
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
          return plainError(500, "Not a HASH reference at /usr/share/perl5/PVE/APIServer/AnyEvent.pm line 941.");
        }
        params = jsonToParams(parsed as Record<string, unknown>);
      } else {
        params = decodeUrlencoded(body);
      }
    }
    for (const [k, v] of decodeUrlencoded(rawQuery)) params.set(k, v);
    params.delete("_dc");
    entry.params = paramsToObject(params);

    // rest_handler
    const match = matchRoute(schema, apiPath);
    const info = match?.node.info?.[method as HttpMethod];
    const handler = match ? handlers[`${method} ${match.template}`] : undefined;
    if (!match || !info || !handler) return errorOut(501, `Method '${method} ${apiPath}' not implemented`);

    for (const k of [...params.keys()].sort()) {
      const uv = match.uriParams.get(k);
      if (uv !== undefined && uv !== scalarString(params.get(k))) {
        return errorOut(400, "Parameter verification failed.\n", { [k]: "duplicate parameter (already defined in URI) with conflicting values!" });
      }
    }
    for (const [k, v] of match.uriParams) params.set(k, v);

    const node = match.uriParams.get("node");
    if (node !== undefined && (info.proxyto === "node" || match.template.startsWith("/nodes/{node}"))) {
      const n = sim.state.nodes.get(node);
      if (!n) return errorOut(500, `hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known`);
      if (!n.online) return plainError(595, "Errors during connection establishment, proxy handshake: No route to host");
    }

    const errors = validateParams(params, info.parameters);
    if (errors.size > 0) return errorOut(400, "Parameter verification failed.\n", Object.fromEntries(errors));

    const call: CallContext = { sim, params, user, method, apiPath };
    try {
      const r = handler(call);
      const payload: Record<string, unknown> = { data: r.data === undefined ? null : r.data };
      if (r.total !== undefined) payload.total = r.total;
      return jsonOut(200, "OK", payload);
    } catch (err) {
      if (err instanceof PveApiError) {
        const out = errorOut(err.status, err.status === 400 ? "Parameter verification failed.\n" : `${err.message}\n`, err.errors);
        return err.status === 401 ? delayed(out) : out;
      }
      return errorOut(500, `${err instanceof Error ? err.message : String(err)}\n`);
    }
  };

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = Date.now();
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : undefined;
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      path = rawPath;
    }
    try {
      if (options.controlApi && path.startsWith("/__simulator/")) {
        const body = await readBody(req);
        send(res, await handleControl(req, path, body));
        return;
      }
      const method = (req.method ?? "GET").toUpperCase();
      const entry: SimRequestLogEntry = { time: clock(), method, path, apiPath: path.startsWith(API_BASE) ? path.slice(API_BASE.length) || "/" : path, params: {} };
      requests.push(entry);
      if (requests.length > maxLog) requests.splice(0, requests.length - maxLog);

      if (faults.takeDrop()) {
        entry.status = 0;
        req.socket.destroy();
        return;
      }
      if (faults.delayMs > 0) await sleep(faults.delayMs);
      const fired = faults.match(method, path);
      let out: Out;
      if (fired) {
        req.resume();
        out =
          fired.status === 401
            ? { status: 401, reason: reasonPhrase(fired.message) }
            : errorOut(fired.status, fired.status === 400 ? fired.message : `${fired.message}\n`, fired.errors);
        if (fired.status === 400) out.reason = reasonPhrase(fired.message);
      } else if (path === API_BASE || path.startsWith(`${API_BASE}/`)) {
        out = await handleApi(req, path, rawQuery, entry, started);
      } else if (/^\/api2\/[^/]+/.test(path)) {
        req.resume();
        const fmt = /^\/api2\/([^/]+)/.exec(path)?.[1] ?? "";
        out = plainError(501, `no formatter for uri ${path.replace(/^\/api2\/[^/]+/, "") || "/"}, ${fmt}`);
      } else {
        req.resume();
        out = plainError(500, `no such file '${path}'`);
      }
      entry.status = out.status;
      if (!res.destroyed) send(res, out);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) send(res, plainError(500, `internal simulator error: ${err instanceof Error ? err.message : String(err)}`));
    }
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }) : http.createServer();
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;

  const resetState = () => {
    sim.tasks.stopAll();
    sim.state = buildCluster(options, version, clock);
    sim.tasks = new TaskEngine(clock, durationFor, options.workerStartDelayMs ?? 0);
    faults.reset();
  };

  const waitForTask = async (upid: string, timeoutMs = 30_000): Promise<SimTask> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = sim.tasks.tasks.get(upid);
      if (!t) throw new Error(`no such task ${upid}`);
      if (t.status === "stopped") return t;
      if (Date.now() > deadline) throw new Error(`task ${upid} still running after ${timeoutMs} ms`);
      await sleep(5);
    }
  };

  return {
    url: `${options.tls ? "https" : "http"}://${urlHost}:${addr.port}`,
    port: addr.port,
    version,
    get state() {
      return sim.state;
    },
    get tasks() {
      return sim.tasks.tasks;
    },
    faults,
    requests,
    schema,
    waitForTask,
    resetState,
    stop: () =>
      new Promise<void>((resolve) => {
        sim.tasks.stopAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
