import { createHmac, randomUUID } from "node:crypto";
import type { AuthenticatedUser } from "../auth/credentials";
import { deriveSecret, parseKey } from "../crypto/secrets";
import { db } from "../db/client";
import { AppError } from "../errors";
import { log } from "../log";
import { errorResponse, fail, ok, readJson } from "./respond";

/**
 * `Idempotency-Key` for the API's POSTs that make something (create a VM, VM actions), as
 * payment APIs do it: a client that sends the same key again (same user, same method, path and
 * body, within 24 hours) gets the first answer again, status and body, and nothing is done a
 * second time. The same key with another request is a 422. While the first request still runs,
 * a duplicate waits for its answer (up to WAIT_MS, then 409 with Retry-After).
 *
 * Keys are claimed by inserting a row under a unique (user, key) constraint before the handler
 * runs, so of concurrent duplicates exactly one executes. Answers of 5xx are not kept (the key
 * is released, so the client may retry); every 2xx–4xx answer is. Rows expire after TTL_MS and
 * are purged by the maintenance job (purgeExpiredIdempotencyKeys).
 */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
export const TTL_MS = 24 * 60 * 60_000;
export const WAIT_MS = 10_000;
export const MAX_KEY_LENGTH = 255;

export const KEY_INVALID = `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`;
export const KEY_REUSED = "Idempotency-Key was already used with a different request";
export const KEY_BUSY = "A request with this Idempotency-Key is still being processed; retry shortly";

type Result = { data: unknown; message?: string; status?: number } | Response;
type Ctx<P> = { req: Request; params: P; user: AuthenticatedUser };

/** Sorted keys, so that `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * What identifies a request: method, path and body (canonical JSON), as an HMAC under the
 * portal's secret key, so that the table never holds a guessable digest of a body (which may
 * carry a password).
 */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  const master = process.env.HANGAR_SECRET_KEY;
  return createHmac("sha256", master ? deriveSecret(parseKey(master), "idempotency") : "hangar:idempotency")
    .update(JSON.stringify([method.toUpperCase(), path, canonical(body)]))
    .digest("hex");
}

function toResponse(result: Result): Response {
  if (result instanceof Response) return result;
  return ok(result.data, result.message ?? "OK", result.status ?? 200);
}

function replay(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "application/json", [REPLAYED_HEADER]: "true" } });
}

type Claim = { kind: "owner"; id: string } | { kind: "replay"; response: Response } | { kind: "mismatch" } | { kind: "busy" };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function claim(userId: string, key: string, fingerprint: string): Promise<Claim> {
  const waitUntil = Date.now() + WAIT_MS;
  for (;;) {
    const id = randomUUID();
    const now = new Date();
    const inserted = await db().idempotencyKey.createMany({
      data: [{ id, userId, key, fingerprint, expiresAt: new Date(now.getTime() + TTL_MS) }],
      skipDuplicates: true,
    });
    if (inserted.count === 1) return { kind: "owner", id };
    const row = await db().idempotencyKey.findUnique({ where: { userId_key: { userId, key } } });
    if (!row) continue; // released or purged in between: claim again
    if (row.expiresAt <= now) {
      await db().idempotencyKey.deleteMany({ where: { id: row.id, expiresAt: { lte: now } } });
      continue;
    }
    if (row.fingerprint !== fingerprint) return { kind: "mismatch" };
    if (row.status !== null && row.response !== null) return { kind: "replay", response: replay(row.status, row.response) };
    if (Date.now() >= waitUntil) return { kind: "busy" };
    await sleep(100);
  }
}

/**
 * Wraps a bearerApi handler (inside `bearerApi(...)`, so the user is known) with
 * Idempotency-Key handling; requests without the header run as before. A malformed key is a
 * 400. The body is read from a clone of the request, with the API's input rules (readJson);
 * a body those rules refuse runs unwrapped and gets its 4xx from the handler.
 */
export function idempotent<P>(fn: (ctx: Ctx<P>) => Promise<Result>): (ctx: Ctx<P>) => Promise<Result> {
  return async (ctx) => {
    const key = ctx.req.headers.get(IDEMPOTENCY_HEADER);
    if (key === null) return fn(ctx);
    if (key.length < 1 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) throw new AppError("bad_request", KEY_INVALID);
    let body: unknown;
    try {
      body = await readJson(ctx.req.clone());
    } catch {
      return fn(ctx);
    }
    const fingerprint = requestFingerprint(ctx.req.method, new URL(ctx.req.url).pathname, body);
    const claimed = await claim(ctx.user.id, key, fingerprint);
    if (claimed.kind === "replay") return claimed.response;
    if (claimed.kind === "mismatch") return fail(422, KEY_REUSED);
    if (claimed.kind === "busy") return fail(409, KEY_BUSY, null, { "Retry-After": "1" });

    const release = () => db().idempotencyKey.deleteMany({ where: { id: claimed.id } });
    let response: Response;
    try {
      response = toResponse(await fn(ctx));
    } catch (error) {
      // Our own faults are not kept: the client may try again with the same key.
      if (!(error instanceof AppError) || error.status >= 500) {
        await release().catch((e: unknown) => log.warn({ err: e }, "could not release an idempotency key"));
        throw error;
      }
      response = errorResponse(error);
    }
    if (response.status >= 500) {
      await release();
      return response;
    }
    const text = await response.clone().text();
    await db().idempotencyKey.update({ where: { id: claimed.id }, data: { status: response.status, response: text } });
    return response;
  };
}

/** Deletes answers older than their 24 hours; returns how many. */
export async function purgeExpiredIdempotencyKeys(now = new Date()): Promise<number> {
  return (await db().idempotencyKey.deleteMany({ where: { expiresAt: { lt: now } } })).count;
}
