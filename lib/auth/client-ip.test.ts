import { expect, it } from "vitest";
import { clientIpFrom } from "./client-ip";

it("ignores X-Forwarded-For unless the proxy is trusted", () => {
  expect(clientIpFrom("::ffff:10.1.2.3", "6.6.6.6", false)).toBe("10.1.2.3");
  expect(clientIpFrom("10.1.2.3", "6.6.6.6, 10.0.0.1", true)).toBe("10.0.0.1");
  expect(clientIpFrom("10.1.2.3", undefined, true)).toBe("10.1.2.3");
  expect(clientIpFrom(undefined, undefined, false)).toBeUndefined();
});

it("behind a trusted proxy takes the address that proxy saw (the last X-Forwarded-For hop), not one the client wrote", () => {
  // nginx's $proxy_add_x_forwarded_for (and most proxies) append the peer to what the client sent:
  // a client sending `X-Forwarded-For: 1.2.3.4` arrives as "1.2.3.4, <its real address>". Taking the
  // first hop let every request pick its own address, and so its own sign-in lockout counters.
  expect(clientIpFrom("10.0.0.2", "1.2.3.4, 198.51.100.7", true)).toBe("198.51.100.7");
  expect(clientIpFrom("10.0.0.2", ["1.2.3.4", "198.51.100.7"], true)).toBe("198.51.100.7");
  expect(clientIpFrom("10.0.0.2", "198.51.100.7", true)).toBe("198.51.100.7");
  expect(clientIpFrom("10.0.0.2", " , ", true)).toBe("10.0.0.2");
});
