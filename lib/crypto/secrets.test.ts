import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptJson, decryptSecret, deriveSecret, encryptJson, encryptSecret, generateKey, parseKey } from "./secrets";

const key = randomBytes(32);

describe("AES-256-GCM secrets", () => {
  it("round-trips and never contains the plaintext", () => {
    const sealed = encryptSecret("pve-token-secret", key);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain("pve-token-secret");
    expect(decryptSecret(sealed, key)).toBe("pve-token-secret");
    expect(decryptJson(encryptJson({ a: 1 }, key), key)).toEqual({ a: 1 });
  });

  it("uses a fresh IV each time", () => {
    expect(encryptSecret("same", key)).not.toBe(encryptSecret("same", key));
  });

  it("refuses a wrong key and tampered ciphertext", () => {
    const sealed = encryptSecret("secret", key);
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow();
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    expect(() => decryptSecret([...parts.slice(0, 3), body.toString("base64url")].join("."), key)).toThrow();
    expect(() => decryptSecret("v2.a.b.c", key)).toThrow(/format/);
  });

  it("parses 32-byte keys as hex or base64 and rejects anything else", () => {
    const generated = generateKey();
    expect(parseKey(generated)).toHaveLength(32);
    expect(parseKey(key.toString("hex")).equals(key)).toBe(true);
    expect(() => parseKey("short")).toThrow(/32 bytes/);
    expect(() => parseKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });

  it("derives distinct, stable sub-secrets per purpose", () => {
    expect(deriveSecret(key, "nextauth")).toBe(deriveSecret(key, "nextauth"));
    expect(deriveSecret(key, "nextauth")).not.toBe(deriveSecret(key, "other"));
  });
});
