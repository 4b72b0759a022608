import { execFileSync } from "node:child_process";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Test helpers (no test in this file): keys and certificates made on the spot. */

/** A fresh OpenSSH ed25519 public key line. */
export function newEd25519PublicKey(comment = "test@hangar"): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const x = Buffer.from(publicKey.export({ format: "jwk" }).x as string, "base64url");
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from("ssh-ed25519")), str(x)]);
  return `ssh-ed25519 ${blob.toString("base64")} ${comment}`;
}

/** A throw-away self-signed certificate for 127.0.0.1 (openssl CLI). */
export function selfSignedCert(): { key: string; cert: string; fingerprint256: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "nova-test-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=nova-test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
    const certPem = readFileSync(cert, "utf8");
    return { key: readFileSync(key, "utf8"), cert: certPem, fingerprint256: new X509Certificate(certPem).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
