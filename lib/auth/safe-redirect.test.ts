import { describe, expect, it } from "vitest";
import { safeAuthRedirect, safeRedirectPath } from "./safe-redirect";

describe("safeRedirectPath: only same-origin relative paths", () => {
  it.each([
    ["/vms", "/vms"],
    ["/vms/abc?tab=log#end", "/vms/abc?tab=log#end"],
    ["/admin/audit?actor=a%40b.c", "/admin/audit?actor=a%40b.c"],
    ["/a/./b/../c", "/a/c"],
    ["/tasks/clone-1", "/tasks/clone-1"],
  ])("keeps %s", (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected);
  });

  it.each([
    // the reported cases
    "/.//evil.example/x",
    "/%2e//evil.example/x",
    "/%2E//evil.example/x",
    // protocol-relative, backslashes, and the same after decoding or dot-segment resolution
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/%5cevil.example",
    "/%5Cevil.example",
    "/%2f/evil.example",
    "/%2F%2Fevil.example",
    "/%252f%252fevil.example",
    "/%252e//evil.example",
    "/./%2e/%2f/evil.example",
    "/a/..//evil.example",
    "/a/%2e%2e//evil.example",
    "/a%2f..%2f..%2f/evil.example",
    "/..//evil.example",
    "/%2e%2e//evil.example",
    // absolute URLs and schemes
    "https://evil.example/",
    "http://localhost:3000/vms",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "evil.example",
    "vms",
    // control characters browsers strip or choke on
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%00",
    "/vms\u0000",
    "/\u2028/evil.example",
    // malformed encoding, empty, too long, not a string
    "/%ff%",
    "/%",
    "",
    "/" + "a".repeat(3000),
  ])("refuses %j", (input) => {
    expect(safeRedirectPath(input)).toBe("/");
  });

  it("refuses values that are not strings, and uses the given fallback", () => {
    expect(safeRedirectPath(undefined)).toBe("/");
    expect(safeRedirectPath(["/vms"])).toBe("/");
    expect(safeRedirectPath(null, "/vms")).toBe("/vms");
    expect(safeRedirectPath("//evil.example", "/vms")).toBe("/vms");
  });
});

describe("safeAuthRedirect: next-auth's redirect callback", () => {
  const base = "http://localhost:3000";
  it("keeps relative paths and absolute URLs on the portal's own origin", () => {
    expect(safeAuthRedirect("/vms", base)).toBe("http://localhost:3000/vms");
    expect(safeAuthRedirect("http://localhost:3000/tasks/x?y=1", base)).toBe("http://localhost:3000/tasks/x?y=1");
    expect(safeAuthRedirect("http://localhost:3000", base)).toBe("http://localhost:3000/");
  });
  it.each([
    "https://evil.example/x",
    "http://localhost:3000.evil.example/x",
    "http://localhost:3001/vms",
    "http://user@localhost:3000@evil.example/",
    "//evil.example/x",
    "/.//evil.example/x",
    "/%2e//evil.example/x",
    "http://localhost:3000/.//evil.example/x",
    "http://localhost:3000//evil.example/x",
    "http://localhost:3000/\\evil.example",
    "javascript:alert(1)",
  ])("sends %j to the portal's root", (input) => {
    expect(safeAuthRedirect(input, base)).toBe("http://localhost:3000/");
  });
});
