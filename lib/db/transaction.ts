import { log } from "../log";
import { db, type Db } from "./client";

/** PostgreSQL's codes for "run the transaction again": serialization failure, deadlock. */
const RETRY_CODES = new Set(["40001", "40P01"]);

/**
 * Whether `error` is PostgreSQL aborting a transaction that would succeed if run again
 * (40001 serialization failure, 40P01 deadlock), as thrown by Prisma (P2034, or P2010 with the
 * driver adapter's original code) or by pg itself. Looks through `cause` and `meta`.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ["code", "originalCode"]) {
      const code = o[key];
      if (typeof code === "string" && (RETRY_CODES.has(code) || code === "P2034")) return true;
    }
    queue.push(o.cause, o.meta, o.driverAdapterError);
  }
  return false;
}

/** The client a transaction's callback gets. */
export type TxClient = Db.Prisma.TransactionClient;

export type TransactionOptions = {
  /** Longest the transaction may run, ms (Prisma's `timeout`). Default 30 s. */
  timeout?: number;
  /** Longest to wait for a connection from the pool, ms (Prisma's `maxWait`). Default 10 s. */
  maxWait?: number;
  /** Tries in all (1 = no retry). Default 5. */
  attempts?: number;
  /** For logs: what the transaction does. */
  name?: string;
};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * `db().$transaction(fn)` that runs `fn` again (up to `attempts` tries, with a short random
 * back-off of 5–50 ms × try) when PostgreSQL aborts it for a deadlock or a serialization
 * failure. `fn` must therefore do nothing outside the database that it cannot repeat; every
 * write inside it is rolled back before the next try. Other errors are thrown at once; the last
 * retryable one is thrown when the tries are used up. Take row locks in the order of ./locks.ts.
 */
export async function transaction<T>(fn: (tx: TxClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 5);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db().$transaction(fn, { timeout: options.timeout ?? 30_000, maxWait: options.maxWait ?? 10_000 });
    } catch (error) {
      if (attempt >= attempts || !isRetryableTransactionError(error)) throw error;
      log.debug({ tx: options.name, attempt }, "transaction aborted by PostgreSQL (deadlock or serialization); retrying");
      await sleep((5 + Math.random() * 45) * attempt);
    }
  }
}
