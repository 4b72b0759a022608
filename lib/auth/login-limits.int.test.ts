import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as login } from "@/app/api/v1/auth/login/route";
import { db } from "../db/client";
import { resetEnvCache } from "../env";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { verifyCredentials } from "./credentials";

// Every password check (argon2 verify) is counted, the dummy one for unknown accounts included.
const argon = vi.hoisted(() => ({ verifies: 0 }));
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const real = await importOriginal<typeof import("@node-rs/argon2")>();
  return {
    ...real,
    verify: (...args: Parameters<typeof real.verify>) => {
      argon.verifies += 1;
      return real.verify(...args);
    },
  };
});

let database: { drop: () => Promise<void> };
const password = "correct horse battery";
const saved = { ...process.env };

beforeAll(async () => {
  process.env.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT = "5";
  process.env.HANGAR_LOGIN_MAX_FAILURES_IP = "20";
  process.env.HANGAR_LOGIN_MAX_FAILURES_ACCOUNT_TOTAL = "12";
  process.env.HANGAR_LOGIN_WINDOW_MINUTES = "15";
  resetEnvCache();
  database = await useMigratedDatabase();
});
afterAll(async () => {
  await database.drop();
  process.env = saved;
  resetEnvCache();
});
beforeEach(async () => {
  await db().rateLimit.deleteMany();
  argon.verifies = 0;
});

let counter = 0;
async function newUser() {
  counter += 1;
  return createUser({ email: `owner${counter}@example.com`, password, role: "user" });
}

const attempt = (email: string, pw: string, ip: string) =>
  verifyCredentials(email, pw, ip).then(
    () => "ok" as const,
    (e: { code?: string }) => e.code ?? "error",
  );

function loginRequest(body: unknown, ip: string) {
  return new Request("http://hangar.test/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", "x-hangar-client-ip": ip },
    body: JSON.stringify(body),
  });
}

describe("password guessing limits", () => {
  it("40 concurrent wrong passwords for one account are checked at most 5 times", async () => {
    const user = await newUser();
    await db().user.findMany(); // warm the pool
    argon.verifies = 0;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(user.email, `wrong ${i}`, "203.0.113.5")));
    expect(argon.verifies).toBeLessThanOrEqual(5);
    expect(results.filter((r) => r === "unauthorized")).toHaveLength(argon.verifies);
    expect(results.filter((r) => r === "rate_limited")).toHaveLength(40 - argon.verifies);
    expect(results).not.toContain("ok");
  });

  it("the API login route: 40 concurrent wrong passwords get at most 5 answers other than 429", async () => {
    const user = await newUser();
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(loginRequest({ email: user.email, password: `wrong ${i}` }, "203.0.113.6"), { params: Promise.resolve({}) })),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(1);
    expect(argon.verifies).toBeLessThanOrEqual(5);
    const limited = responses.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: 429 });
  });

  it("a stranger's failures from one address do not lock the owner out from another", async () => {
    const user = await newUser();
    const stranger = await Promise.all(Array.from({ length: 10 }, () => attempt(user.email, "guess", "198.51.100.66")));
    expect(stranger.filter((r) => r === "rate_limited").length).toBeGreaterThanOrEqual(5);
    // Even the right password is refused to the stranger's address now…
    expect(await attempt(user.email, password, "198.51.100.66")).toBe("rate_limited");
    // …while the owner signs in from theirs.
    expect(await attempt(user.email, password, "192.0.2.10")).toBe("ok");
    // The API login too.
    const res = await login(loginRequest({ email: user.email, password }, "192.0.2.10"), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
  });

  it("the per-account ceiling holds across addresses (and refused attempts do not count towards it)", async () => {
    const user = await newUser();
    // 12 failures from 3 addresses (4 each: under the pair limit of 5) reach the ceiling of 12.
    for (const ip of ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) {
      for (let i = 0; i < 4; i++) expect(await attempt(user.email, "guess", ip)).toBe("unauthorized");
    }
    argon.verifies = 0;
    expect(await attempt(user.email, "guess", "198.51.100.4")).toBe("rate_limited");
    expect(await attempt(user.email, password, "192.0.2.11")).toBe("rate_limited");
    expect(argon.verifies).toBe(0);

    // Refused attempts at the pair limit do not eat into the ceiling: 50 hammering requests from one
    // address leave the owner able to sign in.
    const other = await newUser();
    await Promise.all(Array.from({ length: 50 }, () => attempt(other.email, "guess", "198.51.100.9")));
    expect(await attempt(other.email, password, "192.0.2.12")).toBe("ok");
  });

  it("a right password gives the attempt back and clears the pair's failures", async () => {
    const user = await newUser();
    for (let i = 0; i < 4; i++) expect(await attempt(user.email, "guess", "203.0.113.7")).toBe("unauthorized");
    expect(await attempt(user.email, password, "203.0.113.7")).toBe("ok");
    for (let i = 0; i < 4; i++) expect(await attempt(user.email, "guess", "203.0.113.7")).toBe("unauthorized");
  });

  it("limits one address guessing across many accounts", async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => newUser()));
    for (const u of users.slice(0, 5)) for (let i = 0; i < 4; i++) expect(await attempt(u.email, "nope", "192.0.2.77")).toBe("unauthorized");
    expect(await attempt(users[5]!.email, password, "192.0.2.77")).toBe("rate_limited");
    expect(await attempt(users[5]!.email, password, "192.0.2.78")).toBe("ok");
  });

  it("each repeated lock-out of the same account and address lasts longer", async () => {
    const user = await newUser();
    const lockOut = async () => {
      for (let i = 0; i < 5; i++) await attempt(user.email, "guess", "203.0.113.8");
      return verifyCredentials(user.email, "guess", "203.0.113.8").catch((e: { retryAfterSeconds?: number }) => e.retryAfterSeconds ?? 0);
    };
    const first = (await lockOut()) as number;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(15 * 60);
    // The window passes (the pair's counter expires; the day's strike count stays).
    await db().$executeRaw`UPDATE "RateLimit" SET expire = 1 WHERE key LIKE 'login_pair:%'`;
    const second = (await lockOut()) as number;
    expect(second).toBeGreaterThan(15 * 60);
    expect(second).toBeLessThanOrEqual(30 * 60);
  });
});
