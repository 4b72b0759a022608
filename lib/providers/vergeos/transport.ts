import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { normalizeFingerprint, TLS_ERROR_CODES } from "../tls";
import type { TlsOptions } from "../types";
import { VergeOsError } from "./errors";
import { FREE_SOCKET_TIMEOUT_MS } from "./protocol-guesses";

/**
 * One HTTP exchange over a keep-alive agent (VergeOS rate-limits per hour, and a TLS handshake
 * per call is wasteful). TLS: verify against the system store or a given CA, no verification
 * at all, or a pinned SHA-256 fingerprint checked on every new connection before anything is
 * written (a reused connection was checked when it was opened).
 *
 * A failure is "never sent" when the request cannot have reached the server: a new connection
 * that never came up, or a pin mismatch. Failures on a reused connection count as maybe sent.
 */
export type RawRequest = {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** `METHOD /path` for messages, when the real path holds a secret (a session token). */
  label?: string;
};
export type RawResponse = { status: number; statusMessage: string; headers: http.IncomingHttpHeaders; body: string };

const unsent = new WeakSet<Error>();
export const wasNeverSent = (error: Error): boolean => unsent.has(error);

/**
 * An agent for `baseUrl` with the TLS settings. `keepAlive: false` gives a fresh connection per
 * request: used for requests that must not be repeated, so that a server closing a reused idle
 * connection under them can never leave it unclear whether they were processed.
 */
export function createAgent(baseUrl: URL, tls: TlsOptions, keepAlive = true): http.Agent {
  const common = keepAlive ? { keepAlive: true, maxSockets: 8, timeout: FREE_SOCKET_TIMEOUT_MS } : { keepAlive: false };
  if (baseUrl.protocol === "http:") return new http.Agent(common);
  // No TLS session cache with a pin: a resumed session carries no peer certificate to check.
  if (tls.fingerprint) return new https.Agent({ ...common, rejectUnauthorized: false, maxCachedSessions: 0 });
  if (!tls.verify) return new https.Agent({ ...common, rejectUnauthorized: false });
  return new https.Agent({ ...common, rejectUnauthorized: true, ...(tls.ca ? { ca: tls.ca } : {}) });
}

export function send(agent: http.Agent, tls: TlsOptions, request: RawRequest): Promise<RawResponse> {
  const secure = request.url.protocol === "https:";
  const pin = secure && tls.fingerprint ? normalizeFingerprint(tls.fingerprint) : undefined;
  const target = `${request.url.protocol}//${request.url.host}`;
  const what = request.label ?? `${request.method} ${request.url.pathname}`;
  if (pin !== undefined && pin.length !== 64) {
    return Promise.reject(new VergeOsError("tls", "tls", `The configured certificate fingerprint is not a SHA-256 fingerprint (64 hex digits): ${tls.fingerprint}`, {}, what));
  }

  return new Promise<RawResponse>((resolve, reject) => {
    let fresh = false; // a new connection (not reused from the pool)
    let connected = false;
    let settled = false;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(request.body));
    const sending = (secure ? https : http).request(request.url, { method: request.method, headers, agent });

    const fail = (error: VergeOsError, neverSent: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (neverSent) unsent.add(error);
      sending.destroy();
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new VergeOsError("network", "network", `${request.method} ${target} timed out after ${request.timeoutMs} ms`, {}, what), fresh && !connected);
    }, request.timeoutMs);

    sending.on("socket", (socket: Socket) => {
      fresh = socket.connecting;
      if (!fresh) {
        connected = true;
        sending.end(request.body);
        return;
      }
      socket.once("connect", () => (connected = true));
      if (!pin) {
        sending.end(request.body);
        return;
      }
      // Headers are written only on end(): hold them until the peer proved its identity.
      socket.once("secureConnect", () => {
        const actual = normalizeFingerprint((socket as TLSSocket).getPeerCertificate().fingerprint256 ?? "");
        if (actual !== pin) {
          fail(new VergeOsError("tls", "tls", `${target} presented a certificate with SHA-256 fingerprint ${actual || "(none)"}, expected ${pin}`, {}, what), true);
          return;
        }
        sending.end(request.body);
      });
    });

    sending.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (error) => fail(new VergeOsError("network", "network", `${what} at ${target}: ${error.message}`, { cause: error }, what), false));
      res.on("end", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
      });
    });

    sending.on("error", (error: Error & { code?: string }) => {
      const code = typeof error.code === "string" ? error.code : undefined;
      if (code && TLS_ERROR_CODES.has(code)) {
        fail(new VergeOsError("tls", "tls", `TLS with ${target} failed: ${error.message} (${code})`, { cause: error }, what), true);
        return;
      }
      fail(new VergeOsError("network", "network", `${what} at ${target}: ${error.message}${code ? ` (${code})` : ""}`, { cause: error }, what), fresh && !connected);
    });
  });
}
