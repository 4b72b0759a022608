import { expect, it } from "vitest";
import { clientIpFrom } from "./client-ip";

it("ignores X-Forwarded-For unless the proxy is trusted", () => {
  expect(clientIpFrom("::ffff:10.1.2.3", "6.6.6.6", false)).toBe("10.1.2.3");
  expect(clientIpFrom("10.1.2.3", "6.6.6.6, 10.0.0.1", true)).toBe("6.6.6.6");
  expect(clientIpFrom("10.1.2.3", undefined, true)).toBe("10.1.2.3");
  expect(clientIpFrom(undefined, undefined, false)).toBeUndefined();
});
