import { describe, expect, it, vi } from "vitest";
import { NovaError } from "./nova/errors";
import { ProviderError } from "./types";

describe("ProviderError across copies of its module", () => {
  it("is recognised when another copy of the module made it (Next's bundle and the worker share provider clients)", async () => {
    // A second copy of lib/providers/types.ts, as Next's server bundle has beside the worker's.
    vi.resetModules();
    const other = await import("./types");
    expect(other.ProviderError).not.toBe(ProviderError);
    const foreign = new other.ProviderError("task_failed", "start failed: QEMU exited with code 1");
    expect(foreign instanceof ProviderError).toBe(true);
    expect(foreign.retryable).toBe(false);
    expect(new Error("x") instanceof ProviderError).toBe(false);
    expect((null as unknown) instanceof ProviderError).toBe(false);
  });

  it("keeps subclasses' own checks", () => {
    const plain = new ProviderError("server", "x");
    expect(plain instanceof NovaError).toBe(false);
    expect(new NovaError("sold_out", "GPUs sold out") instanceof ProviderError).toBe(true);
  });
});
