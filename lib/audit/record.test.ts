import { expect, it } from "vitest";
import { Db } from "../db/client";
import { scrub } from "./record";

it("keeps audit snapshots free of secrets but keeps the rest", () => {
  const at = new Date("2030-01-01T00:00:00Z");
  expect(scrub({ email: "a@b.c", passwordHash: "$argon2id$x", credentials: "v1.x", nested: [{ apiKey: "k", name: "n" }], at, tlsCa: null })).toEqual({
    email: "a@b.c",
    passwordHash: "[redacted]",
    credentials: "[redacted]",
    nested: [{ apiKey: "[redacted]", name: "n" }],
    at: "2030-01-01T00:00:00.000Z",
    tlsCa: null,
  });
});

it("records a Decimal (a plan's spend limit) as its value", () => {
  expect(scrub({ maxMonthlySpend: new Db.Prisma.Decimal("250.50"), none: null })).toEqual({ maxMonthlySpend: "250.5", none: null });
});
