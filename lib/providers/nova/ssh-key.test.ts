import { describe, expect, it } from "vitest";
import { md5Fingerprint, parseSshPublicKey, sameFingerprint, sameKey } from "./ssh-key";
import { newEd25519PublicKey } from "./test-helpers";

// Keys and fingerprints made with ssh-keygen (`ssh-keygen -lf key.pub -E sha256`).
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIN7dmCMwMbD5icXUmlePjrZxFRdKHf746JO2S3itmFH2 user@ed25519";
const RSA2048 =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDM84wmT5uIjYrBoOXJ7Vf532fLq4fYMUBMMlOjHW+IpFR/tLbw3ToxgB2I7qSk3QyRQTf28yQFGYXfZhuzsyN0Yo20bf2USgX4BEaPQpLybthqGvNSj4WlpTjOfTIREDOo6pGTg+mkn7ggMKp6T6i8lDdTrI39CZR3H/+5DWq/j16eagO6FVe+R9/yI0FD9TEoF/dmmKlDS/woQnm0WMyGb4qqeEjAWJdl9EQtJwzhwRuZpEjTX9l8xpbZTP7mIw4/rLCyi6P+ThkDrWSj871QJ1GrkaVv+TU7L0eMGbD6+OepdOb1bxnwXFZTJ7y7JcdiT6sUlOZl0n9Nj4FOg4zL user@rsa";
const RSA1024 =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDDS7VSR+l8rlRan9Hi54i60zYAnf0uCDsx05hzPcLN1ZSaNObe1JuRebtlP+MST5en9HBJdcNNqfEicC5fc1QLmSnXHKkvy1UIr/OpcPr2tx7jL3aZee9AwcRK2C2ru95689dPB+hv7tsf+ECDoOWDQSgf0UZWu0Wpxm/L9nxAyQ== user@rsa";
const ECDSA256 =
  "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBECq9jWHe9L3eb1gKdbv5NJatoJSq0xXnpZ8VRpXjL+23J49EFFvushDSQnXT3ggjrvXvhItstDh6Wevv3z3oZg= user@ecdsa";
const ECDSA384 =
  "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBFEM6eDUtYNK2lee61ncWQyAC2XXSlqKXKNB+zl4rN3caoff0UUE7Rr0ee1yWAw2AgBA6NFY/I7NKu5DRbkbuSBf1sH8gvYR+JCjb2an+uncdafr7467JoPDS9dnjA4mkQ== user@ecdsa";

describe("OpenSSH public keys", () => {
  it("computes the fingerprints ssh-keygen prints", () => {
    expect(parseSshPublicKey(ED25519).fingerprint).toBe("SHA256:dRNfoWH5iAfhv0ayrdRLA8hnPUHxVDGPbfzit7STAeU");
    expect(parseSshPublicKey(RSA2048).fingerprint).toBe("SHA256:8joEO3LeISw+2sKcAo1dTmiEt14DAN3YVYEvnlZZDNY");
    expect(parseSshPublicKey(RSA2048).bits).toBe(2048);
    expect(parseSshPublicKey(ECDSA256).fingerprint).toBe("SHA256:d2QDyCwTRDLON0ttztp77sD1V9yoCkahr+mJqEy24fE");
    expect(parseSshPublicKey(`  ${ED25519}\n`).comment).toBe("user@ed25519");
  });

  it("refuses what Nova refuses, saying why", () => {
    expect(() => parseSshPublicKey(RSA1024)).toThrow("The RSA key has 1024 bits; Nova Cloud needs at least 2048.");
    expect(() => parseSshPublicKey(ECDSA384)).toThrow(/ecdsa-sha2-nistp384.*not accepted/);
    expect(() => parseSshPublicKey("")).toThrow(/empty/);
    expect(() => parseSshPublicKey("-----BEGIN OPENSSH PRIVATE KEY-----")).toThrow(/private key/);
    expect(() => parseSshPublicKey("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQDM84w")).toThrow(/malformed/);
    expect(() => parseSshPublicKey(`${ED25519}\n${ED25519}`)).toThrow(/single line/);
  });

  it("matches fingerprints with or without the prefix and padding", () => {
    expect(sameFingerprint("SHA256:abc", "abc=")).toBe(true);
    expect(sameFingerprint("SHA256:abc", "SHA256:abd")).toBe(false);
    expect(sameFingerprint(undefined, "x")).toBe(false);
  });

  it("recognises a held key by SHA256 or MD5 fingerprint or by its text", () => {
    const mine = parseSshPublicKey(ED25519);
    expect(md5Fingerprint(mine.blob)).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(sameKey({ fingerprint: "SHA256:dRNfoWH5iAfhv0ayrdRLA8hnPUHxVDGPbfzit7STAeU" }, mine)).toBe(true);
    expect(sameKey({ fingerprint: `MD5:${md5Fingerprint(mine.blob)}` }, mine)).toBe(true);
    expect(sameKey({ publicKey: ED25519.replace("user@ed25519", "other comment") }, mine)).toBe(true);
    expect(sameKey({ fingerprint: "SHA256:8joEO3LeISw+2sKcAo1dTmiEt14DAN3YVYEvnlZZDNY", publicKey: RSA2048 }, mine)).toBe(false);
  });

  it("reads keys made on the spot", () => {
    const key = newEd25519PublicKey("x@y");
    expect(parseSshPublicKey(key).type).toBe("ssh-ed25519");
  });
});
