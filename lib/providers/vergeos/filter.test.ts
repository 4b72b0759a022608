import { describe, expect, it } from "vitest";
import { and, keyLiteral, literal, quote, where, whereKey } from "./filter";
import { machineKey, resourceGroupUuid } from "./types";

describe("VergeOS filters", () => {
  it("single-quotes strings and doubles inner quotes", () => {
    expect(quote("o'brien")).toBe("'o''brien'");
    expect(quote("''")).toBe("''''''");
    expect(where("name", "eq", "it's a 'vm'")).toBe("name eq 'it''s a ''vm'''");
  });

  it("writes numbers, booleans and null bare", () => {
    expect(literal(42)).toBe("42");
    expect(literal(true)).toBe("true");
    expect(literal(false)).toBe("false");
    expect(literal(null)).toBe("null");
    expect(where("is_snapshot", "eq", false)).toBe("is_snapshot eq false");
  });

  it("writes numeric keys bare and other keys quoted", () => {
    expect(whereKey("machine", machineKey(54))).toBe("machine eq 54");
    expect(whereKey("machine", machineKey("54"))).toBe("machine eq 54");
    expect(keyLiteral(resourceGroupUuid("1f67f07e-f653-db95-c475-01b8a2ea0ff1"))).toBe("'1f67f07e-f653-db95-c475-01b8a2ea0ff1'");
  });

  it("joins with and, skipping empty parts", () => {
    expect(and(where("name", "eq", "a"), undefined, where("is_snapshot", "eq", false))).toBe("name eq 'a' and is_snapshot eq false");
  });

  it("refuses joined (#) fields, odd field names and control characters", () => {
    expect(() => where("machine#status#status", "eq", "running")).toThrow(/joined fields/);
    expect(() => where("name; drop", "eq", "x")).toThrow(/Invalid VergeOS filter field/);
    expect(() => where("name", "eq", "a\nb")).toThrow(/control characters/);
    expect(() => literal(Number.NaN)).toThrow();
  });
});
