import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { ProviderError, type ProviderErrorKind } from "../providers/types";
import { DeadlineError } from "./deadline";
import { describeFailure, INTERNAL_FAILURE_MESSAGE, PROVIDER_FAILURE_MESSAGES, withoutUrls } from "./failure";

describe("describeFailure", () => {
  it("gives users words by kind and staff the provider's own words, for every kind", () => {
    const kinds = Object.keys(PROVIDER_FAILURE_MESSAGES) as ProviderErrorKind[];
    for (const kind of kinds.filter((k) => k !== "payment")) {
      const error = new ProviderError(kind, "GET http://10.0.0.5:8006: socket hang up (ECONNRESET)", { status: 502 });
      const failure = describeFailure(error);
      expect(failure.message).toBe(PROVIDER_FAILURE_MESSAGES[kind]);
      expect(failure.message).not.toMatch(/https?:|10\.0\.0\.5|8006|socket/);
      expect(failure.detail).toBe(`${kind}: GET http://10.0.0.5:8006: socket hang up (ECONNRESET) (HTTP 502)`);
    }
    expect(describeFailure(new ProviderError("network", "x")).message).toBe("The provider did not answer; try again later");
  });

  it("gives users a payment refusal in the provider's own words (its business answer), without addresses", () => {
    const words = "Insufficient balance. Required: $10.00, Available: $5.50";
    expect(describeFailure(new ProviderError("payment", words, { status: 402 }))).toEqual({ message: words, detail: `payment: ${words} (HTTP 402)` });
    expect(describeFailure(new ProviderError("payment", `${words}; see https://nova.example/billing`)).message).toBe(`${words}; see [provider address]`);
  });

  it("keeps our own messages, and hides anything else behind a generic sentence", () => {
    expect(describeFailure(new AppError("conflict", "VM is already running"))).toEqual({ message: "VM is already running", detail: null });
    expect(describeFailure(new DeadlineError("Start VM did not finish within 3 s", "network: timed out"))).toEqual({ message: "Start VM did not finish within 3 s", detail: "network: timed out" });
    expect(describeFailure(new Error("connect ECONNREFUSED 127.0.0.1:5432"))).toEqual({ message: INTERNAL_FAILURE_MESSAGE, detail: "connect ECONNREFUSED 127.0.0.1:5432" });
  });
});

describe("withoutUrls", () => {
  it("replaces URLs of any scheme and leaves the rest", () => {
    expect(withoutUrls('PVE API error on provider "ext-sim": GET http://127.0.0.1:18006: socket hang up')).toBe('PVE API error on provider "ext-sim": GET [provider address] socket hang up');
    expect(withoutUrls("see https://pve.internal.example:8006/api2/json/nodes and wss://x/y")).toBe("see [provider address] and [provider address]");
    expect(withoutUrls("web-1 is running at 10.0.0.5")).toBe("web-1 is running at 10.0.0.5");
  });
});
