import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodePveForm } from "./form";

/**
 * Test helper (not used by the app): a tiny HTTP(S) server that records exactly what arrives
 * and answers the way PVE does. Each test scripts the answers with a handler.
 */
export type RecordedRequest = {
  method: string;
  /** Decoded API path without /api2/json and without the query (as PVE's router sees it). */
  path: string;
  rawPath: string;
  rawQuery: string;
  rawBody: string;
  headers: http.IncomingHttpHeaders;
  /** Body and query as PVE's form decoder reads them (query wins). */
  params: Record<string, string>;
};

export type StubReply = {
  status?: number;
  /** Reason phrase; PVE puts the first line of an error here. */
  reason?: string;
  /** Serialised as JSON; omit for an empty body. */
  json?: unknown;
  delayMs?: number;
  /** Drop the connection instead of answering. */
  hangUp?: boolean;
};

export type StubHandler = (req: RecordedRequest) => StubReply | Promise<StubReply>;

/** `connections`: how many TCP (or TLS) connections clients opened to the stub. */
export type Stub = { url: string; requests: RecordedRequest[]; connections(): number; close(): Promise<void> };

/** PVE's success envelope. */
export const ok = (data: unknown): StubReply => ({ status: 200, json: { data } });

export async function startStub(handler: StubHandler, tls?: { key: string; cert: string }): Promise<Stub> {
  const requests: RecordedRequest[] = [];
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const rawUrl = req.url ?? "/";
      const q = rawUrl.indexOf("?");
      const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
      const rawQuery = q < 0 ? "" : rawUrl.slice(q + 1);
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: decodeURIComponent(rawPath).replace(/^\/api2\/json/, ""),
        rawPath,
        rawQuery,
        rawBody,
        headers: req.headers,
        params: { ...decodePveForm(rawBody), ...decodePveForm(rawQuery) },
      };
      requests.push(recorded);
      let reply: StubReply;
      try {
        reply = await handler(recorded);
      } catch (error) {
        reply = { status: 599, reason: `stub handler failed: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.hangUp) {
        req.socket.destroy();
        return;
      }
      const body = reply.json === undefined ? "" : JSON.stringify(reply.json);
      const headers: http.OutgoingHttpHeaders = { "Content-Length": Buffer.byteLength(body) };
      if (body) headers["Content-Type"] = "application/json;charset=UTF-8";
      res.writeHead(reply.status ?? 200, reply.reason ?? (reply.status && reply.status !== 200 ? "Error" : "OK"), headers);
      res.end(body);
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, listener) : http.createServer(listener);
  let connections = 0;
  server.on(tls ? "secureConnection" : "connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A throw-away self-signed certificate for 127.0.0.1 made with the openssl CLI. */
export function selfSignedCert(): { key: string; cert: string; fingerprint256: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "pve-stub-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=pve-stub", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
      { stdio: "ignore" },
    );
    const certPem = readFileSync(cert, "utf8");
    return { key: readFileSync(key, "utf8"), cert: certPem, fingerprint256: new X509Certificate(certPem).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
