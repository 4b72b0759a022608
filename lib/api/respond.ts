import { ZodError, type z } from "zod";
import { AppError, isAppError } from "../errors";
import { log } from "../log";

/** The seed API's envelope: `{code, message, data}` with `code` equal to the HTTP status. */
export type Envelope<T> = { code: number; message: string; data: T };

export function ok<T>(data: T, message = "OK", status = 200): Response {
  return Response.json({ code: status, message, data } satisfies Envelope<T>, { status });
}

export function fail(status: number, message: string, data: unknown = null, headers?: HeadersInit): Response {
  return Response.json({ code: status, message, data } satisfies Envelope<unknown>, { status, headers });
}

export function zodMessage(error: ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

/**
 * The one place that turns a thrown error into an HTTP answer. Our typed errors and zod's become
 * their 4xx; anything else is our fault: logged with `requestId` and answered 500 with the id in
 * the message and in `data.request_id`, so support can find the log line.
 */
export function errorResponse(error: unknown, requestId?: string): Response {
  if (isAppError(error)) {
    const headers = error.retryAfterSeconds ? { "Retry-After": String(error.retryAfterSeconds) } : undefined;
    return fail(error.status, error.message, error.data, headers);
  }
  if (error instanceof ZodError) return fail(400, zodMessage(error));
  log.error({ err: error, requestId }, "unhandled API error");
  return requestId ? fail(500, `Internal server error (request id ${requestId})`, { request_id: requestId }) : fail(500, "Internal server error");
}

/** Largest JSON body an /api/v1 request may send (bytes); larger ones get 413 while still streaming. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
/** Deepest nesting of arrays and objects accepted in a JSON body. */
export const MAX_JSON_DEPTH = 32;

/**
 * Reads a JSON body (`{}` when empty) with the API's input rules, each broken one a 4xx that
 * names the problem: more than `maxBytes` (declared or streamed: reading stops there) → 413;
 * not UTF-8, not JSON → 400; any string or key with a NUL or another control character other than
 * tab, newline and carriage return → 400 naming its path; nesting deeper than MAX_JSON_DEPTH → 400.
 */
export async function readJson(req: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  const text = await readText(req, maxBytes);
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "Request body must be valid JSON");
  }
  const problem = jsonProblem(value);
  if (problem) throw new AppError("bad_request", problem);
  return value;
}

async function readText(req: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new AppError("payload_too_large", `Request body too large (limit ${maxBytes} bytes)`);
  const declared = req.headers.get("content-length");
  if (declared && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch {
      throw new AppError("bad_request", "The request body could not be read");
    }
    if (next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError("bad_request", "Request body must be UTF-8 encoded JSON");
  }
}

const FORBIDDEN_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The first string or key in `value` that breaks the input rules, as "path: problem", or null. Iterative (no stack to overflow). */
export function jsonProblem(value: unknown): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: "", depth: 0 }];
  while (stack.length) {
    const item = stack.pop()!;
    const where = item.path || "body";
    if (typeof item.value === "string") {
      if (FORBIDDEN_CHARS.test(item.value)) return `${where}: must not contain NUL or other control characters`;
      continue;
    }
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth >= MAX_JSON_DEPTH) return `${where}: nested too deeply (limit ${MAX_JSON_DEPTH} levels)`;
    const entries = Array.isArray(item.value) ? item.value.map((v, i) => [String(i), v] as const) : Object.entries(item.value);
    for (const [key, child] of entries) {
      if (FORBIDDEN_CHARS.test(key)) return `${where}: a key contains NUL or other control characters`;
      const path = Array.isArray(item.value) ? `${item.path}[${key}]` : item.path ? `${item.path}.${key}` : key;
      stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return null;
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError("bad_request", zodMessage(result.error));
  return result.data;
}

/** The seed's wording for absent fields: `Missing required fields: a, b`. */
export function requireFields(body: unknown, fields: readonly string[]): void {
  const record = body && typeof body === "object" ? (body as Record<string, unknown>) : {};
  const missing = fields.filter((f) => record[f] === undefined || record[f] === null || record[f] === "");
  if (missing.length) throw new AppError("bad_request", `Missing required fields: ${missing.join(", ")}`);
}
