/**
 * The launcher's HTTP server writes the client's address into this header (overwriting
 * whatever the client sent), so rate limits can key on an address the client cannot forge.
 * Behind a reverse proxy set HANGAR_TRUST_PROXY=1 to take the address from X-Forwarded-For:
 * its LAST hop, the peer your proxy saw (proxies append it to whatever the client sent, so every
 * earlier hop is the client's own word).
 */
export const CLIENT_IP_HEADER = "x-hangar-client-ip";

export function clientIpFrom(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string | undefined {
  if (trustProxy && forwardedFor !== undefined) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
      .split(",")
      .map((hop) => hop.trim())
      .filter(Boolean);
    const last = hops.at(-1);
    if (last) return last;
  }
  return remoteAddress?.replace(/^::ffff:/, "");
}
