import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as me } from "@/app/api/v1/me/route";
import { db } from "../db/client";
import { resetEnvCache } from "../env";
import { useMigratedDatabase } from "../testing/test-db";
import { createUser } from "../users/create-user";
import { createPersonalToken, issueSessionToken } from "./api-tokens";

/**
 * Bearer tokens stop working when their time is up: personal tokens after the days their owner
 * chose, login (session) tokens after HANGAR_API_TOKEN_HOURS. The clock is moved forward (only
 * Date is faked), so this fails whether expiry is lost when the token is made or when it is checked.
 */
let database: { drop: () => Promise<void> };
const DAY = 86400_000;

beforeAll(async () => {
  process.env.HANGAR_API_TOKEN_HOURS = "2";
  resetEnvCache();
  database = await useMigratedDatabase();
});
afterAll(async () => {
  delete process.env.HANGAR_API_TOKEN_HOURS;
  resetEnvCache();
  await database.drop();
});
afterEach(() => vi.useRealTimers());

let counter = 0;
async function newUser() {
  counter += 1;
  return createUser({ email: `expiry${counter}@example.com`, password: "correct horse battery", role: "user" });
}

async function meStatus(token: string): Promise<number> {
  const res = await me(new Request("http://hangar.test/api/v1/me", { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
  if (res.status === 401) expect(await res.json()).toEqual({ code: 401, message: expect.any(String), data: null });
  return res.status;
}

function travel(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ms });
}

describe("token expiry", () => {
  it("a personal token with an expiry works until then and gets 401 after", async () => {
    const user = await newUser();
    const made = Date.now();
    const { token, view } = await createPersonalToken(user.id, { name: "ci", expiresInDays: 1 });
    expect(view.expiresAt).not.toBeNull();
    expect(Math.abs(view.expiresAt!.getTime() - (made + DAY))).toBeLessThan(60_000);
    expect(await meStatus(token)).toBe(200);
    travel(DAY - 5 * 60_000);
    expect(await meStatus(token)).toBe(200);
    vi.useRealTimers();
    travel(DAY + 60_000);
    expect(await meStatus(token)).toBe(401);
  });

  it("a personal token expiring in 30 days is refused on day 31; one without an expiry still works", async () => {
    const user = await newUser();
    const month = await createPersonalToken(user.id, { name: "month", expiresInDays: 30 });
    const forever = await createPersonalToken(user.id, { name: "forever", expiresInDays: null });
    travel(31 * DAY);
    expect(await meStatus(month.token)).toBe(401);
    expect(await meStatus(forever.token)).toBe(200);
  });

  it("an expired token stays refused even if its row says it was used recently", async () => {
    const user = await newUser();
    const { token, view } = await createPersonalToken(user.id, { name: "used", expiresInDays: 1 });
    await db().apiToken.update({ where: { id: view.id }, data: { lastUsedAt: new Date(Date.now() + 2 * DAY) } });
    travel(2 * DAY);
    expect(await meStatus(token)).toBe(401);
  });

  it("a login token expires after HANGAR_API_TOKEN_HOURS", async () => {
    const user = await newUser();
    const { token, expiresAt } = await issueSessionToken(user.id);
    expect(Math.abs(expiresAt.getTime() - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
    expect(await meStatus(token)).toBe(200);
    travel(2 * 3600_000 + 60_000);
    expect(await meStatus(token)).toBe(401);
  });
});
