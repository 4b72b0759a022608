import { describe, expect, it } from "vitest";
import { isRetryableTransactionError } from "./transaction";

describe("isRetryableTransactionError", () => {
  it("recognises deadlocks and serialization failures however Prisma or pg wrap them", () => {
    // Prisma 7 with the pg driver adapter, as seen in issue 7 finding 5.
    const prisma = { code: "P2010", meta: { driverAdapterError: { name: "DriverAdapterError", cause: { originalCode: "40P01", kind: "TransactionWriteConflict" } } } };
    expect(isRetryableTransactionError(prisma)).toBe(true);
    expect(isRetryableTransactionError({ code: "P2034" })).toBe(true);
    expect(isRetryableTransactionError(Object.assign(new Error("x"), { cause: { code: "40001" } }))).toBe(true);
  });

  it("leaves everything else alone", () => {
    expect(isRetryableTransactionError(new Error("deadlock detected"))).toBe(false);
    expect(isRetryableTransactionError({ code: "P2002" })).toBe(false);
    expect(isRetryableTransactionError({ code: "P2010", meta: { driverAdapterError: { cause: { originalCode: "23505" } } } })).toBe(false);
    expect(isRetryableTransactionError(null)).toBe(false);
    const loop: Record<string, unknown> = {};
    loop.cause = loop;
    expect(isRetryableTransactionError(loop)).toBe(false);
  });
});
