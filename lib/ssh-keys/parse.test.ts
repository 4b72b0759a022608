import { generateKeyPairSync, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parsePublicKey } from "./parse";

function ed25519Line(comment = "ada@laptop"): { line: string; blob: Buffer } {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const name = Buffer.from("ssh-ed25519");
  const blob = Buffer.concat([Buffer.from([0, 0, 0, name.length]), name, Buffer.from([0, 0, 0, 32]), raw]);
  return { line: `ssh-ed25519 ${blob.toString("base64")} ${comment}`, blob };
}

describe("SSH public keys", () => {
  it("parses a key and computes the fingerprint ssh-keygen shows", () => {
    const { line, blob } = ed25519Line();
    const key = parsePublicKey(`  ${line}\n`);
    expect(key.type).toBe("ssh-ed25519");
    expect(key.comment).toBe("ada@laptop");
    expect(key.fingerprint).toBe(`SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`);
    expect(key.normalized).toBe(line);
  });

  it("refuses private keys, wrong types, garbage and several lines", () => {
    const { line } = ed25519Line();
    expect(() => parsePublicKey("-----BEGIN OPENSSH PRIVATE KEY-----")).toThrow(/Unsupported key type/);
    expect(() => parsePublicKey(line.replace("ssh-ed25519", "ssh-rsa"))).toThrow(/does not match/);
    expect(() => parsePublicKey("ssh-ed25519 not*base64")).toThrow(/base64/);
    expect(() => parsePublicKey(`${line}\n${line}`)).toThrow(/one public key/);
  });
});
