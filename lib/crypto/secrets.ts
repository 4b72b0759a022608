import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

/**
 * Provider credentials are stored as AES-256-GCM ciphertext under HANGAR_SECRET_KEY.
 * Format: `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`; a different key fails to decrypt.
 */
const VERSION = "v1";

export function parseKey(raw: string): Buffer {
  const trimmed = raw.trim();
  const candidates = [
    /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : undefined,
    Buffer.from(trimmed, "base64"),
  ];
  const key = candidates.find((c) => c && c.length === 32);
  if (!key) throw new Error("HANGAR_SECRET_KEY must be 32 bytes, as 64 hex digits or base64");
  return key;
}

export function generateKey(): string {
  return randomBytes(32).toString("base64");
}

function currentKey(): Buffer {
  const raw = process.env.HANGAR_SECRET_KEY;
  if (!raw) throw new Error("HANGAR_SECRET_KEY is not set (the launcher creates one under HANGAR_DATA_DIR)");
  return parseKey(raw);
}

export function encryptSecret(plaintext: string, key: Buffer = currentKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptSecret(sealed: string, key: Buffer = currentKey()): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("Unrecognised secret format");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

export function encryptJson(value: unknown, key?: Buffer): string {
  return encryptSecret(JSON.stringify(value), key);
}

export function decryptJson<T = unknown>(sealed: string, key?: Buffer): T {
  return JSON.parse(decryptSecret(sealed, key)) as T;
}

/** A sub-key for another purpose (e.g. next-auth's JWT secret), so one master key suffices. */
export function deriveSecret(master: Buffer, purpose: string): string {
  return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `hangar:${purpose}`, 32)).toString("base64");
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
