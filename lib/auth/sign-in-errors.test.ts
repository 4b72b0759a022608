import { describe, expect, it } from "vitest";
import { describeSignInError, describeSignInResult } from "./sign-in-errors";

describe("sign-in error texts", () => {
  it("shows a known code's words", () => {
    expect(describeSignInError("CredentialsSignin")).toBe("Invalid email or password");
    expect(describeSignInError("OAuthCallback")).toBe("Single sign-on failed. Try again.");
    expect(describeSignInError(undefined)).toBeUndefined();
    expect(describeSignInError("")).toBeUndefined();
  });

  it.each(["Your account was suspended: call +1 555 0100 now", "<script>alert(1)</script>", "toString", "__proto__", "constructor"])(
    "never echoes an unknown ?error= value (%j)",
    (value) => {
      expect(describeSignInError(value)).toBe("Sign-in failed. Try again.");
    },
  );

  it("shows the server's own message for the form's own request", () => {
    expect(describeSignInResult("CredentialsSignin")).toBe("Invalid email or password");
    expect(describeSignInResult("Too many failed sign-ins. Try again in 15 minutes.")).toBe("Too many failed sign-ins. Try again in 15 minutes.");
    expect(describeSignInResult(undefined)).toBe("Sign-in failed. Try again.");
  });
});
