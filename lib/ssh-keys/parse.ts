import { createHash } from "node:crypto";

const KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];

export type ParsedKey = { type: string; blob: string; comment: string; fingerprint: string; normalized: string };

/**
 * Parses one OpenSSH public key line (`type base64 [comment]`) and checks that the key data
 * names the same type. Returns the SHA256 fingerprint as `ssh-keygen -l` prints it.
 */
export function parsePublicKey(text: string): ParsedKey {
  const line = text.trim();
  if (/[\r\n]/.test(line)) throw new Error("Paste exactly one public key (one line)");
  const [type, blob, ...rest] = line.split(/\s+/);
  if (!type || !KEY_TYPES.includes(type)) throw new Error(`Unsupported key type "${type ?? ""}": use one of ${KEY_TYPES.slice(0, 3).join(", ")}, …`);
  if (!blob || !/^[A-Za-z0-9+/]+={0,3}$/.test(blob)) throw new Error("The key data is not base64");
  const raw = Buffer.from(blob, "base64");
  const nameLength = raw.length >= 4 ? raw.readUInt32BE(0) : 0;
  if (raw.length < 4 + nameLength || raw.subarray(4, 4 + nameLength).toString("latin1") !== type) {
    throw new Error("The key data does not match its type: is this a public key?");
  }
  const comment = rest.join(" ");
  const fingerprint = `SHA256:${createHash("sha256").update(raw).digest("base64").replace(/=+$/, "")}`;
  return { type, blob, comment, fingerprint, normalized: [type, blob, comment].filter(Boolean).join(" ") };
}
