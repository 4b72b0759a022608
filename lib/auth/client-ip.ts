/**
 * The launcher's HTTP server writes the client's address into this header (overwriting
 * whatever the client sent), so rate limits can key on an address the client cannot forge.
 * Behind a reverse proxy set HANGAR_TRUST_PROXY=1 to take the first X-Forwarded-For hop.
 */
export const CLIENT_IP_HEADER = "x-hangar-client-ip";

export function clientIpFrom(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const header = Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor;
    const first = header?.split(",")[0]?.trim();
    if (first) return first;
  }
  return remoteAddress?.replace(/^::ffff:/, "");
}
