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

/** The one place that turns a thrown error into an HTTP answer. */
export function errorResponse(error: unknown): Response {
  if (isAppError(error)) {
    const headers = error.retryAfterSeconds ? { "Retry-After": String(error.retryAfterSeconds) } : undefined;
    return fail(error.status, error.message, error.data, headers);
  }
  if (error instanceof ZodError) return fail(400, zodMessage(error));
  log.error({ err: error }, "unhandled API error");
  return fail(500, "Internal server error");
}

/** Reads a JSON body, turning malformed JSON into a 400 rather than a 500. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "Request body must be valid JSON");
  }
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
