import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "../env";
import { getPool } from "../db/pool";
import { AppError } from "../errors";

/**
 * Failed sign-ins are counted per account and per client IP in the database (table
 * "RateLimit"), so every web process sees the same counts. Only failures count; a success
 * clears the account's counter.
 */
type Limiters = { account: RateLimiterPostgres; ip: RateLimiterPostgres };
const holder = ((globalThis as Record<string, unknown>).__hangarLoginLimiters ??= {}) as { limiters?: Limiters; url?: string };

function limiters(): Limiters {
  if (holder.limiters && holder.url === process.env.DATABASE_URL) return holder.limiters;
  const e = env();
  const duration = Math.round(e.HANGAR_LOGIN_WINDOW_MINUTES * 60);
  const common = { storeClient: getPool(), storeType: "pool", tableName: "RateLimit", tableCreated: true, duration, clearExpiredByTimeout: false };
  holder.limiters = {
    account: new RateLimiterPostgres({ ...common, keyPrefix: "login_account", points: e.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT }),
    ip: new RateLimiterPostgres({ ...common, keyPrefix: "login_ip", points: e.HANGAR_LOGIN_MAX_FAILURES_IP }),
  };
  holder.url = process.env.DATABASE_URL;
  return holder.limiters;
}

function tooMany(ms: number): AppError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new AppError("rate_limited", `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
    retryAfterSeconds: seconds,
  });
}

/** Throws `rate_limited` when the account or the IP has used up its failures. */
export async function assertLoginAllowed(email: string, ip: string | undefined): Promise<void> {
  const { account, ip: byIp } = limiters();
  const checks = await Promise.all([account.get(email.toLowerCase()), ip ? byIp.get(ip) : Promise.resolve(null)]);
  const limits = [account.points, byIp.points];
  checks.forEach((res, i) => {
    if (res && res.consumedPoints >= (limits[i] ?? 0)) throw tooMany(res.msBeforeNext);
  });
}

export async function recordLoginFailure(email: string, ip: string | undefined): Promise<void> {
  const { account, ip: byIp } = limiters();
  const consume = (limiter: RateLimiterPostgres, key: string) =>
    limiter.consume(key).catch((res: unknown) => {
      if (res instanceof RateLimiterRes) return res; // over the limit: the next attempt is refused
      throw res;
    });
  await Promise.all([consume(account, email.toLowerCase()), ip ? consume(byIp, ip) : Promise.resolve()]);
}

export async function recordLoginSuccess(email: string): Promise<void> {
  await limiters().account.delete(email.toLowerCase());
}
