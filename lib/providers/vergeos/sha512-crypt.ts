import { createHash, randomBytes } from "node:crypto";

/**
 * SHA-512 crypt (`$6$`, Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512", the scheme of
 * glibc's crypt(3), `openssl passwd -6` and `mkpasswd -m sha-512`), on node:crypto's SHA-512.
 * Used to hand cloud-init a password hash instead of the password (`hashed_passwd`).
 */
const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DEFAULT_ROUNDS = 5000;

/** The byte triples of the final digest, in the order the scheme encodes them. */
const ORDER: [number, number, number][] = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48],
  [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13],
  [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
];

const sha512 = (...parts: Buffer[]) => {
  const h = createHash("sha512");
  for (const p of parts) h.update(p);
  return h.digest();
};

/** `length` bytes of `block` repeated. */
function repeat(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function b64(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = "";
  for (let i = 0; i < n; i++) {
    out += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

/** A random 16-character salt from the crypt alphabet. */
export function cryptSalt(): string {
  return [...randomBytes(16)].map((b) => ITOA64[b & 0x3f]).join("");
}

/**
 * `$6$<salt>$<hash>` (or `$6$rounds=<n>$<salt>$<hash>` when `rounds` is given) of `password`.
 * The salt is cut to 16 characters, as the scheme does; rounds are clamped to 1000..999999999.
 */
export function sha512Crypt(password: string, salt: string = cryptSalt(), rounds?: number): string {
  const n = rounds === undefined ? DEFAULT_ROUNDS : Math.min(999_999_999, Math.max(1000, Math.floor(rounds)));
  const p = Buffer.from(password, "utf8");
  const s = Buffer.from(salt.slice(0, 16), "utf8");
  const b = sha512(p, s, p);
  const a = createHash("sha512").update(p).update(s).update(repeat(b, p.length));
  for (let len = p.length; len > 0; len >>= 1) a.update(len & 1 ? b : p);
  const digestA = a.digest();
  const pSeq = repeat(sha512(...Array<Buffer>(p.length).fill(p)), p.length);
  const sSeq = repeat(sha512(...Array<Buffer>(16 + digestA[0]!).fill(s)), s.length);
  let c = digestA;
  for (let i = 0; i < n; i++) {
    const h = createHash("sha512");
    h.update(i & 1 ? pSeq : c);
    if (i % 3 !== 0) h.update(sSeq);
    if (i % 7 !== 0) h.update(pSeq);
    h.update(i & 1 ? c : pSeq);
    c = h.digest();
  }
  const encoded = ORDER.map(([x, y, z]) => b64(c[x]!, c[y]!, c[z]!, 4)).join("") + b64(0, 0, c[63]!, 2);
  return `$6$${rounds === undefined ? "" : `rounds=${n}$`}${s.toString("utf8")}$${encoded}`;
}
