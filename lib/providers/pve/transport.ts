import http from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { normalizeFingerprint, TLS_ERROR_CODES } from "../tls";
import { ProviderError, type TlsOptions } from "../types";

/**
 * One HTTP exchange over node:http / node:https (global fetch cannot pin a certificate or
 * trust a per-connection CA). Connections are kept alive and reused by the connection's agent
 * (one per provider connection), so a burst of calls costs one TCP and TLS handshake. A failure
 * is still classified as "never sent" (the connection never came up: safe to repeat any
 * request) or "maybe processed" (anything on a connection that was up, also a reused one: the
 * server may have read the request before it closed; callers of non-idempotent calls check the
 * VM's state and the task engine retries the step); every new connection is checked against the
 * pin before a byte is written, and only connections that passed it are kept for reuse.
 */
export type RawRequest = {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
};

export type RawResponse = { status: number; statusMessage: string; headers: http.IncomingHttpHeaders; body: string };

/** A failure after which the request cannot have reached the server. */
const unsent = new WeakSet<ProviderError>();

export function wasNeverSent(error: ProviderError): boolean {
  return unsent.has(error);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function tlsAgentOptions(tls: TlsOptions): https.AgentOptions {
  // A pin replaces chain verification: PVE's default certificates are self-signed, and the
  // pin (checked below before anything is written) is stricter than any CA.
  // No TLS session cache: every connection presents (and is checked against) its certificate.
  if (tls.fingerprint) return { rejectUnauthorized: false, maxCachedSessions: 0 };
  if (!tls.verify) return { rejectUnauthorized: false };
  return { rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) };
}

/**
 * Idle connections are kept for 30 s at most, and for less when the server announces a shorter
 * `Keep-Alive: timeout` (Node closes them a second before the server would).
 */
const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 10_000, maxFreeSockets: 8, timeout: 30_000, scheduling: "lifo" as const };

export function createAgent(baseUrl: URL, tls: TlsOptions): http.Agent {
  if (baseUrl.protocol === "http:") return new http.Agent(KEEP_ALIVE);
  return new https.Agent({ ...KEEP_ALIVE, ...tlsAgentOptions(tls) });
}


export function send(agent: http.Agent, tls: TlsOptions, request: RawRequest): Promise<RawResponse> {
  const secure = request.url.protocol === "https:";
  const pin = secure && tls.fingerprint ? normalizeFingerprint(tls.fingerprint) : undefined;
  const target = `${request.url.protocol}//${request.url.host}`;

  // A mistyped pin must not silently turn into "accept any certificate".
  if (pin !== undefined && pin.length !== 64) {
    return Promise.reject(new ProviderError("tls", `The configured certificate fingerprint is not a SHA-256 fingerprint (64 hex digits): ${tls.fingerprint}`));
  }

  return new Promise<RawResponse>((resolve, reject) => {
    let connected = false;
    let settled = false;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(request.body));
    const sending = (secure ? https : http).request(request.url, { method: request.method, headers, agent });

    // Handlers below only run after `timer` exists (all are asynchronous).
    const fail = (error: ProviderError, neverSent: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (neverSent) unsent.add(error);
      sending.destroy();
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new ProviderError("network", `${request.method} ${target} timed out after ${request.timeoutMs} ms`), !connected);
    }, request.timeoutMs);

    sending.on("socket", (socket) => {
      if (sending.reusedSocket) {
        // An idle connection from the pool: it came up (and passed the pin) for an earlier request.
        connected = true;
        if (pin) sending.end(request.body);
        return;
      }
      socket.once("connect", () => (connected = true));
      if (!pin) return;
      // Headers are only written on end(): hold the request until the peer proved its identity,
      // so neither credentials nor the body ever reach an impostor.
      socket.once("secureConnect", () => {
        const actual = normalizeFingerprint((socket as TLSSocket).getPeerCertificate().fingerprint256 ?? "");
        if (actual !== pin) {
          fail(new ProviderError("tls", `${target} presented a certificate with SHA-256 fingerprint ${actual || "(none)"}, expected ${pin}`), true);
          return;
        }
        sending.end(request.body);
      });
    });

    sending.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => fail(new ProviderError("network", `${request.method} ${target}: ${error.message}`, { cause: error }), false));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
    });

    sending.on("error", (error) => {
      const code = errorCode(error);
      if (code && TLS_ERROR_CODES.has(code)) {
        fail(new ProviderError("tls", `TLS with ${target} failed: ${error.message} (${code})`, { cause: error }), true);
        return;
      }
      fail(new ProviderError("network", `${request.method} ${target}: ${error.message}${code ? ` (${code})` : ""}`, { cause: error }), !connected);
    });

    if (!pin) sending.end(request.body);
  });
}
