import { describe, expect, it, vi } from "vitest";
import { pageId } from "./params";

vi.mock("server-only", () => ({}));
vi.mock("next/navigation", () => ({
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
}));

describe("pageId", () => {
  it("passes ids through", () => {
    expect(pageId("clone-abc-123")).toBe("clone-abc-123");
    expect(pageId("0b8f0b0e-7c4e-4c53-9a53-6c1d0e9c1e7f")).toBe("0b8f0b0e-7c4e-4c53-9a53-6c1d0e9c1e7f");
  });
  it.each(["\u0000", "a\u0000", "\ufffd", "\ud800", "", "x".repeat(201), undefined, ["a"]])("shows the 404 page for %j", (value) => {
    expect(() => pageId(value)).toThrow("NEXT_NOT_FOUND");
  });
});
