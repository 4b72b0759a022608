import { isIPv4, isIPv6 } from "node:net";
import { isRecord, num, str, unexpected } from "./coerce";

/** One address the QEMU guest agent reports (`guest-network-get-interfaces`). */
export type PveGuestAddress = { interface: string; family: "ipv4" | "ipv6"; address: string; prefix?: number; mac?: string };

function isLoopbackOrLinkLocal(family: "ipv4" | "ipv6", address: string): boolean {
  if (family === "ipv4") return address.startsWith("127.") || address.startsWith("169.254.");
  const lower = address.toLowerCase();
  // ::1, and fe80::/10 (fe80 … febf)
  return lower === "::1" || /^fe[89ab][0-9a-f]:/.test(lower);
}

/**
 * PVE wraps the agent's answer as `{result: [{name, "hardware-address", "ip-addresses":
 * [{"ip-address", "ip-address-type", prefix}]}]}`. Addresses a portal user cannot reach
 * (loopback, link-local) are dropped; interfaces without addresses yield nothing.
 */
export function guestAddresses(data: unknown): PveGuestAddress[] {
  const result = isRecord(data) ? data.result : undefined;
  if (!Array.isArray(result)) throw unexpected("GET agent/network-get-interfaces", data);
  const out: PveGuestAddress[] = [];
  for (const iface of result) {
    if (!isRecord(iface)) continue;
    const name = str(iface.name) ?? "";
    const mac = str(iface["hardware-address"]);
    const addresses = Array.isArray(iface["ip-addresses"]) ? iface["ip-addresses"] : [];
    for (const entry of addresses) {
      if (!isRecord(entry)) continue;
      const address = str(entry["ip-address"]);
      const type = str(entry["ip-address-type"]);
      const family = type === "ipv4" || type === "ipv6" ? type : address && isIPv4(address) ? "ipv4" : address && isIPv6(address) ? "ipv6" : undefined;
      if (!address || !family || name === "lo" || isLoopbackOrLinkLocal(family, address)) continue;
      out.push({ interface: name, family, address, prefix: num(entry.prefix), mac });
    }
  }
  return out;
}
