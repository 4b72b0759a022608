import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Socket } from "node:net";
import { clientIpFrom, CLIENT_IP_HEADER } from "../auth/client-ip";
import { log } from "../log";
import { actionBodyProblem } from "./action-body";

/**
 * The portal's HTTP front door (used by `npm start` / `npm run dev` around Next's handler).
 * Before Next sees a request it:
 * - gives it a request id (`x-request-id`, on the request for the handlers and on every answer);
 * - writes the client address into CLIENT_IP_HEADER (lib/auth/client-ip.ts) and, unless a proxy
 *   is trusted, drops the client's X-Forwarded-* / Forwarded headers (FORWARDED_HEADERS);
 * - sets the security headers (securityHeaders below);
 * - refuses what no handler should have to parse: a request target that is not a path
 *   (absolute-form `http://host/x`, asterisk-form `*`), a URL whose path has malformed
 *   percent-encoding or control characters (NUL…) after decoding, or a query with NUL or control
 *   characters → 400; a declared body above MAX_BODY_BYTES → 413; a chunked body outside
 *   /api/v1 (whose handlers stream with their own limit) → 411; headers above MAX_HEADER_BYTES
 *   → 431 (instead of a reset connection); an unparseable request → 400.
 * API paths (/api/…) get the `{code, message, data}` envelope, pages a short HTML page.
 */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Largest request body anywhere (server actions, next-auth); /api/v1 JSON bodies have a smaller limit (lib/api/respond.ts). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const REQUEST_ID_HEADER = "x-request-id";
/** Headers only a trusted reverse proxy may set; dropped from the client's request otherwise. */
const FORWARDED_HEADERS = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-for", "x-forwarded-server", "x-real-ip", "forwarded"];
/** A refused request's declared body up to this size is read and dropped (keeping the connection); beyond it the connection closes. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

export type FrontDoorOptions = {
  /** Take the client IP and the scheme (X-Forwarded-Proto) from a reverse proxy. */
  trustProxy: boolean;
  /** Development server: its client needs eval and a websocket for hot reload. */
  dev?: boolean;
};

type Handle = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

/** The Node HTTP server that puts the front door's checks before `handle` (Next's request handler). */
export function createFrontDoor(handle: Handle, options: FrontDoorOptions): http.Server {
  const serve = (req: http.IncomingMessage, res: http.ServerResponse, continued: boolean) => {
    const requestId = randomUUID();
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const ip = clientIpFrom(req.socket.remoteAddress, req.headers["x-forwarded-for"], options.trustProxy);
    if (ip) req.headers[CLIENT_IP_HEADER] = ip;
    else delete req.headers[CLIENT_IP_HEADER];
    // Without a trusted proxy these are the client's own words: next-auth would build its
    // redirects on `X-Forwarded-Host` (sign-in, sign-out, errors → https://other.host/…).
    if (!options.trustProxy) for (const name of FORWARDED_HEADERS) delete req.headers[name];
    for (const [name, value] of Object.entries(securityHeaders({ https: isHttps(req, options.trustProxy), dev: options.dev ?? false }))) {
      res.setHeader(name, value);
    }

    const refusal = refuse(req);
    if (refusal) {
      // A client that asked to continue sends no body. Otherwise read and drop a body of modest
      // size, so that the answer is not lost to a reset; a larger one ends the connection.
      const declared = Number(req.headers["content-length"] ?? 0);
      const drain = !continued && declared <= DRAIN_LIMIT_BYTES;
      if (drain) req.resume();
      answer(res, req.url ?? "/", refusal.status, refusal.message, null, !drain);
      return;
    }
    if (continued) res.writeContinue();
    if (pathOf(req.url).startsWith("/api/")) withApiEnvelope(req, res);
    const pass = () => void Promise.resolve()
      .then(() => handle(req, res))
      .catch((error: unknown) => {
        log.error({ err: error, requestId, path: pathOf(req.url) }, "request failed");
        if (!res.headersSent) answer(res, req.url ?? "/", 500, `Internal server error (request id ${requestId})`, { request_id: requestId });
        else res.destroy();
      });
    if (req.method === "POST" && req.headers["next-action"] !== undefined) {
      // A server action: its arguments are checked before Next decodes them (lib/server/action-body.ts).
      checkActionBody(req, (problem) => {
        if (problem) answer(res, req.url ?? "/", 400, `Malformed server action request: ${problem}`);
        else pass();
      });
      return;
    }
    pass();
  };
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => serve(req, res, false));
  // `Expect: 100-continue`: refused requests are answered before the client sends its body.
  server.on("checkContinue", (req: http.IncomingMessage, res: http.ServerResponse) => serve(req, res, true));
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const overflow = error.code === "HPE_HEADER_OVERFLOW";
    const status = overflow ? 431 : error.code === "HPE_REQUEST_TIMEOUT" ? 408 : 400;
    const message = overflow ? `Request headers too large (limit ${MAX_HEADER_BYTES} bytes)` : "Malformed request";
    if (socket.writable && !socket.destroyed) {
      const body = JSON.stringify({ code: status, message, data: null });
      socket.on("data", () => undefined); // drain, so closing does not reset the connection
      socket.on("error", () => undefined);
      // The same security headers as every other answer (no request: plain HTTP assumed, so no HSTS).
      const security = Object.entries(securityHeaders({ https: false, dev: options.dev ?? false }))
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${security}Connection: close\r\n\r\n${body}`,
      );
      setTimeout(() => socket.destroy(), 2_000).unref();
    } else {
      socket.destroy();
    }
  });
  return server;
}

/**
 * The headers every answer carries. The CSP allows inline scripts and styles because Next's App
 * Router streams inline bootstrap scripts (no nonces without a per-request proxy); it still
 * forbids other origins, plugins, framing (`frame-ancestors 'none'`) and foreign base URLs.
 * HSTS only when the request came over HTTPS (directly or, with trustProxy, via the proxy).
 */
export function securityHeaders({ https, dev }: { https: boolean; dev: boolean }): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "Content-Security-Policy": csp,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    ...(https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

function isHttps(req: http.IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as Socket & { encrypted?: boolean }).encrypted) return true;
  if (!trustProxy) return false;
  const proto = req.headers["x-forwarded-proto"];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0]?.trim().toLowerCase() === "https";
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why the request is refused before any handler runs, or null. */
export function refuse(req: Pick<http.IncomingMessage, "url" | "headers" | "method">): { status: number; message: string } | null {
  const url = req.url ?? "/";
  // Only origin-form targets ("/path?query"). An absolute-form target ("http://other.host/x") would
  // make Next redirect to that other origin, and "*" (OPTIONS *) crashes it with a bare 500.
  if (!url.startsWith("/")) return { status: 400, message: "Malformed URL: the request target must be a path starting with /" };
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? "" : url.slice(q + 1);
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(path);
  } catch {
    return { status: 400, message: "Malformed URL: invalid percent-encoding in the path" };
  }
  if (CONTROL.test(decodedPath) || CONTROL.test(path)) return { status: 400, message: "Malformed URL: control characters in the path" };
  if (CONTROL.test(query) || /%(0[0-9a-f]|1[0-9a-f]|7f)/i.test(query)) return { status: 400, message: "Malformed URL: control characters in the query" };

  const length = req.headers["content-length"];
  if (length !== undefined && (!/^\d+$/.test(length) || Number(length) > MAX_BODY_BYTES)) {
    return { status: 413, message: `Request body too large (limit ${MAX_BODY_BYTES} bytes)` };
  }
  if (length === undefined && req.headers["transfer-encoding"] && !decodedPath.startsWith("/api/v1/")) {
    return { status: 411, message: "Send the request body with a Content-Length" };
  }
  return null;
}

/**
 * Reads a server action's body (its Content-Length is known: a chunked body outside /api/v1 was
 * refused) and calls `done` with why it cannot be decoded, or null after putting the bytes back
 * at the head of the stream (unshift, in the same tick as the last read, before "end"), so Next
 * reads the body as sent.
 */
function checkActionBody(req: http.IncomingMessage, done: (problem: string | null) => void): void {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared === 0) return done(actionBodyProblem(req.headers["content-type"], Buffer.alloc(0)));
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const finish = () => {
    if (settled) return;
    settled = true;
    req.off("readable", onReadable);
    req.off("end", finish);
    const body = Buffer.concat(chunks);
    const problem = actionBodyProblem(req.headers["content-type"], body);
    if (!problem && !req.readableEnded) req.unshift(body);
    else if (!problem) return done("the body ended early");
    if (problem) req.resume();
    done(problem);
  };
  const onReadable = () => {
    let chunk: Buffer | null;
    while (!settled && (chunk = req.read() as Buffer | null) !== null) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= declared) finish();
    }
  };
  req.on("readable", onReadable);
  req.on("end", finish);
}

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return (q === -1 ? u : u.slice(0, q)).slice(0, 200);
}

/** A refusal: the API envelope under /api/, a minimal HTML page elsewhere. */
/**
 * API answers that Next writes without a body (405 for a method a route does not export: it
 * calls `writeHead(405)` then `end()`) get the `{code, message, data}` envelope every other API
 * answer has. Such a 4xx status without a Content-Type is held back until the first write: a
 * body that follows is sent as the handler wrote it; none gets the envelope.
 */
function withApiEnvelope(req: http.IncomingMessage, res: http.ServerResponse): void {
  type Method = (...args: unknown[]) => unknown;
  const original = { writeHead: res.writeHead.bind(res) as Method, flushHeaders: res.flushHeaders.bind(res) as Method, write: res.write.bind(res) as Method, end: res.end.bind(res) as Method };
  let held: unknown[] | null = null;
  const typeIn = (headers: unknown) =>
    headers !== null && typeof headers === "object" && Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  const release = () => {
    if (held) original.writeHead(...held);
    held = null;
  };
  const patched = res as unknown as Record<"writeHead" | "flushHeaders" | "write" | "end", Method>;
  patched.writeHead = (...args: unknown[]) => {
    const status = Number(args[0]);
    const headers = typeof args[1] === "string" ? args[2] : args[1];
    if (status >= 400 && status < 500 && !res.hasHeader("content-type") && !typeIn(headers)) {
      held = args;
      res.statusCode = status;
      return res;
    }
    return original.writeHead(...args);
  };
  patched.flushHeaders = () => {
    if (!held) original.flushHeaders();
  };
  patched.write = (...args: unknown[]) => (release(), original.write(...args));
  patched.end = (...args: unknown[]) => {
    const [chunk] = args;
    const bodiless = chunk === undefined || typeof chunk === "function" || (typeof chunk === "string" && chunk.length === 0) || (Buffer.isBuffer(chunk) && chunk.length === 0);
    const status = res.statusCode;
    if (bodiless && !res.headersSent && status >= 400 && status < 500 && !res.hasHeader("content-type")) {
      held = null;
      const message = status === 405 ? `Method ${req.method ?? ""} is not allowed on ${pathOf(req.url)}` : (http.STATUS_CODES[status] ?? "Request refused");
      const body = JSON.stringify({ code: status, message, data: null });
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Content-Length", Buffer.byteLength(body));
      return original.end(body);
    }
    release();
    return original.end(...args);
  };
}

function answer(res: http.ServerResponse, url: string, status: number, message: string, data: unknown = null, close = false): void {
  res.statusCode = status;
  if (close) res.setHeader("Connection", "close");
  if (url.startsWith("/api/")) {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ code: status, message, data }));
    return;
  }
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  const text = message.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} · Hangar</title></head>` +
      `<body style="font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh"><div style="text-align:center">` +
      `<p style="color:#4f46e5;font-weight:600">${status}</p><h1>${status >= 500 ? "Something went wrong" : "This request cannot be served"}</h1><p>${text}</p>` +
      `<p><a href="/">Back to Hangar</a></p></div></body></html>`,
  );
}
