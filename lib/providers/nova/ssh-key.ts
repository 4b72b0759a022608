import { createHash } from "node:crypto";
import { NOVA_MAX_SSH_KEY_CHARS } from "./types";

/**
 * OpenSSH public keys as Nova accepts them (guide "ssh-keys"): `ssh-ed25519`, `ssh-rsa` of 2048
 * bits or more, `ecdsa-sha2-nistp256`. The fingerprint is OpenSSH's: `SHA256:` + unpadded base64
 * of the SHA-256 of the key blob (what `ssh-keygen -lf` prints and Nova returns).
 */
export type ParsedSshKey = { type: string; blob: Buffer; comment: string; fingerprint: string; bits?: number };

export const NOVA_SSH_KEY_TYPES = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256"] as const;

/** Reads the length-prefixed strings of an SSH wire blob (RFC 4251 `string`/`mpint`). */
function readStrings(blob: Buffer, count: number): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > blob.length) return undefined;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return undefined;
    out.push(blob.subarray(at, at + len));
    at += len;
  }
  return at === blob.length ? out : undefined;
}

function mpintBits(value: Buffer): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i] ?? 0));
}

/** `SHA256:…` of a key blob. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Parses and checks one public key line (`type base64 [comment]`), as Nova would. Throws an Error
 * whose message says what is wrong, in words for the user.
 */
export function parseSshPublicKey(text: string): ParsedSshKey {
  const line = text.trim();
  if (line === "") throw new Error("The SSH public key is empty.");
  if (line.length > NOVA_MAX_SSH_KEY_CHARS) throw new Error(`The SSH public key is longer than ${NOVA_MAX_SSH_KEY_CHARS} characters.`);
  if (/[\r\n]/.test(line)) throw new Error("Give one SSH public key (a single line).");
  if (/PRIVATE KEY/.test(line)) throw new Error("This is a private key: give the public key (the .pub file).");
  const [type = "", data = "", ...rest] = line.split(/\s+/);
  if (!(NOVA_SSH_KEY_TYPES as readonly string[]).includes(type)) {
    throw new Error(`SSH key type ${JSON.stringify(type.slice(0, 40))} is not accepted by Nova Cloud: use ${NOVA_SSH_KEY_TYPES.join(", ")}.`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw new Error("The SSH public key's data is not base64.");
  const blob = Buffer.from(data, "base64");
  const base = (n: number) => readStrings(blob, n);
  let bits: number | undefined;
  if (type === "ssh-ed25519") {
    const parts = base(2);
    if (!parts || parts[0]?.toString() !== type || parts[1]?.length !== 32) throw new Error("The ssh-ed25519 key is malformed.");
    bits = 256;
  } else if (type === "ssh-rsa") {
    const parts = base(3);
    if (!parts || parts[0]?.toString() !== type) throw new Error("The ssh-rsa key is malformed.");
    bits = mpintBits(parts[2] ?? Buffer.alloc(0));
    if (bits < 2048) throw new Error(`The RSA key has ${bits} bits; Nova Cloud needs at least 2048.`);
  } else {
    const parts = base(3);
    if (!parts || parts[0]?.toString() !== type || parts[1]?.toString() !== "nistp256" || parts[2]?.length !== 65) throw new Error("The ecdsa-sha2-nistp256 key is malformed.");
    bits = 256;
  }
  return { type, blob, comment: rest.join(" "), fingerprint: sshFingerprint(blob), bits };
}

/** The legacy MD5 fingerprint, `aa:bb:…` (some servers still show it). */
export function md5Fingerprint(blob: Buffer): string {
  return (createHash("md5").update(blob).digest("hex").match(/../g) ?? []).join(":");
}

/**
 * Is a key Nova holds the same as this one? By SHA256 fingerprint (documented), an MD5 one, or
 * the key text when the server shows it.
 */
export function sameKey(held: { fingerprint?: string; publicKey?: string }, mine: ParsedSshKey): boolean {
  if (sameFingerprint(held.fingerprint, mine.fingerprint)) return true;
  const md5 = held.fingerprint?.trim().replace(/^MD5:/i, "").toLowerCase();
  if (md5 && md5 === md5Fingerprint(mine.blob)) return true;
  if (held.publicKey) {
    try {
      return parseSshPublicKey(held.publicKey).blob.equals(mine.blob);
    } catch {
      return false;
    }
  }
  return false;
}

/** Compares fingerprints as OpenSSH prints them (`SHA256:` prefix optional, padding ignored). */
export function sameFingerprint(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const norm = (f: string) => f.trim().replace(/^SHA256:/i, "").replace(/=+$/, "");
  return norm(a) === norm(b);
}
