import { randomBytes } from "node:crypto";
import { sha256Hex } from "../crypto/secrets";

/**
 * Opaque bearer secrets. The database keeps only their SHA-256 (a token is 256 random
 * bits, so a slow hash adds nothing) and a short prefix to recognise them by.
 */
export type TokenKindPrefix = "hgr_s" | "hgr_p" | "hgr_b";

export function newToken(kind: TokenKindPrefix): { token: string; hash: string; prefix: string } {
  const token = `${kind}_${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, kind.length + 7) };
}

export function hashToken(token: string): string {
  return sha256Hex(token);
}
