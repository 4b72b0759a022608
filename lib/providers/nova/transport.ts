import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { normalizeFingerprint, TLS_ERROR_CODES } from "../tls";
import type { TlsOptions } from "../types";
import { NovaError } from "./errors";

/**
 * One HTTP exchange over node:http / node:https with keep-alive (Nova is one public API host:
 * reusing connections spares a TLS handshake per poll). TLS settings as for every provider kind:
 * verify (default, system CAs), a CA of our own (`ca`), a pinned SHA-256 certificate fingerprint
 * (replaces chain verification; checked on every new connection before anything is written), or
 * no verification at all (`verify: false`, test servers only).
 */
export type RawRequest = { method: string; url: URL; headers: Record<string, string>; body?: string; timeoutMs: number };
export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** Failures after which the request cannot have reached the server (safe to repeat any request). */
const unsent = new WeakSet<NovaError>();
export function wasNeverSent(error: NovaError): boolean {
  return unsent.has(error);
}

/** Sockets whose certificate matched the pin (a kept-alive socket is checked once). */
const pinnedOk = new WeakSet<Socket>();

/**
 * An agent for the base URL's scheme. With keep-alive, idle sockets are closed after 4 s, before
 * a typical ASGI server (uvicorn: 5 s) closes them under us; a request that might be processed
 * and must not be repeated (POST /vms) should use a one-shot agent (`keepAlive: false`) instead,
 * so it never races a server closing a reused connection.
 */
export function createAgent(baseUrl: URL, tls: TlsOptions, keepAlive = true): http.Agent {
  const common = keepAlive ? { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 8, maxFreeSockets: 4, timeout: 4_000 } : { keepAlive: false };
  if (baseUrl.protocol === "http:") return new http.Agent(common);
  // A pin replaces chain verification; no TLS session cache, so each new connection shows its certificate.
  if (tls.fingerprint) return new https.Agent({ ...common, rejectUnauthorized: false, maxCachedSessions: 0 });
  if (!tls.verify) return new https.Agent({ ...common, rejectUnauthorized: false });
  return new https.Agent({ ...common, rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) });
}

export function send(agent: http.Agent, tls: TlsOptions, request: RawRequest): Promise<RawResponse> {
  const secure = request.url.protocol === "https:";
  const pin = secure && tls.fingerprint ? normalizeFingerprint(tls.fingerprint) : undefined;
  const target = `${request.url.protocol}//${request.url.host}`;
  if (pin !== undefined && pin.length !== 64) {
    const error = new NovaError("tls", `The configured certificate fingerprint is not a SHA-256 fingerprint (64 hex digits): ${tls.fingerprint}`);
    unsent.add(error);
    return Promise.reject(error);
  }

  return new Promise<RawResponse>((resolve, reject) => {
    let connected = false;
    let settled = false;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(request.body));
    const sending = (secure ? https : http).request(request.url, { method: request.method, headers, agent });

    const fail = (error: NovaError, neverSent: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (neverSent) unsent.add(error);
      sending.destroy();
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new NovaError("network", `${request.method} ${target} timed out after ${request.timeoutMs} ms`), !connected);
    }, request.timeoutMs);

    sending.on("socket", (socket) => {
      // A kept-alive socket is already connected (and, with a pin, already checked).
      if (!socket.connecting) connected = true;
      else socket.once("connect", () => (connected = true));
      if (!pin) return;
      if (pinnedOk.has(socket)) {
        sending.end(request.body);
        return;
      }
      // Hold the request until the peer proved its identity: neither the bearer token nor the
      // body ever reach an impostor.
      socket.once("secureConnect", () => {
        const actual = normalizeFingerprint((socket as TLSSocket).getPeerCertificate().fingerprint256 ?? "");
        if (actual !== pin) {
          fail(new NovaError("tls", `${target} presented a certificate with SHA-256 fingerprint ${actual || "(none)"}, expected ${pin}`), true);
          return;
        }
        pinnedOk.add(socket);
        sending.end(request.body);
      });
    });

    sending.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => fail(new NovaError("network", `${request.method} ${target}: ${error.message}`, { cause: error }), false));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
    });

    sending.on("error", (error) => {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && TLS_ERROR_CODES.has(code)) {
        fail(new NovaError("tls", `TLS with ${target} failed: ${error.message} (${code})`, { cause: error }), true);
        return;
      }
      // A kept-alive socket the server had already closed: the request never got there.
      const staleReuse = sending.reusedSocket && code === "ECONNRESET" && !sending.headersSent;
      fail(new NovaError("network", `${request.method} ${target}: ${error.message}${typeof code === "string" ? ` (${code})` : ""}`, { cause: error }), !connected || staleReuse);
    });

    if (!pin) sending.end(request.body);
  });
}
