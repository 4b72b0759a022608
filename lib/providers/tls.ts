/**
 * TLS facts every provider transport shares (PVE, VergeOS, Nova): how a configured certificate
 * fingerprint is compared, and which Node error codes mean "the certificate was rejected" (a
 * `tls` provider error, not a network one).
 */

/** Uppercase hex without separators, so `aa:bb…` and `AABB…` compare equal. */
export function normalizeFingerprint(text: string): string {
  return text.replace(/[^0-9a-f]/gi, "").toUpperCase();
}

/** Node's error codes for a refused certificate, and EPROTO (e.g. TLS spoken to a plain-HTTP port). */
export const TLS_ERROR_CODES: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
]);
