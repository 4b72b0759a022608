import { describe, expect, it } from "vitest";
import { NovaError, errorFromResponse, readDetail, retryAfterMs } from "./errors";

const json = (v: unknown) => JSON.stringify(v);

describe("Nova error mapping", () => {
  it("keeps the balance refusal in Nova's exact words, as its own kind", () => {
    const text = "Insufficient balance. Required: $10.00, Available: $5.50";
    for (const status of [400, 402, 403, 409]) {
      const e = errorFromResponse(status, json({ detail: text }), {}, "POST /vms");
      expect(e).toBeInstanceOf(NovaError);
      expect(e.novaKind).toBe("insufficient_balance");
      expect(e.message).toBe(text);
      expect(e.kind).toBe("payment");
      expect(e.retryable).toBe(false);
    }
  });

  it("reads a string detail", () => {
    const e = errorFromResponse(404, json({ detail: "VM not found" }), {}, "GET /vms/x");
    expect(e.novaKind).toBe("not_found");
    expect(e.kind).toBe("not_found");
    expect(e.message).toBe("VM not found");
  });

  it("reads FastAPI's 422 list, per field, without the 'body' prefix", () => {
    const body = {
      detail: [
        { loc: ["body", "storage_gb"], msg: "Input should be greater than or equal to 50", type: "greater_than_equal" },
        { loc: ["body", "node"], msg: "Field required", type: "missing" },
      ],
    };
    const e = errorFromResponse(422, json(body), {}, "POST /vms");
    expect(e.novaKind).toBe("validation");
    expect(e.kind).toBe("parameter");
    expect(e.details.errors).toEqual({ storage_gb: "Input should be greater than or equal to 50", node: "Field required" });
    expect(e.message).toBe("storage_gb: Input should be greater than or equal to 50; node: Field required");
  });

  it("maps statuses to kinds, naming the request for auth failures", () => {
    expect(errorFromResponse(401, json({ detail: "Could not validate credentials" }), {}, "GET /vms").message).toBe("Could not validate credentials (GET /vms)");
    expect(errorFromResponse(401, "", {}, "GET /vms").kind).toBe("auth");
    expect(errorFromResponse(403, json({ detail: "API key scope read_only" }), {}, "POST /vms").novaKind).toBe("forbidden");
    expect(errorFromResponse(409, json({ detail: "x" }), {}, "p").novaKind).toBe("conflict");
    expect(errorFromResponse(400, json({ detail: "Something odd" }), {}, "p").novaKind).toBe("bad_request");
    expect(errorFromResponse(503, "", {}, "GET /vms").kind).toBe("unavailable");
    expect(errorFromResponse(500, "<html>oops</html>", {}, "GET /vms").message).toBe("Nova Cloud answered GET /vms with HTTP 500");
  });

  it("recognises sold-out and key-limit refusals by their words", () => {
    const soldOut = errorFromResponse(400, json({ detail: "No available GPUs: 2x 4090 requested on vm01, 0 free" }), {}, "POST /vms");
    expect(soldOut.novaKind).toBe("sold_out");
    expect(soldOut.kind).toBe("capacity");
    expect(soldOut.retryable).toBe(false);
    expect(errorFromResponse(400, json({ detail: "Maximum of 5 SSH keys allowed. Please delete an existing key first." }), {}, "POST /ssh-keys").novaKind).toBe("ssh_key_limit");
  });

  it("429 carries Retry-After (seconds or an HTTP date) and is retryable", () => {
    const e = errorFromResponse(429, json({ detail: "Rate limit exceeded: 5 per 1 minute" }), { "retry-after": "7" }, "POST /auth/login");
    expect(e.novaKind).toBe("rate_limited");
    expect(e.retryAfterMs).toBe(7000);
    expect(e.retryable).toBe(true);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it("reads detail tolerantly", () => {
    expect(readDetail({ detail: ["plain"] })).toEqual({ message: "plain", errors: undefined });
    expect(readDetail({ message: "alt" })).toEqual({ message: "alt" });
    expect(readDetail("x")).toEqual({});
  });
});
