import { describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import { log } from "../log";
import { actionResult } from "./action-result";

vi.mock("../log", () => ({ log: { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() } }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-request-id": "rid-42" }) }));

describe("actionResult", () => {
  it("answers our typed errors with their message", async () => {
    expect(await actionResult(async () => Promise.reject(new AppError("not_found", "VM not found")))).toEqual({ ok: false, error: "VM not found" });
  });

  it("logs any other error with the request id and quotes it as the reference", async () => {
    const result = await actionResult(async () => Promise.reject(new Error("connection refused")));
    expect(result).toEqual({ ok: false, error: "Something went wrong. Try again. (reference rid-42)" });
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ requestId: "rid-42" }), "server action failed");
  });
});
