import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { sha256Hex } from "../crypto/secrets";
import { env } from "../env";
import { getPool } from "../db/pool";
import { AppError } from "../errors";

/**
 * Password sign-in attempts, counted in the database (table "RateLimit") so that every web
 * process sees the same counts. Three counters, all over HANGAR_LOGIN_WINDOW_MINUTES:
 *
 * - per account + client address (HANGAR_LOGIN_MAX_FAILURES_ACCOUNT, default 5): the tight one.
 *   A stranger guessing from one address locks out only that address for this account, never
 *   the owner signing in from another address. Each repeated lock-out of the same pair within a
 *   day doubles its length (progressive delay), up to 24 hours;
 * - per client address over all accounts (HANGAR_LOGIN_MAX_FAILURES_IP, default 20);
 * - per account over all addresses (HANGAR_LOGIN_MAX_FAILURES_ACCOUNT_TOTAL, default 100): the
 *   ceiling against guessing spread over many addresses.
 *
 * An attempt is counted atomically BEFORE its password is checked (an `INSERT … ON CONFLICT …
 * RETURNING` per counter), so concurrent guesses cannot pass the limit; a correct password gives
 * the attempt back and clears the pair's counter. Keys are SHA-256 digests: no email or address is
 * stored, and long input cannot overflow the key column.
 */
type Limiters = { pair: RateLimiterPostgres; ip: RateLimiterPostgres; account: RateLimiterPostgres; strikes: RateLimiterPostgres };
const holder = ((globalThis as Record<string, unknown>).__hangarLoginLimiters ??= {}) as { limiters?: Limiters; key?: string };

const DAY_SECONDS = 86_400;

function limiters(): Limiters {
  const e = env();
  const key = [process.env.DATABASE_URL, e.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT, e.HANGAR_LOGIN_MAX_FAILURES_IP, e.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT_TOTAL, e.HANGAR_LOGIN_WINDOW_MINUTES].join("|");
  if (holder.limiters && holder.key === key) return holder.limiters;
  const duration = Math.round(e.HANGAR_LOGIN_WINDOW_MINUTES * 60);
  const common = { storeClient: getPool(), storeType: "pool", tableName: "RateLimit", tableCreated: true, duration, clearExpiredByTimeout: false };
  holder.limiters = {
    pair: new RateLimiterPostgres({ ...common, keyPrefix: "login_pair", points: e.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT }),
    ip: new RateLimiterPostgres({ ...common, keyPrefix: "login_ip", points: e.HANGAR_LOGIN_MAX_FAILURES_IP }),
    account: new RateLimiterPostgres({ ...common, keyPrefix: "login_account", points: e.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT_TOTAL }),
    // How often a pair was locked out within a day: each lock-out lasts twice the one before.
    strikes: new RateLimiterPostgres({ ...common, keyPrefix: "login_strike", points: 1_000_000, duration: DAY_SECONDS }),
  };
  holder.key = key;
  return holder.limiters;
}

const digest = (value: string) => sha256Hex(value).slice(0, 40);
const accountKey = (email: string) => digest(`account:${email.trim().toLowerCase()}`);
const ipKey = (ip: string | undefined) => digest(`ip:${ip ?? "unknown"}`);
const pairKey = (email: string, ip: string | undefined) => digest(`pair:${email.trim().toLowerCase()}|${ip ?? "unknown"}`);

function tooMany(ms: number): AppError {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new AppError("rate_limited", `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, {
    retryAfterSeconds: seconds,
  });
}

/** consume() that answers instead of throwing when over the limit. */
async function take(limiter: RateLimiterPostgres, key: string): Promise<{ allowed: boolean; res: RateLimiterRes }> {
  try {
    return { allowed: true, res: await limiter.consume(key) };
  } catch (res) {
    if (res instanceof RateLimiterRes) return { allowed: false, res };
    throw res;
  }
}

/** A ticket for one counted attempt: settle it with the outcome of the password check. */
export type LoginAttempt = {
  /** The password was right: the attempt is given back and the pair's failures are cleared. */
  succeeded: () => Promise<void>;
  /** The password was wrong: the attempt stays counted. */
  failed: () => Promise<void>;
};

/**
 * Counts one sign-in attempt for `email` from `ip` before the password is checked. Throws
 * `rate_limited` (429, with retryAfterSeconds) when the pair, the address or the account has used
 * up its attempts; then nothing else is counted (a refused attempt does not eat into the account's
 * ceiling, so a stranger hammering from one address cannot exhaust it).
 */
export async function beginLoginAttempt(email: string, ip: string | undefined): Promise<LoginAttempt> {
  const l = limiters();
  const keys = { pair: pairKey(email, ip), ip: ipKey(ip), account: accountKey(email) };

  const pair = await take(l.pair, keys.pair);
  if (!pair.allowed) {
    // The attempt that crosses the limit (exactly one, the counter is atomic) sets the lock's length.
    if (pair.res.consumedPoints === l.pair.points + 1) throw tooMany(await lockPair(l, keys.pair, pair.res.msBeforeNext));
    throw tooMany(pair.res.msBeforeNext);
  }
  const byIp = await take(l.ip, keys.ip);
  if (!byIp.allowed) {
    await l.pair.reward(keys.pair);
    throw tooMany(byIp.res.msBeforeNext);
  }
  const account = await take(l.account, keys.account);
  if (!account.allowed) {
    await Promise.all([l.pair.reward(keys.pair), l.ip.reward(keys.ip)]);
    throw tooMany(account.res.msBeforeNext);
  }
  return {
    succeeded: async () => {
      await Promise.all([l.pair.delete(keys.pair), l.ip.reward(keys.ip), l.account.reward(keys.account)]);
    },
    failed: async () => undefined,
  };
}

/** The n-th lock-out of a pair within a day lasts window × 2^(n-1), at most a day; returns its ms. */
async function lockPair(l: Limiters, key: string, msLeft: number): Promise<number> {
  const strike = await take(l.strikes, key);
  const n = strike.res.consumedPoints;
  if (n <= 1) return msLeft;
  const seconds = Math.min(DAY_SECONDS, l.pair.duration * 2 ** (n - 1));
  await l.pair.block(key, seconds);
  return seconds * 1000;
}

/**
 * True when the account has reached its ceiling of failed attempts over all addresses (the
 * account-wide lock-out). Single sign-on refuses such an account too.
 */
export async function isAccountLocked(email: string): Promise<boolean> {
  const l = limiters();
  const res = await l.account.get(accountKey(email));
  return !!res && res.consumedPoints >= l.account.points;
}
