import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "./client";
import { isRetryableTransactionError, transaction } from "./transaction";
import { useMigratedDatabase } from "../testing/test-db";

/** transaction() against real PostgreSQL: a genuine deadlock is retried, other errors are not. */
let database: { drop: () => Promise<void> };
let ids: [string, string];

beforeAll(async () => {
  database = await useMigratedDatabase();
  const a = await db().user.create({ data: { email: "a@example.com", name: "a", role: "user" } });
  const b = await db().user.create({ data: { email: "b@example.com", name: "b", role: "user" } });
  ids = [a.id, b.id];
});

afterAll(async () => {
  await database?.drop();
});

/** Two transactions that lock the two rows in opposite orders, meeting in the middle: a deadlock. */
async function crossLock(attempts: number) {
  let arrived = 0;
  const barrier = async () => {
    arrived++;
    while (arrived < 2) await new Promise((r) => setTimeout(r, 5));
  };
  let tries = 0;
  const run = (first: string, second: string) =>
    transaction(
      async (tx) => {
        tries++;
        await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${first} FOR NO KEY UPDATE`;
        if (tries <= 2) await barrier();
        await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${second} FOR NO KEY UPDATE`;
        return first;
      },
      { attempts },
    );
  const results = await Promise.allSettled([run(ids[0], ids[1]), run(ids[1], ids[0])]);
  return { results, tries };
}

describe("transaction()", () => {
  it("runs a transaction that PostgreSQL aborted for a deadlock again", async () => {
    const { results, tries } = await crossLock(5);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(tries).toBe(3);
  });

  it("without retries the deadlock reaches the caller, recognised as retryable", async () => {
    const { results } = await crossLock(1);
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(isRetryableTransactionError((rejected[0] as PromiseRejectedResult).reason)).toBe(true);
  });

  it("does not retry other errors", async () => {
    let tries = 0;
    await expect(
      transaction(async () => {
        tries++;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(tries).toBe(1);
  });
});
